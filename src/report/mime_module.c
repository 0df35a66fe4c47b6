/*
 * mime_module - the entry point of the daneops-mime plugin (util/plugin.h):
 * mime_extract, which needs GMime.  The plugin's only exported symbol
 * (mime_module.map).
 */
#include "report/mime.h"

static const struct mime_module mime_module = {
	{ MIME_MODULE_ABI, sizeof(struct mime_module) },
	mime_extract,
};

const struct mime_module *
daneops_mime_plugin_v1(void)
{
	return &mime_module;
}

/*
 * mime_plugin - mime_extract through the daneops-mime plugin (mime.h).
 */
#include "report/mime.h"

#include <string.h>

/*
 * Programs that link the plugin's sources in (unit tests, fuzz targets)
 * define its entry point; daneops does not, so this weak reference is NULL
 * there and the plugin is loaded.
 */
extern const struct mime_module *daneops_mime_plugin_v1(void)
	__attribute__((weak, visibility("hidden")));

int
mime_plugin_extract(const char *msg, size_t len, struct mime_report *out,
	struct err *e)
{
	const struct mime_module *m;

	memset(out, 0, sizeof(*out));
	if (daneops_mime_plugin_v1 != NULL)
		m = daneops_mime_plugin_v1();
	else
		m = plugin_entry("mime", DANEOPS_MIME_PLUGIN_ENTRY,
		    MIME_MODULE_ABI, sizeof(*m), e);
	if (m == NULL)
		return -1;
	return m->extract(msg, len, out, e);
}

/*
 * http_module - the entry point of the daneops-http plugin (util/plugin.h):
 * the providers that need libcurl, and the MTA-STS policy fetch.  The plugin's only exported symbol
 * (http_module.map).
 */
#include "provider/provider_impl.h"

static const struct provider_ops *const http_module_ops[] = {
	&prov_cloudflare_ops,
	&prov_desec_ops,
	&prov_powerdns_ops,
	NULL,
};

static const struct prov_http_module http_module = {
	{ PROV_HTTP_MODULE_ABI, sizeof(struct prov_http_module) },
	http_module_ops,
	mtasts_fetch,
};

const struct prov_http_module *
daneops_http_plugin_v1(void)
{
	return &http_module;
}

/*
 * conf - the roll configuration file (daneops.conf(5)), INI via inih.
 *
 * [daneops] holds global settings, [lineage NAME] one certificate lineage
 * each, [provider NAME] the DNS provider a lineage names.  inih as Debian
 * builds it truncates lines longer than INI_MAX_LINE (200 bytes) and hands
 * the truncated value to the handler, so every line is measured before
 * parsing and an over-long one is an error with its line number, never a
 * silently shortened path.
 *
 * Ownership: conf_load returns a conf the caller frees with conf_free
 * (NULL is a no-op); everything inside belongs to it.
 */
#ifndef DANEOPS_ROLL_CONF_H
#define DANEOPS_ROLL_CONF_H

#include <stddef.h>
#include <stdint.h>

#include "dns/resolver.h"
#include "provider/provider.h"
#include "util/err.h"

#define CONF_DEFAULT_PATH       "/etc/daneops/daneops.conf"
#define CONF_CERTBOT_DIR        "/etc/letsencrypt"
#define CONF_MAX_LINE           199     /* inih's INI_MAX_LINE minus the NUL */
#define CONF_MAX_LIST           32      /* owners, endpoints, params, args */
#define CONF_RELOAD_TIMEOUT     60      /* seconds */
#define CONF_CERTBOT_TIMEOUT    600
#define CONF_CERTBOT_BACKOFF    3600    /* 1 h, 2 h, 4 h, ... */
#define CONF_CERTBOT_BACKOFF_MAX 86400
#define CONF_MAX_FAILURES       3

struct conf_params {
	uint8_t usage, selector, mtype;
};

struct conf_endpoint {
	char *host;
	uint16_t port;
	char *starttls;         /* "smtp", "none", ...; NULL: from the port */
	char *connect;          /* address to connect to; NULL: the host's */
	char *text;             /* as configured, for messages */
};

struct conf_provider {
	char *name;
	char *type;
	struct provider_param params[CONF_MAX_LIST];
	size_t nparams;
};

struct conf_lineage {
	char *name;
	int line;               /* of the section header, for messages */
	char *certbot;          /* certbot lineage name, or NULL */
	char *source_key, *source_chain;
	char *deploy_key, *deploy_chain, *deploy_combined;
	char *owners[CONF_MAX_LIST];    /* absolute, with the trailing dot */
	size_t nowners;
	struct conf_params params[CONF_MAX_LIST];
	size_t nparams;
	uint32_t ttl;
	char *provider;
	struct conf_provider *prov;     /* resolved after parsing */
	char *reload[CONF_MAX_LIST];    /* argv, NULL-terminated */
	struct conf_endpoint verify[CONF_MAX_LIST];
	size_t nverify;
	int next_key;
	char *key_type;         /* "rsa" (2048) or "ec" (P-256) */
	int rollover_days;      /* 0: never on a schedule */
	long min_wait;          /* seconds */
	long reload_timeout;    /* seconds until the reload is killed */
	long certbot_timeout;   /* seconds until certbot is killed */
	long certbot_backoff;   /* first wait after a failed hand-off */
	long certbot_backoff_max;       /* the doubling stops here */
	long max_failures;      /* consecutive failures that fail the run */
};

struct conf {
	char *path;
	char *state_dir;
	char *lock_file;
	char *certbot_dir;      /* /etc/letsencrypt */
	char *certbot_command;  /* certbot */
	char *certbot_work_dir; /* --work-dir; NULL: certbot's default */
	char *certbot_logs_dir; /* --logs-dir; NULL: certbot's default */
	char *ca_file;          /* chain verification; NULL: system store */
	char *trust_anchors[CONF_MAX_LIST];
	size_t ntrust_anchors;
	char *resolver;         /* IP[@PORT] validating resolver, or NULL */
	char *resolver_conf;    /* more libunbound configuration, or NULL */
	char *stubs[CONF_MAX_LIST];
	size_t nstubs;
	struct conf_lineage *lineages;
	size_t nlineages;
	struct conf_provider *providers;
	size_t nproviders;
};

struct conf *conf_load(const char *path, struct err *e);
/* As conf_load, from text in memory; name is used in messages. */
struct conf *conf_parse(const char *name, const char *text, struct err *e);
void conf_free(struct conf *c);

struct conf_lineage *conf_lineage_find(struct conf *c, const char *name);

/* The validation settings, as resolver options (pointers borrowed from c). */
void conf_resolver_opts(const struct conf *c, struct resolver_opts *ro);

/* The host of a TLSA owner: "_25._tcp.mx.example.org." -> "mx.example.org". */
char *conf_owner_host(const char *owner);

#endif

/*
 * pkix - PKIX validation of a probe's chain for an MX name (see pkix.h).
 */
#include "mtasts/pkix.h"

#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

X509_STORE *
mtasts_store_new(const char *ca_file, struct err *e)
{
	X509_STORE *st = X509_STORE_new();

	if (st == NULL) {
		err_set(e, ERR_SYSTEM, "cannot create a certificate store");
		return NULL;
	}
	if (ca_file != NULL) {
		if (X509_STORE_load_file(st, ca_file) != 1) {
			X509_STORE_free(st);
			err_set_ssl(e, ERR_INPUT, "--ca-file %s: no usable "
			    "certificates", ca_file);
			return NULL;
		}
	} else if (X509_STORE_set_default_paths(st) != 1) {
		X509_STORE_free(st);
		err_set_ssl(e, ERR_SYSTEM, "cannot load the system's trusted "
		    "certificates");
		return NULL;
	}
	ERR_clear_error();
	return st;
}

int
mtasts_pkix_verify(X509_STORE *store, STACK_OF(X509) *chain,
	const char *host, time_t now, char *why, size_t whylen)
{
	X509_STORE_CTX *ctx;
	X509 *leaf;
	int ok, code;

	if (chain == NULL || sk_X509_num(chain) == 0) {
		snprintf(why, whylen, "no certificate presented");
		return -1;
	}
	leaf = sk_X509_value(chain, 0);
	if ((ctx = X509_STORE_CTX_new()) == NULL ||
	    X509_STORE_CTX_init(ctx, store, leaf, chain) != 1) {
		X509_STORE_CTX_free(ctx);
		snprintf(why, whylen, "cannot verify (out of memory)");
		return -1;
	}
	X509_STORE_CTX_set_purpose(ctx, X509_PURPOSE_SSL_SERVER);
	X509_STORE_CTX_set_time(ctx, 0, now);
	ok = X509_verify_cert(ctx) == 1;
	code = X509_STORE_CTX_get_error(ctx);
	X509_STORE_CTX_free(ctx);
	ERR_clear_error();
	if (!ok) {
		snprintf(why, whylen, "certificate not PKIX-valid: %s",
		    X509_verify_cert_error_string(code));
		return -1;
	}
	if (X509_check_host(leaf, host, 0,
	    X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS, NULL) != 1) {
		snprintf(why, whylen, "certificate does not name %s", host);
		return -1;
	}
	return 0;
}

/*
 * fuzz_tsig_key - fuzz the rfc2136 provider's TSIG key file (a bare base64
 * secret or a BIND key statement), read by provider_new as roll does.
 * The first byte says which of tsig_name and tsig_algorithm the
 * configuration also gives; the rest is the file.
 *
 * Besides not crashing or leaking: the provider is made, or refused with
 * one line that names the provider.  No packet is sent.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "fuzz_tmp.h"
#include "provider/provider.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct provider_param pp[6];
	struct provider *p;
	struct err e;
	size_t n = 0;
	char path[4096];

	if (size < 1 || size > 8 * 1024)
		return 0;
	snprintf(path, sizeof(path), "%s", fuzz_tmp_write("tsig.key",
	    data + 1, size - 1));
	pp[n++] = (struct provider_param){ "zone", "example.org" };
	pp[n++] = (struct provider_param){ "server", "127.0.0.1" };
	pp[n++] = (struct provider_param){ "tsig_key_file", path };
	if (data[0] & 1)
		pp[n++] = (struct provider_param){ "tsig_name", "fuzz.key" };
	if (data[0] & 2)
		pp[n++] = (struct provider_param){ "tsig_algorithm",
		    data[0] & 4 ? "hmac-sha512" : "hmac-sha256" };
	err_clear(&e);
	p = provider_new("rfc2136", pp, n, &e);
	if (p == NULL && getenv("FUZZ_VERBOSE") != NULL)
		fprintf(stderr, "%s\n", e.msg);
	if (p == NULL && (strstr(e.msg, "rfc2136") == NULL ||
	    strchr(e.msg, '\n') != NULL))
		abort();
	provider_free(p);
	return 0;
}

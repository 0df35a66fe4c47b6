/*
 * fuzz_exec_output - fuzz what the exec provider makes of its command's
 * output (docs/provider-exec.md): the JSON on standard output and the exit
 * status, through provider_list or provider_add as roll calls them.  The
 * command is a small script that prints the input; the first byte picks
 * the exit status (0, 1 or 75) and the call.
 *
 * Slow (a process per input), but the real path.  Besides not crashing
 * or leaking: a call succeeds, or fails with a message of one line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"
#include "fuzz_tmp.h"
#include "provider/provider.h"
#include "tlsa/tlsa.h"

static char script[4096];

static void
fuzz_script(void)
{
	char text[8192];

	snprintf(text, sizeof(text), "#!/bin/sh\ncat >/dev/null\n"
	    "cat '%s/out'\nexit $(cat '%s/code')\n", fuzz_tmp_dir(),
	    fuzz_tmp_dir());
	snprintf(script, sizeof(script), "%s", fuzz_tmp_write("cmd", text,
	    strlen(text)));
	if (chmod(script, 0700) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const codes[] = { "0", "1", "75", "0" };
	struct provider_param pp[4];
	struct tlsa_rec **recs = NULL, *r;
	struct provider *p;
	struct err e;
	size_t n = 0;
	int rc;

	if (size < 1 || size > 64 * 1024)
		return 0;
	if (script[0] == '\0')
		fuzz_script();
	fuzz_tmp_write("out", data + 1, size - 1);
	fuzz_tmp_write("code", codes[data[0] & 3], strlen(codes[data[0] & 3]));
	pp[0] = (struct provider_param){ "zone", "example.org" };
	pp[1] = (struct provider_param){ "command", script };
	pp[2] = (struct provider_param){ "retries", "0" };
	pp[3] = (struct provider_param){ "timeout", "10" };
	err_clear(&e);
	if ((p = provider_new("exec", pp, 4, &e)) == NULL)
		abort();
	if (data[0] & 4) {
		rc = provider_list(p, "_25._tcp.mx.example.org.", &recs, &n, &e);
		provider_recs_free(recs, n);
	} else {
		if ((r = tlsa_rec_parse("3 1 1 0123456789abcdef0123456789abcdef"
		    "0123456789abcdef0123456789abcdef", &e)) == NULL)
			abort();
		rc = provider_add(p, "_25._tcp.mx.example.org.", 300, r, &e);
		tlsa_rec_free(r);
	}
	if (rc < 0 && getenv("FUZZ_VERBOSE") != NULL)
		fprintf(stderr, "%s\n", e.msg);
	if (rc < 0 && (e.msg[0] == '\0' ||
	    strchr(e.msg, '\n') != NULL))
		abort();
	provider_free(p);
	return 0;
}

/*
 * fuzz_certbot_renewal - fuzz the certbot renewal-file editor
 * (certbot_reuse_key: read RENEWAL_DIR/NAME.conf, set reuse_key = True
 * under [renewalparams], write it back atomically).
 *
 * Besides not crashing or leaking: a file is refused with one line naming
 * it, or afterwards holds "reuse_key = True", and a second edit leaves it
 * byte for byte as it is.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "fuzz_tmp.h"
#include "roll/certbot.h"
#include "util/fileio.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[4096], *one, *two;
	struct err e;

	if (size > 64 * 1024)
		return 0;
	snprintf(path, sizeof(path), "%s", fuzz_tmp_write("renewal/fuzz.conf",
	    data, size));
	err_clear(&e);
	if (certbot_reuse_key(fuzz_tmp_dir(), "fuzz", &e) < 0) {
		if (strstr(e.msg, path) == NULL || strchr(e.msg, '\n') != NULL)
			abort();
		return 0;
	}
	if ((one = fileio_read(path, FILEIO_DEFAULT_MAX, NULL, &e)) == NULL ||
	    strstr(one, "reuse_key = True\n") == NULL)
		abort();
	if (certbot_reuse_key(fuzz_tmp_dir(), "fuzz", &e) < 0 ||
	    (two = fileio_read(path, FILEIO_DEFAULT_MAX, NULL, &e)) == NULL ||
	    strcmp(one, two) != 0)
		abort();
	free(one);
	free(two);
	return 0;
}

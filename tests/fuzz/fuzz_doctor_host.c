/*
 * fuzz_doctor_host - fuzz doctor's readers of a mail host's files: main.cf
 * (the parser used without postconf), /etc/crontab, a systemd timer and
 * its service, and a certbot renewal file (certbot's lineages), read from
 * a --root tree as "daneops doctor --root" does, through host_new and
 * schedules_check.
 *
 * The input is up to five parts separated by lines "%%": main.cf, crontab,
 * fuzz.timer, fuzz.service, renewal/fuzz.conf.  An empty first part means
 * no main.cf (no Postfix).  Besides not crashing or leaking: host_new
 * succeeds whenever main.cf is readable.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "doctor/findings.h"
#include "doctor/host.h"
#include "doctor/schedules.h"
#include "fuzz.h"
#include "fuzz_tmp.h"

static const char *const fuzz_files[] = {
	"root/etc/postfix/main.cf",
	"root/etc/crontab",
	"root/etc/systemd/system/fuzz.timer",
	"root/etc/systemd/system/fuzz.service",
	"root/etc/letsencrypt/renewal/fuzz.conf",
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size, *sep;
	char root[4096];
	struct findings *f;
	struct host *h;
	struct err e;
	size_t i, len;

	if (size > 64 * 1024)
		return 0;
	snprintf(root, sizeof(root), "%s/root", fuzz_tmp_dir());
	fuzz_tmp_write("root/etc/systemd/system/timers.target.wants/fuzz.timer",
	    "", 0);
	fuzz_tmp_write("root/run/systemd/system/.keep", "", 0);
	for (i = 0; i < sizeof(fuzz_files) / sizeof(fuzz_files[0]); i++) {
		sep = p < end ? memmem(p, (size_t)(end - p), "\n%%\n", 4) : NULL;
		len = sep != NULL ? (size_t)(sep - p) : (size_t)(end - p);
		if (i == 0 && len == 0) {
			char path[4096];

			snprintf(path, sizeof(path), "%s/%s", fuzz_tmp_dir(),
			    fuzz_files[0]);
			unlink(path);
		} else
			fuzz_tmp_write(fuzz_files[i], p, len);
		p = sep != NULL ? sep + 4 : end;
	}
	err_clear(&e);
	if ((h = host_new(root, "/nonexistent/postconf", &e)) == NULL)
		abort();
	(void)host_is_local_domain(h, "example.org");
	f = findings_new();
	schedules_check(h, f);
	findings_free(f);
	host_free(h);
	return 0;
}

/*
 * fuzz_tmp - a private directory for fuzz targets whose parser reads a
 * file by name (roll's state file, certbot's renewal file, a TSIG key, a
 * doctor root): made once per process, removed at exit.
 */
#ifndef DANEOPS_FUZZ_TMP_H
#define DANEOPS_FUZZ_TMP_H

#include <stddef.h>

/* The directory (mode 0700), made on first use; aborts when it cannot. */
const char *fuzz_tmp_dir(void);

/* Write data to DIR/name (directories on the way made), mode 0600;
 * returns the full path (static buffer, valid until the next call). */
const char *fuzz_tmp_write(const char *name, const void *data, size_t len);

#endif

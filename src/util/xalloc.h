/*
 * xalloc - allocation that succeeds or does not return.
 *
 * As Postfix's mymalloc: running out of memory in a command-line tool is not
 * a condition any caller can handle better than by stopping, so these print
 * one line and abort.  Everything else reports errors through struct err.
 * Memory from these functions is released with free().
 */
#ifndef DANEOPS_XALLOC_H
#define DANEOPS_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *ptr, size_t size);
void *xreallocarray(void *ptr, size_t nmemb, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
void *xmemdup(const void *p, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif

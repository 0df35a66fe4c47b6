/*
 * mime_report - releasing a struct mime_report (mime.h).  Apart from
 * mime.c, which is in the daneops-mime plugin, because daneops frees what
 * the plugin returns: both use the same malloc.
 */
#include "report/mime.h"

#include <stdlib.h>
#include <string.h>

void
mime_report_clear(struct mime_report *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->nparts; i++)
		free(r->part[i].json);
	free(r->subject);
	free(r->from);
	free(r->message_id);
	memset(r, 0, sizeof(*r));
}

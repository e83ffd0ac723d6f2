/*
 * fds_expect.c - judging the fds left open at exit (see fds_expect.h).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fds_expect.h"

static bool is_pipe(const struct hx_open_fd *o)
{
	return strcmp(o->kind, "pipe") == 0 || strcmp(o->kind, "fifo") == 0;
}

/* "the write end of pipe:[1234]", "the FIFO /box/f (read)", "the file /box/log" */
static void describe(FILE *f, const struct hx_open_fd *o)
{
	const char *obj = o->object && *o->object ? o->object : "?";

	if (strcmp(o->kind, "pipe") == 0 && strcmp(o->access, "read") == 0)
		fprintf(f, "the read end of %s", obj);
	else if (strcmp(o->kind, "pipe") == 0 && strcmp(o->access, "write") == 0)
		fprintf(f, "the write end of %s", obj);
	else if (strcmp(o->kind, "fifo") == 0)
		fprintf(f, "the FIFO %s (%s)", obj, o->access);
	else if (strcmp(o->kind, "shm") == 0)
		fprintf(f, "the shared memory object %s", obj);
	else if (strcmp(o->kind, "mq") == 0)
		fprintf(f, "the message queue %s", obj);
	else
		fprintf(f, "the %s %s", o->kind, obj);
}

bool fds_check(const struct fds_expect *e, const struct hx_result *res, char **msg)
{
	char *buf = NULL;
	size_t len = 0, bad = 0;
	FILE *f;

	*msg = NULL;
	if (!e->open_none && !e->pipes_none)
		return true;
	f = open_memstream(&buf, &len);
	for (size_t i = 0; i < res->nfds_at_exit; i++) {
		const struct hx_exit_fds *p = &res->fds_at_exit[i];

		for (size_t j = 0; j < p->nfds; j++) {
			const struct hx_open_fd *o = &p->fds[j];

			if (o->fd <= 2 || (!e->open_none && !is_pipe(o)))
				continue;
			if (++bad > FDS_MSG_MAX || !f)
				continue;
			fprintf(f, "%spid %d still had ", bad > 1 ? "; " : "", p->pid);
			describe(f, o);
			fprintf(f, " open (fd %d) when it exited", o->fd);
		}
	}
	if (f && bad > FDS_MSG_MAX)
		fprintf(f, "; and %zu more", bad - FDS_MSG_MAX);
	if (f && bad)
		fprintf(f, " (close what a process does not use, in every process, before it exits)");
	if (f)
		fclose(f);
	if (!bad) {
		free(buf);
		return true;
	}
	*msg = f ? buf : NULL;
	return false;
}

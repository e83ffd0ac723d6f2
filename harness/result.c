/*
 * result.c - names, defaults and the lifecycle of configurations and
 * results.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

const char *hx_version(void)
{
#ifdef IPCGRADE_VERSION
	return IPCGRADE_VERSION;
#else
	return "0";
#endif
}

const char *hx_verdict_name(enum hx_verdict v)
{
	switch (v) {
	case HX_VERDICT_OK: return "ok";
	case HX_VERDICT_RUNTIME_ERROR: return "runtime_error";
	case HX_VERDICT_TIMEOUT: return "timeout";
	case HX_VERDICT_DEADLOCK: return "deadlock";
	case HX_VERDICT_MEMORY_LIMIT: return "memory_limit";
	case HX_VERDICT_OUTPUT_LIMIT: return "output_limit";
	case HX_VERDICT_FORBIDDEN_SYSCALL: return "forbidden_syscall";
	case HX_VERDICT_INTERNAL_ERROR: return "internal_error";
	}
	return "internal_error";
}

const char *hx_isolation_name(enum hx_isolation i)
{
	switch (i) {
	case HX_ISOLATION_FULL: return "full";
	case HX_ISOLATION_REDUCED: return "reduced";
	case HX_ISOLATION_AUTO: break;
	}
	return "auto";
}

static const char *const group_names[HX_GROUP_COUNT] = {
	[HX_GROUP_FORK] = "fork", [HX_GROUP_THREAD] = "thread", [HX_GROUP_EXEC] = "exec",
	[HX_GROUP_WAIT] = "wait", [HX_GROUP_KILL] = "kill", [HX_GROUP_PIPE] = "pipe",
	[HX_GROUP_SHM] = "shm", [HX_GROUP_SEM] = "sem", [HX_GROUP_MQ] = "mq",
	[HX_GROUP_SOCKET] = "socket", [HX_GROUP_FUTEX] = "futex", [HX_GROUP_IO] = "io",
	[HX_GROUP_SLEEP] = "sleep", [HX_GROUP_HOT] = "hot",
};

const char *hx_group_name(enum hx_group g)
{
	if (g == HX_GROUP_FD)
		return "fd";
	return (unsigned)g < HX_GROUP_COUNT ? group_names[g] : NULL;
}

int hx_group_from_name(const char *name)
{
	for (int g = 0; g < HX_GROUP_COUNT; g++)
		if (strcmp(group_names[g], name) == 0)
			return g;
	return -1;
}

void hx_limits_fill_defaults(struct hx_limits *l)
{
	if (!l->wall_ms)
		l->wall_ms = 5000;
	if (!l->cpu_ms)
		l->cpu_ms = 5000;
	if (!l->memory_mb)
		l->memory_mb = 256;
	if (!l->processes)
		l->processes = 64;
	if (!l->output_kb)
		l->output_kb = 1024;
	if (!l->open_files)
		l->open_files = 256;
	if (!l->file_size_kb)
		l->file_size_kb = 16384;
	if (!l->tmpfs_mb)
		l->tmpfs_mb = 64;
	if (!l->deadlock_after_ms)
		l->deadlock_after_ms = 500;
}

void hx_config_init(struct hx_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
}

/* The deadlock report of a result (deadlock.c makes it). */
void hx_deadlock_free(struct hx_deadlock *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->nprocs; i++) {
		free(d->procs[i].blocked_in);
		free(d->procs[i].object);
		free(d->procs[i].detail);
		free(d->procs[i].waits_for);
	}
	free(d->procs);
	free(d->cycle);
	free(d->explanation);
	free(d);
}

void hx_result_release(struct hx_result *res)
{
	if (!res)
		return;
	free(res->out.data);
	free(res->err.data);
	for (size_t i = 0; i < res->nleftovers; i++)
		free(res->leftovers[i].comm);
	free(res->leftovers);
	for (size_t i = 0; i < res->nipc_left; i++) {
		free(res->ipc_left[i].kind);
		free(res->ipc_left[i].name);
	}
	free(res->ipc_left);
	for (size_t i = 0; i < res->nnotes; i++)
		free(res->notes[i]);
	free(res->notes);
	for (size_t i = 0; i < res->ndenied; i++)
		free(res->denied[i].call);
	free(res->denied);
	for (size_t i = 0; i < res->nevents; i++)
		free(res->events[i].detail);
	free(res->events);
	for (size_t i = 0; i < res->nprocess_list; i++)
		free(res->process_list[i].exec);
	free(res->process_list);
	free(res->calls);
	for (size_t i = 0; i < res->nfds_at_exit; i++) {
		for (size_t j = 0; j < res->fds_at_exit[i].nfds; j++)
			free(res->fds_at_exit[i].fds[j].object);
		free(res->fds_at_exit[i].fds);
	}
	free(res->fds_at_exit);
	hx_deadlock_free(res->deadlock);
	memset(res, 0, sizeof(*res));
}

void hx_result_add_leftover(struct hx_result *res, int box_pid, const char *comm)
{
	struct hx_leftover *arr = realloc(res->leftovers, (res->nleftovers + 1) * sizeof(*arr));

	if (!arr)
		return;
	res->leftovers = arr;
	arr[res->nleftovers].pid = box_pid;
	arr[res->nleftovers].comm = hx_strdup(comm);
	res->nleftovers++;
	res->leftover_processes++;
}

void hx_result_add_ipc_left(struct hx_result *res, const char *kind, const char *name)
{
	struct hx_ipc_object *arr = realloc(res->ipc_left, (res->nipc_left + 1) * sizeof(*arr));

	if (!arr)
		return;
	res->ipc_left = arr;
	arr[res->nipc_left].kind = hx_strdup(kind);
	arr[res->nipc_left].name = hx_strdup(name);
	res->nipc_left++;
}

bool hx_result_has_ipc_left(const struct hx_result *res, const char *kind, const char *name)
{
	for (size_t i = 0; i < res->nipc_left; i++)
		if (strcmp(res->ipc_left[i].kind, kind) == 0 && strcmp(res->ipc_left[i].name, name) == 0)
			return true;
	return false;
}

void hx_result_add_note(struct hx_result *res, const char *fmt, ...)
{
	char **arr = realloc(res->notes, (res->nnotes + 1) * sizeof(*arr));
	va_list ap;
	char *note = NULL;

	if (!arr)
		return;
	res->notes = arr;
	va_start(ap, fmt);
	if (vasprintf(&note, fmt, ap) < 0)
		note = NULL;
	va_end(ap);
	if (note)
		res->notes[res->nnotes++] = note;
}

/*
 * trace_export.c - the tracer's record made into the result, once the
 * box is gone: box pids given in creation order, events with them,
 * each process's life (`process_list`), leftovers by their true box
 * pids, the counts per group and per call, the denials.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "trace.h"

static uint64_t since_start(const struct hx_tracer *t, uint64_t us)
{
	return us > t->start_us ? us - t->start_us : 0;
}

static int parent_box_pid(const struct hx_tracer *t, const struct hx_tracee *p)
{
	return p->parent ? t->pm.procs[p->parent - 1].box_pid : 0;
}

/* The detail with its HX_REF replaced by the box pid of the pid the
 * tracee named (or that number itself, when no process of the run had
 * it), steals e->detail. */
static char *final_detail(struct hx_tracer *t, struct hx_trace_event *e)
{
	char *mark = e->detail ? strstr(e->detail, HX_REF) : NULL;

	if (!mark)
		return e->detail;
	struct hx_tracee *p = hx_pidmap_find_ns(t, e->ref);
	char *out = hx_strdup_printf("%.*s%d%s", (int)(mark - e->detail), e->detail,
				     p && p->box_pid ? p->box_pid : (int)e->ref, mark + 1);

	if (!out)
		return e->detail;
	free(e->detail);
	return out;
}

/*
 * The child each fork event made: a parent's fork events in order, its
 * children in creation order, paired one to one (a fork that failed
 * makes the rest of that parent's pairs one off; they are rare, at the
 * processes limit).
 */
static void pair_forks(struct hx_tracer *t, struct hx_event *ev, size_t n)
{
	const struct hx_pidmap *pm = &t->pm;
	size_t np = pm->n;
	/* The children of record i, in box pid order: kids[first[i] ..
	 * first[i + 1]); used[i] of them are paired. */
	size_t *first = calloc(np + 1, sizeof(*first)), *used = calloc(np ? np : 1, sizeof(*used));
	int *kids = malloc((pm->nnumbered ? pm->nnumbered : 1) * sizeof(*kids));

	if (!first || !used || !kids)
		goto out;
	for (size_t b = 0; b < pm->nnumbered; b++) {
		size_t parent = pm->procs[pm->by_box[b]].parent;

		if (parent)
			first[parent]++;
	}
	for (size_t i = 0; i < np; i++)
		first[i + 1] += first[i];
	for (size_t b = 0; b < pm->nnumbered; b++) {
		const struct hx_tracee *c = &pm->procs[pm->by_box[b]];

		if (c->parent)
			kids[first[c->parent - 1] + used[c->parent - 1]++] = c->box_pid;
	}
	memset(used, 0, np * sizeof(*used));
	for (size_t i = 0; i < n; i++) {
		if (ev[i].group != HX_GROUP_FORK || ev[i].pid <= 0 || (size_t)ev[i].pid > pm->nnumbered)
			continue;
		size_t parent = pm->by_box[ev[i].pid - 1];

		if (first[parent] + used[parent] < first[parent + 1])
			ev[i].child = kids[first[parent] + used[parent]++];
	}
out:
	free(first);
	free(used);
	free(kids);
}

static void export_events(struct hx_tracer *t, struct hx_result *res)
{
	res->events = calloc(t->nevents ? t->nevents : 1, sizeof(*res->events));
	if (!res->events)
		return;
	for (size_t i = 0; i < t->nevents; i++) {
		struct hx_trace_event *e = &t->events[i];
		struct hx_event *o = &res->events[i];
		const struct hx_tracee *p = &t->pm.procs[e->proc];

		o->t_us = since_start(t, e->t_us);
		o->pid = p->box_pid;
		o->ppid = parent_box_pid(t, p);
		o->call = e->call;
		o->group = e->group;
		o->detail = final_detail(t, e);
		e->detail = NULL;
	}
	res->nevents = t->nevents;
	pair_forks(t, res->events, res->nevents);
	free(t->events);
	t->events = NULL;
	t->nevents = t->cevents = 0;
}

/* Its name: a process that executed a program and was not seen since
 * has the kernel's name for it, the program's base name. */
static void comm_of(const struct hx_tracee *p, char *out, size_t size)
{
	if (p->comm_stale && p->exec) {
		const char *base = strrchr(p->exec, '/');

		snprintf(out, size < 16 ? size : 16, "%s", base ? base + 1 : p->exec);
		return;
	}
	snprintf(out, size, "%s", p->comm);
}

static void export_processes(struct hx_tracer *t, struct hx_result *res)
{
	size_t n = t->pm.nnumbered;

	res->process_list = calloc(n ? n : 1, sizeof(*res->process_list));
	if (!res->process_list)
		return;
	for (size_t b = 0; b < n; b++) {
		const struct hx_tracee *p = &t->pm.procs[t->pm.by_box[b]];
		struct hx_process *o = &res->process_list[b];

		o->pid = p->box_pid;
		o->ppid = parent_box_pid(t, p);
		comm_of(p, o->comm, sizeof(o->comm));
		o->exec = p->exec ? hx_strdup(p->exec) : NULL;
		o->exit_code = -1;
		if (p->status_known) {
			o->ended = true;
			if (WIFEXITED(p->status)) {
				o->exit_code = WEXITSTATUS(p->status);
			} else if (WIFSIGNALED(p->status)) {
				o->signal = WTERMSIG(p->status);
				o->core_dumped = WCOREDUMP(p->status);
			}
		}
		o->leftover = p->leftover;
		/* The harness's own SIGKILL: of what it left running, or of
		 * everything once a limit or a deadlock ended the run. */
		o->killed_by_grader = o->signal == SIGKILL &&
				      (p->leftover || (t->teardown_us && p->end_us >= t->teardown_us));
		o->start_us = since_start(t, p->start_us);
		o->end_us = p->end_us ? since_start(t, p->end_us) : 0;
		if (o->signal && !o->killed_by_grader)
			res->crashed_processes++;
		if (p->leftover)
			hx_result_add_leftover(res, p->box_pid, o->comm);
	}
	res->nprocess_list = n;
	res->processes = (unsigned)n;
}

void hx_tracer_export(struct hx_tracer *t, struct hx_result *res)
{
	hx_tracer_discover(t);
	hx_ebpf_learn(t);
	hx_ebpf_run_end(t);
	hx_exits_finish(t);
	hx_pidmap_number(t);
	res->traced = (t->trace & HX_TRACE_EVENTS) != 0;
	res->traced_hot = (t->trace & HX_TRACE_HOT) != 0;
	res->seed = t->jit.seed;
	res->jitter_max_us = t->jit.max_us;
	memcpy(res->ipc, t->counts, sizeof(res->ipc));
	/* The hot group counts every hot call; futex and io are parts of it. */
	res->ipc[HX_GROUP_HOT] += t->counts[HX_GROUP_FUTEX] + t->counts[HX_GROUP_IO];
	res->threads = t->counts[HX_GROUP_THREAD];
	res->sleep_requested_us = t->sleep_us;
	res->events_truncated = t->events_truncated;
	res->time_scale = t->ts;
	res->time_scale.factor = t->time_scale;
	hx_exitfds_export(t, res);
	if (res->traced) {
		res->tracer_by = (t->policy & HX_POLICY_EBPF) ? "ebpf" : "seccomp-notify";
		res->exits_by = t->exits.exact ? "pidfd" : "proc";
		export_events(t, res);
		export_processes(t, res);
		if (t->ncalls) {
			res->calls = malloc(t->ncalls * sizeof(*res->calls));
			if (res->calls) {
				memcpy(res->calls, t->calls, t->ncalls * sizeof(*res->calls));
				res->ncalls = t->ncalls;
			}
		}
	} else {
		/* Untraced: leftovers only (the init named them). */
		for (size_t b = 0; b < t->pm.nnumbered; b++) {
			const struct hx_tracee *p = &t->pm.procs[t->pm.by_box[b]];

			if (p->leftover)
				hx_result_add_leftover(res, p->box_pid, p->comm);
		}
		res->processes = 1 + t->counts[HX_GROUP_FORK];
	}
	if (t->ndenied) {
		res->denied = calloc(t->ndenied, sizeof(*res->denied));
		if (res->denied) {
			for (size_t i = 0; i < t->ndenied; i++) {
				res->denied[i].call = hx_strdup(t->denied[i].name);
				res->denied[i].count = t->denied[i].count;
			}
			res->ndenied = t->ndenied;
		}
	}
}

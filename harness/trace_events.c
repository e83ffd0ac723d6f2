/*
 * trace_events.c - the tracer's record of events: adding one, dropping
 * the last.
 *
 * An event is one call of the C library as the student wrote it (calls.c
 * decides which calls make events, and their words). Adding one counts
 * it in its group and under its call's name whether or not the record
 * has room (the counts are exact past HX_MAX_EVENTS; the record is then
 * marked truncated), and ends the process's multi-step sequences (a
 * sem_open, an execvp's attempts) unless it belongs to them. Dropping
 * the last event takes back its counts (its group, its call, a fork, a
 * sleep's time): the tracer drops an event whose task went away while it
 * was being read. The fd table's events (HX_GROUP_FD: a close, a dup2)
 * are for the timeline only: they count nowhere and end no sequence (a
 * glibc sem_open or mq_close closes fds of its own).
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace.h"

static void count_call(struct hx_tracer *t, const char *call, int delta)
{
	size_t i;

	for (i = 0; i < t->ncalls; i++)
		if (t->calls[i].call == call || strcmp(t->calls[i].call, call) == 0)
			break;
	if (i == t->ncalls) {
		struct hx_call_count *arr = hx_grow(t->calls, &t->ccalls, t->ncalls + 1, sizeof(*arr));

		if (!arr)
			return;
		t->calls = arr;
		arr[i].call = call;
		arr[i].count = 0;
		t->ncalls++;
	}
	t->calls[i].count += (unsigned)delta;
}

void hx_trace_event_add(struct hx_tracer *t, struct hx_tracee *p, const char *call,
			enum hx_group g, pid_t ref, const char *fmt, ...)
{
	va_list ap;
	char *detail = NULL;

	if (g != HX_GROUP_FD) {
		t->counts[g]++;
		count_call(t, call, 1);
		/* Anything else this process does ends a sem_open sequence,
		 * and an execvp's run of attempts; an event of the eBPF
		 * backend comes later than it happened, and ends nothing. */
		if (g != HX_GROUP_SEM && !t->bpf_t_us)
			p->calls.sem_probe[0] = '\0';
		if (!t->bpf_t_us)
			p->calls.exec_open = false;
	}
	if (g == HX_GROUP_FORK)
		p->forks++;
	if (t->nevents >= HX_MAX_EVENTS) {
		t->events_truncated = true;
		return;
	}
	struct hx_trace_event *arr = hx_grow(t->events, &t->cevents, t->nevents + 1, sizeof(*arr));

	if (!arr)
		return;
	t->events = arr;
	va_start(ap, fmt);
	if (vasprintf(&detail, fmt, ap) < 0)
		detail = NULL;
	va_end(ap);
	uint64_t now = t->bpf_t_us ? t->bpf_t_us : hx_now_us();
	size_t at = t->nevents++;

	/* An event of the eBPF backend goes in its place in time, among the
	 * notified ones received since it happened. */
	while (t->bpf_t_us && at > 0 && t->events[at - 1].t_us > now)
		at--;
	if (at + 1 < t->nevents) {
		memmove(&t->events[at + 1], &t->events[at], (t->nevents - 1 - at) * sizeof(*t->events));
		/* The events calls.c will complete moved up one. */
		for (size_t i = 0; i < t->pm.n; i++) {
			struct hx_call_state *c = &t->pm.procs[i].calls;

			c->pipe_event += c->pipe_event >= at;
			c->exec_event += c->exec_event >= at;
		}
	}
	struct hx_trace_event *e = &t->events[at];

	memset(e, 0, sizeof(*e));
	e->t_us = now;
	e->proc = hx_pidmap_index(t, p);
	e->call = call;
	e->group = g;
	e->detail = detail;
	e->ref = ref;
}

void hx_trace_count_add(struct hx_tracer *t, const char *call, enum hx_group g, unsigned n)
{
	t->counts[g] += n;
	count_call(t, call, (int)n);
}

void hx_trace_event_drop_last(struct hx_tracer *t)
{
	struct hx_trace_event *e = &t->events[--t->nevents];

	if (e->group != HX_GROUP_FD) {
		t->counts[e->group]--;
		count_call(t, e->call, -1);
	}
	if (e->group == HX_GROUP_FORK && t->pm.procs[e->proc].forks)
		t->pm.procs[e->proc].forks--;
	t->sleep_us -= e->sleep_us;
	free(e->detail);
}

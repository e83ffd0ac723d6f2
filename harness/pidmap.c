/*
 * pidmap.c - the tracer's table of the box's processes and threads.
 *
 * The kernel names a notifying task by its host thread id; the box's
 * processes name each other by the pids of their own namespace; reports
 * use box pids, numbered in creation order with the first process as 1.
 * The table holds one record per process, at index box_pid - 1, and
 * three hash indexes (host pid, namespace pid, thread id), so every
 * lookup costs O(1) however many processes a run makes. Records are
 * never removed: a run's box pids stay unique.
 *
 * New processes are discovered from /proc: the children of a process
 * that has forked, or the whole tree from the init when an unknown pid
 * shows up or the watchdog ticks. A fork's child answers its parent's
 * oldest fork event still waiting for one.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "trace.h"

/* ---- the hash indexes ----------------------------------------------------- */

static size_t slot_of(const struct hx_pid_index *ix, pid_t key)
{
	/* A bit mixer: pids come in runs, which it spreads. */
	uint32_t x = (uint32_t)key;

	x ^= x >> 16;
	x *= 0x45d9f3bu;
	x ^= x >> 16;
	return (size_t)x & (ix->cap - 1);
}

static bool index_get(const struct hx_pid_index *ix, pid_t key, size_t *val)
{
	if (key <= 0 || ix->cap == 0)
		return false;
	for (size_t i = slot_of(ix, key);; i = (i + 1) & (ix->cap - 1)) {
		if (ix->keys[i] == 0)
			return false;
		if (ix->keys[i] == key) {
			*val = ix->vals[i];
			return true;
		}
	}
}

static int index_resize(struct hx_pid_index *ix, size_t cap)
{
	struct hx_pid_index bigger = { .cap = cap };

	bigger.keys = calloc(cap, sizeof(*bigger.keys));
	bigger.vals = calloc(cap, sizeof(*bigger.vals));
	if (!bigger.keys || !bigger.vals) {
		free(bigger.keys);
		free(bigger.vals);
		return -ENOMEM;
	}
	for (size_t i = 0; i < ix->cap; i++) {
		if (ix->keys[i] == 0)
			continue;
		size_t j = slot_of(&bigger, ix->keys[i]);

		while (bigger.keys[j])
			j = (j + 1) & (cap - 1);
		bigger.keys[j] = ix->keys[i];
		bigger.vals[j] = ix->vals[i];
	}
	bigger.n = ix->n;
	free(ix->keys);
	free(ix->vals);
	*ix = bigger;
	return 0;
}

/* The first entry of a key stays: a later one with the same key (a
 * reused pid) does not replace it, as the linear scans this replaced
 * found the first. */
static void index_put(struct hx_pid_index *ix, pid_t key, size_t val)
{
	size_t old;

	if (key <= 0 || index_get(ix, key, &old))
		return;
	if ((ix->n + 1) * 2 > ix->cap && index_resize(ix, ix->cap ? ix->cap * 2 : 64) < 0)
		return;
	size_t i = slot_of(ix, key);

	while (ix->keys[i])
		i = (i + 1) & (ix->cap - 1);
	ix->keys[i] = key;
	ix->vals[i] = val;
	ix->n++;
}

static void index_release(struct hx_pid_index *ix)
{
	free(ix->keys);
	free(ix->vals);
	memset(ix, 0, sizeof(*ix));
}

/* ---- the table ------------------------------------------------------------ */

struct hx_tracee *hx_pidmap_find(struct hx_tracer *t, pid_t host_pid)
{
	size_t i;

	return index_get(&t->pm.by_host, host_pid, &i) ? &t->pm.procs[i] : NULL;
}

struct hx_tracee *hx_pidmap_of_box(const struct hx_tracer *t, int box_pid)
{
	return box_pid > 0 && (size_t)box_pid <= t->pm.n ? &t->pm.procs[box_pid - 1] : NULL;
}

int hx_pidmap_box_pid_of_ns(struct hx_tracer *t, pid_t ns_pid)
{
	size_t i;

	return index_get(&t->pm.by_ns, ns_pid, &i) ? t->pm.procs[i].box_pid : 0;
}

struct hx_tracee *hx_pidmap_add(struct hx_tracer *t, pid_t host_pid, pid_t ppid_host)
{
	struct hx_pidmap *pm = &t->pm;
	struct hx_tracee *arr = hx_grow(pm->procs, &pm->cap, pm->n + 1, sizeof(*arr));

	if (!arr)
		return NULL;
	pm->procs = arr;
	struct hx_tracee *p = &pm->procs[pm->n];

	memset(p, 0, sizeof(*p));
	hx_fdcache_init(&p->fds);
	p->host_pid = host_pid;
	p->ns_pid = t->full ? hx_proc_nspid(host_pid) : host_pid;
	p->box_pid = (int)pm->n + 1;
	index_put(&pm->by_host, p->host_pid, pm->n);
	index_put(&pm->by_ns, p->ns_pid, pm->n);
	pm->n++;

	struct hx_tracee *parent = ppid_host > 0 ? hx_pidmap_find(t, ppid_host) : NULL;

	if (parent) {
		p->parent_box = parent->box_pid;
		/* This child answers its parent's oldest unanswered fork. */
		if (parent->nforks > 0) {
			size_t ev = parent->fork_events[0];

			if (ev < t->nevents)
				t->events[ev].child = p->box_pid;
			memmove(parent->fork_events, parent->fork_events + 1,
				(parent->nforks - 1) * sizeof(size_t));
			memmove(parent->fork_tids, parent->fork_tids + 1,
				(parent->nforks - 1) * sizeof(pid_t));
			parent->nforks--;
		}
	}
	return p;
}

/*
 * A task's fork has returned by the time it makes its next call, so
 * discovery has seen the child if there was one. A fork that failed
 * (EAGAIN at the pids limit) would otherwise stay pending, and every
 * later call of the process would walk /proc again.
 */
void hx_pidmap_forget_failed_forks(struct hx_tracee *p, pid_t tid)
{
	unsigned j = 0;

	for (unsigned i = 0; i < p->nforks; i++) {
		if (p->fork_tids[i] == tid)
			continue;
		p->fork_events[j] = p->fork_events[i];
		p->fork_tids[j++] = p->fork_tids[i];
	}
	p->nforks = j;
}

/* ---- discovery ------------------------------------------------------------ */

struct hx_discovered {
	pid_t host;
	pid_t key;
	pid_t ppid;
};

static int by_key(const void *a, const void *b)
{
	const struct hx_discovered *x = a, *y = b;

	return (x->key > y->key) - (x->key < y->key);
}

/* Adds the processes of pm->scratch not known yet, in the order they
 * were created. */
static void adopt(struct hx_tracer *t)
{
	struct hx_pidmap *pm = &t->pm;
	size_t nc = 0;

	for (size_t i = 0; i < pm->scratch.n; i++) {
		pid_t pid = pm->scratch.v[i];
		struct hx_proc_stat st;

		if (hx_pidmap_find(t, pid) || hx_proc_stat(pid, 0, &st) < 0)
			continue;
		struct hx_discovered *arr = hx_grow(pm->found, &pm->cfound, nc + 1, sizeof(*arr));

		if (!arr)
			break;
		pm->found = arr;
		pm->found[nc].host = pid;
		pm->found[nc].ppid = st.ppid;
		/* Pids of a fresh pid namespace are handed out in order; host
		 * pids almost always are. */
		pm->found[nc].key = t->full ? hx_proc_nspid(pid) : pid;
		nc++;
	}
	if (nc)
		qsort(pm->found, nc, sizeof(pm->found[0]), by_key);
	for (size_t i = 0; i < nc; i++)
		hx_pidmap_add(t, pm->found[i].host, pm->found[i].ppid);
}

void hx_pidmap_discover(struct hx_tracer *t)
{
	if (hx_proc_descendants(t->init_pid, &t->pm.scratch) > 0)
		adopt(t);
}

/*
 * After a fork: the new process is a child of the one that forked. Looking
 * there only keeps a fork's cost constant; walking the whole box made a
 * program that forks N children cost O(N^2) reads of /proc.
 */
void hx_pidmap_discover_children(struct hx_tracer *t, pid_t host_pid)
{
	if (hx_proc_children(host_pid, &t->pm.scratch) > 0)
		adopt(t);
}

struct hx_tracee *hx_pidmap_of_tid(struct hx_tracer *t, pid_t tid)
{
	size_t i;

	if (index_get(&t->pm.by_tid, tid, &i))
		return &t->pm.procs[i];

	pid_t tgid = hx_proc_tgid(tid);

	if (tgid <= 0)
		return NULL;
	struct hx_tracee *p = hx_pidmap_find(t, tgid);

	if (!p) {
		hx_pidmap_discover(t);
		p = hx_pidmap_find(t, tgid);
	}
	if (p)
		index_put(&t->pm.by_tid, tid, (size_t)(p - t->pm.procs));
	return p;
}

void hx_pidmap_release(struct hx_pidmap *pm)
{
	free(pm->procs);
	free(pm->found);
	hx_pids_release(&pm->scratch);
	index_release(&pm->by_host);
	index_release(&pm->by_ns);
	index_release(&pm->by_tid);
	memset(pm, 0, sizeof(*pm));
}

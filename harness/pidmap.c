/*
 * pidmap.c - the tracer's table of the box's processes and threads.
 *
 * The kernel names a notifying task by its host thread id; the box's
 * processes name each other by the pids of their own namespace; reports
 * use box pids, numbered in creation order with the first process as 1.
 * The table holds one record per process and one per thread, in the
 * order the tracer learned them, with three hash indexes (host pid,
 * namespace pid, thread id): every lookup costs O(1) however many
 * processes a run makes. Records are never removed.
 *
 * A process is learned at its first notified call: glibc's fork child
 * makes one at once (set_robust_list, which traced runs notify); one that
 * never makes one is learned from its parent's children list when the
 * parent waits or signals (calls.c). Learning a thread costs one read of
 * /proc/TID/status (Tgid, PPid, NStgid, Name). Learning order is
 * not quite creation order (a child may be scheduled after a younger
 * sibling), so box pids are given later (hx_pidmap_number), sorted by
 * the pid the box's own namespace gave each process, which a fresh pid
 * namespace hands out in order (in reduced isolation the host's pids,
 * which almost always are). Runs whose calls are not traced learn their
 * processes by walking /proc from the init instead (hx_pidmap_discover).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

struct hx_tracee *hx_pidmap_find_ns(struct hx_tracer *t, pid_t ns_pid)
{
	size_t i;

	return index_get(&t->pm.by_ns, ns_pid, &i) ? &t->pm.procs[i] : NULL;
}

size_t hx_pidmap_index(const struct hx_tracer *t, const struct hx_tracee *p)
{
	return (size_t)(p - t->pm.procs);
}

struct hx_tracee *hx_pidmap_of_box(const struct hx_tracer *t, int box_pid)
{
	const struct hx_pidmap *pm = &t->pm;

	return box_pid > 0 && (size_t)box_pid <= pm->nnumbered ? &pm->procs[pm->by_box[box_pid - 1]] : NULL;
}

struct hx_tracee *hx_pidmap_add(struct hx_tracer *t, pid_t host_pid, pid_t ns_pid, pid_t ppid_host,
				const char *comm)
{
	struct hx_pidmap *pm = &t->pm;
	struct hx_tracee *parent = ppid_host > 0 ? hx_pidmap_find(t, ppid_host) : NULL;
	size_t parent_index = parent ? hx_pidmap_index(t, parent) + 1 : 0;
	struct hx_tracee *arr = hx_grow(pm->procs, &pm->cap, pm->n + 1, sizeof(*arr));

	if (!arr)
		return NULL;
	pm->procs = arr;
	struct hx_tracee *p = &pm->procs[pm->n];

	memset(p, 0, sizeof(*p));
	hx_fdcache_init(&p->fds);
	p->pidfd = -1;
	p->host_pid = host_pid;
	p->ns_pid = ns_pid;
	/* Pids wrap at pid_max: a key far below the largest one of the
	 * current round came after a wrap; one far above it (learned late)
	 * still belongs to the round before. */
	pid_t half = (pid_t)(hx_proc_pid_max() / 2);
	unsigned round = pm->epoch;

	if (pm->n && ns_pid < pm->max_key - half) {
		round = ++pm->epoch;
		pm->max_key = ns_pid;
	} else if (pm->epoch && ns_pid > pm->max_key + half) {
		round--;
	} else if (ns_pid > pm->max_key) {
		pm->max_key = ns_pid;
	}
	p->order = (long long)round * HX_PID_MAX + ns_pid;
	p->parent = parent_index;
	snprintf(p->comm, sizeof(p->comm), "%s", comm ? comm : "");
	if (parent_index)
		pm->procs[parent_index - 1].children++;
	index_put(&pm->by_host, host_pid, pm->n);
	index_put(&pm->by_ns, ns_pid, pm->n);
	pm->n++;
	hx_exits_watch(t, pm->n - 1);
	return p;
}

static struct hx_thread *add_thread(struct hx_tracer *t, pid_t tid, size_t proc)
{
	struct hx_pidmap *pm = &t->pm;
	struct hx_thread *arr = hx_grow(pm->threads, &pm->cthreads, pm->nthreads + 1, sizeof(*arr));

	if (!arr)
		return NULL;
	pm->threads = arr;
	struct hx_thread *th = &pm->threads[pm->nthreads];

	memset(th, 0, sizeof(*th));
	th->tid = tid;
	th->proc = proc;
	index_put(&pm->by_tid, tid, pm->nthreads);
	pm->nthreads++;
	return th;
}

/* The key a process is numbered by: its namespace pid, or its host pid in
 * reduced isolation. */
static pid_t key_of(const struct hx_tracer *t, const struct hx_proc_ids *ids)
{
	return t->full ? ids->ns_tgid : ids->tgid;
}

struct hx_tracee *hx_pidmap_of_tid(struct hx_tracer *t, pid_t tid, struct hx_thread **th)
{
	struct hx_pidmap *pm = &t->pm;
	struct hx_proc_ids ids;
	size_t i;

	*th = NULL;
	if (index_get(&pm->by_tid, tid, &i)) {
		*th = &pm->threads[i];
		return &pm->procs[pm->threads[i].proc];
	}
	if (hx_proc_ids(tid, &ids) < 0)
		return NULL;
	struct hx_tracee *p = hx_pidmap_find(t, ids.tgid);

	if (!p && ids.tgid != tid) {
		/* A thread of a process not seen yet: the process's own
		 * status names its parent and its name. */
		struct hx_proc_ids leader;

		if (hx_proc_ids(ids.tgid, &leader) == 0)
			ids.ppid = leader.ppid, memcpy(ids.name, leader.name, sizeof(ids.name));
	}
	if (!p)
		p = hx_pidmap_add(t, ids.tgid, key_of(t, &ids), ids.ppid == t->init_pid ? 0 : ids.ppid,
				  ids.name);
	if (!p)
		return NULL;
	*th = add_thread(t, tid, hx_pidmap_index(t, p));
	return p;
}

/* Learns pm->scratch's processes that are not known yet. */
static void adopt(struct hx_tracer *t)
{
	struct hx_pidmap *pm = &t->pm;

	for (size_t i = 0; i < pm->scratch.n; i++) {
		pid_t pid = pm->scratch.v[i];
		struct hx_proc_ids ids;

		if (hx_pidmap_find(t, pid) || hx_proc_ids(pid, &ids) < 0)
			continue;
		hx_pidmap_add(t, pid, key_of(t, &ids), ids.ppid == t->init_pid ? 0 : ids.ppid, ids.name);
	}
}

void hx_pidmap_learn_children(struct hx_tracer *t, pid_t host_pid)
{
	if (hx_proc_children(host_pid, &t->pm.scratch) > 0)
		adopt(t);
}

void hx_pidmap_discover(struct hx_tracer *t)
{
	if (hx_proc_descendants(t->init_pid, &t->pm.scratch) > 0)
		adopt(t);
}

/* ---- box pids ------------------------------------------------------------- */

static const struct hx_tracee *sort_base;

static int by_creation(const void *a, const void *b)
{
	const struct hx_tracee *x = &sort_base[*(const size_t *)a], *y = &sort_base[*(const size_t *)b];

	if (x->order != y->order)
		return (x->order > y->order) - (x->order < y->order);
	return (x > y) - (x < y);	/* learned first */
}

void hx_pidmap_number(struct hx_tracer *t)
{
	struct hx_pidmap *pm = &t->pm;
	size_t first = pm->nnumbered, m = 0;

	if (pm->n == pm->nnumbered)
		return;
	size_t *grown = hx_grow(pm->by_box, &pm->cby_box, pm->n, sizeof(*grown));

	if (!grown)
		return;
	pm->by_box = grown;
	for (size_t i = 0; i < pm->n; i++)
		if (!pm->procs[i].box_pid)
			pm->by_box[first + m++] = i;
	sort_base = pm->procs;
	qsort(pm->by_box + first, m, sizeof(size_t), by_creation);
	for (size_t k = first; k < first + m; k++)
		pm->procs[pm->by_box[k]].box_pid = (int)k + 1;
	pm->nnumbered = first + m;
}

void hx_pidmap_release(struct hx_pidmap *pm)
{
	for (size_t i = 0; i < pm->n; i++)
		free(pm->procs[i].exec);
	free(pm->procs);
	free(pm->threads);
	free(pm->by_box);
	hx_pids_release(&pm->scratch);
	index_release(&pm->by_host);
	index_release(&pm->by_ns);
	index_release(&pm->by_tid);
	memset(pm, 0, sizeof(*pm));
}

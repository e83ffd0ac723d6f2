/*
 * deadlock.c - explain a deadlock in words a student can act on.
 *
 * Called once the watchdog has seen every process blocked for good. For
 * each process we name the call it is blocked in and the object it waits
 * on, found from /proc: pipes by inode with every process holding their
 * read or write ends (fd links plus fdinfo flags), futex addresses mapped
 * through /proc/PID/maps to the shared object (a named semaphore's name,
 * a shared mapping, or private memory, which nobody else can ever post),
 * System V ids, queues by name, children for wait4.
 *
 * Processes blocked on one object (the same pipe end, futex word,
 * semaphore, queue, FIFO) are described together, in one sentence. Each
 * process gets "waits for" edges in a wait-for graph (waitgraph.c) only
 * to the processes that would have to act for it to go on: the holders
 * of a pipe's other end (they must write, read or close it), the
 * children a wait4 waits for, the owner of a locked mutex, and the
 * blocked processes that could post a semaphore or send to a queue. A
 * process blocked in wait4 waits for its children and posts nothing, so
 * it is never a poster. A cycle in the graph is printed as one; without
 * one, the word is not used. Processes of the run that have exited are
 * known to the tracer: where one of them could have posted, it is said.
 * Every table here grows with the box: a deadlock of thousands of
 * processes is explained like one of two.
 *
 * The explainer is three files (deadlock.h): deadlock_graph.c reads the
 * processes from /proc and finds who would have to act for each,
 * deadlock_text.c writes the sentences, and this file puts the two
 * together: each process's record (its call, its object, its edges, its
 * own sentence), the cycle of the graph, the explanation.
 */
#define _GNU_SOURCE
#include <stdlib.h>

#include "deadlock.h"

struct hx_deadlock *hx_deadlock_explain(pid_t init_pid, struct hx_tracer *t, unsigned after_ms)
{
	struct hx_dl_analysis *an = calloc(1, sizeof(*an));
	struct hx_deadlock *d = calloc(1, sizeof(*d));

	if (!an || !d) {
		free(an);
		free(d);
		return NULL;
	}
	hx_dl_analyse(an, init_pid, t);
	d->after_ms = after_ms;
	d->procs = calloc((size_t)(an->n ? an->n : 1), sizeof(*d->procs));
	for (int i = 0; i < an->n && d->procs; i++) {
		struct hx_dl_node *nd = &an->nodes[i];
		struct hx_blocked *b = &d->procs[i];
		struct hx_dl_pidset edges, kids, self;
		struct hx_str detail;

		hx_dl_pidset_init(&edges, an);
		hx_dl_pidset_init(&kids, an);
		hx_dl_pidset_init(&self, an);
		hx_dl_waits_for(an, nd, &edges);
		for (int k = 0; k < edges.n; k++)
			hx_waitgraph_add_edge(&an->graph, (size_t)i, (size_t)(hx_dl_node_of(an, edges.v[k]) - an->nodes));
		if (nd->on == DL_ON_CHILD)
			hx_dl_live_children(an, nd, &kids);
		b->pid = nd->box_pid;
		b->blocked_in = hx_strdup(nd->on == DL_ON_STOPPED ? "stopped" : hx_dl_call_name(nd->sc.nr));
		b->object = hx_dl_object_of(nd, &kids);
		b->waits_for = edges.v;
		b->nwaits_for = (size_t)edges.n;
		edges.v = NULL;
		hx_dl_pidset_add(&self, nd->box_pid);
		hx_str_init(&detail, 4096);
		hx_dl_describe(an, nd, &self, &detail);
		b->detail = hx_str_steal(&detail);
		d->nprocs++;
		hx_dl_pidset_release(&kids);
		hx_dl_pidset_release(&self);
	}
	bool cycle = hx_waitgraph_find_cycle(&an->graph, &d->cycle, &d->cycle_len) == 0 && d->cycle;

	d->explanation = hx_dl_explanation(an, after_ms, cycle ? d->cycle : NULL, d->cycle_len);
	hx_dl_release(an);
	free(an);
	return d;
}

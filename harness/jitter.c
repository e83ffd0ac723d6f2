/*
 * jitter.c - answers held back: a seeded random delay on traced calls and
 * the start gate, to widen the race windows of student programs, and the
 * shortened sleeps of time_scale (timescale.c decides their length).
 *
 * A held answer waits in a small queue, due at a time; the event loop
 * never sleeps for it, it only wakes in time and hands the due ones to
 * the tracer. The delays come from a splitmix64 stream of the run's
 * seed, so a run can be replayed with the same seed (the scheduler's
 * own choices aside).
 *
 * The start gate. Race windows in student programs are mostly pure user
 * code (counter++ on shared memory) that no delayed system call can
 * widen; what hides the races is that children start one by one, each
 * often done before the next is born. So, when jittering, every new
 * process is held at its first system call (glibc's fork child calls
 * set_robust_list before anything else) until its parent has made a
 * call other than fork, typically wait, and every child it forked has
 * reached the gate (a child is often slower to make its first call than
 * its parent to fork the next and wait): then the batch is released,
 * three times in four all in one pass (else staggered by the jitter, see
 * hx_jitter_open_gate), and woken where the scheduler finds an
 * idle CPU (tracer.c turns the synchronous wake-ups off for that pass:
 * they would queue every child on the supervisor's CPU, to be spread
 * only at the next balancing tick, by when a race test's child may be
 * done). They run side by side, as on a loaded machine. A parent that
 * waits in an untraced way (a pipe read) only costs the gate's time
 * limit.
 *
 * A held sleep is answered with its own reply (success, and the timeout's
 * remainder zeroed) when its shortened time is up. Its task cannot take
 * a signal meanwhile (the box waits killably for our answers), so every
 * HX_SLEEP_SIGNAL_CHECK_US the queue asks whether one waits for it; then
 * the sleep is CONTINUEd: the kernel finds the signal, runs the handler
 * and fails the sleep with EINTR, as it fails a real interrupted sleep.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "trace.h"

struct hx_held {
	uint64_t id;
	uint64_t due_us;
	pid_t tid;
	pid_t gated_by;		/* start gate: the parent whose next call releases it */
	bool sleep;		/* a shortened sleep, answered with reply */
	uint64_t since_us, check_us;	/* sleeps: held since; next signal check */
	struct hx_reply reply;
};

static uint64_t splitmix64(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

void hx_jitter_init(struct hx_jitter *j, unsigned max_us, uint64_t seed)
{
	memset(j, 0, sizeof(*j));
	j->max_us = max_us;
	j->seed = seed;
	while (j->seed == 0 && getrandom(&j->seed, sizeof(j->seed), 0) < 0 && errno == EINTR)
		;
	if (j->seed == 0)
		j->seed = hx_now_us() ^ ((uint64_t)getpid() << 32);
	j->rng = j->seed;
}

void hx_jitter_release(struct hx_jitter *j)
{
	free(j->held);
	j->held = NULL;
	j->n = j->cap = 0;
}

static uint64_t delay(struct hx_jitter *j)
{
	return splitmix64(&j->rng) % ((uint64_t)j->max_us + 1);
}

bool hx_jitter_hold(struct hx_jitter *j, uint64_t id, pid_t tid, pid_t gated_by)
{
	uint64_t d = gated_by ? HX_GATE_MAX_US : delay(j);
	struct hx_held *arr = hx_grow(j->held, &j->cap, j->n + 1, sizeof(*arr));

	if (arr)
		j->held = arr;
	if (!arr || d == 0)
		return false;
	memset(&j->held[j->n], 0, sizeof(j->held[j->n]));
	j->held[j->n].id = id;
	j->held[j->n].due_us = hx_now_us() + d;
	j->held[j->n].tid = tid;
	j->held[j->n].gated_by = gated_by;
	j->held[j->n].reply.cont = true;
	j->n++;
	return true;
}

bool hx_jitter_hold_sleep(struct hx_jitter *j, uint64_t id, pid_t tid, uint64_t delay_us,
			  const struct hx_reply *reply)
{
	struct hx_held *arr = hx_grow(j->held, &j->cap, j->n + 1, sizeof(*arr));
	uint64_t now = hx_now_us();

	if (!arr)
		return false;
	j->held = arr;
	memset(&arr[j->n], 0, sizeof(arr[j->n]));
	arr[j->n].id = id;
	arr[j->n].due_us = now + delay_us;
	arr[j->n].tid = tid;
	arr[j->n].sleep = true;
	arr[j->n].since_us = now;
	arr[j->n].check_us = now + HX_SLEEP_SIGNAL_CHECK_US;
	arr[j->n].reply = *reply;
	j->n++;
	return true;
}

size_t hx_jitter_open_gate(struct hx_jitter *j, pid_t parent_host)
{
	uint64_t now = hx_now_us();
	size_t released = 0;
	/* Three batches in four (by the seed), together: all due now, and the
	 * caller answers them in one pass, not one event-loop wake-up each
	 * (each costs tens of microseconds, and a child of a race test may
	 * be done in less): the most overlap. Otherwise staggered: the first
	 * now, each other one after a random 0..max_us, so that a child
	 * starts while its siblings are inside their critical sections (a
	 * lock that each child sets up again after fork breaks only then). */
	bool together = (splitmix64(&j->rng) & 3) != 0;

	for (size_t i = 0; i < j->n; i++) {
		if (j->held[i].gated_by != parent_host)
			continue;
		j->held[i].gated_by = 0;
		j->held[i].due_us = together || released == 0 ? now : now + delay(j);
		released++;
	}
	return released;
}

/* Whether held sleep h ends now because a signal waits for its task. */
static bool cut_short(struct hx_held *h, uint64_t now_us, const struct hx_held_ops *ops)
{
	if (!h->sleep || now_us < h->check_us || !ops->signalled)
		return false;
	h->check_us = now_us + HX_SLEEP_SIGNAL_CHECK_US;
	if (!ops->signalled(h->tid, ops->arg))
		return false;
	h->reply = (struct hx_reply){ .cont = true, .interrupted = true };
	return true;
}

uint64_t hx_jitter_due(struct hx_jitter *j, uint64_t now_us, const struct hx_held_ops *ops)
{
	uint64_t next = 0;
	size_t k = 0;

	for (size_t i = 0; i < j->n; i++) {
		struct hx_held *h = &j->held[i];

		if (!ops)
			continue;
		if (h->due_us <= now_us || cut_short(h, now_us, ops)) {
			h->reply.held_us = h->sleep && now_us > h->since_us ? now_us - h->since_us : 0;
			ops->answer(h->id, h->tid, &h->reply, ops->arg);
			continue;
		}
		uint64_t when = h->sleep && h->check_us < h->due_us ? h->check_us : h->due_us;

		if (!next || when < next)
			next = when;
		j->held[k++] = *h;
	}
	j->n = k;
	return next;
}

bool hx_jitter_holds(const struct hx_jitter *j, pid_t tid)
{
	for (size_t i = 0; i < j->n; i++)
		if (j->held[i].tid == tid)
			return true;
	return false;
}

bool hx_jitter_any(const struct hx_jitter *j)
{
	return j->n > 0;
}

/* ---- the start gate's decisions ---------------------------------------- */

/* Whether every child of p has made its first call (children counts
 * those the table knows: hx_gate_parent_call learns them first). A child
 * that never does (a vfork child's exec) costs its siblings
 * HX_GATE_MAX_US. */
static bool batch_arrived(const struct hx_tracee *p)
{
	return p->children_arrived >= p->children;
}

static void release_batch(struct hx_tracer *t, struct hx_tracee *p)
{
	p->gate_released = true;
	hx_jitter_open_gate(&t->jit, p->host_pid);
}

pid_t hx_gate_arrive(struct hx_tracer *t, pid_t tid, bool *release)
{
	struct hx_thread *th;
	struct hx_tracee *me = hx_pidmap_of_tid(t, tid, &th);
	struct hx_tracee *pp = me && me->parent ? &t->pm.procs[me->parent - 1] : NULL;

	*release = false;
	if (me && !me->gate_arrived && me->host_pid == tid) {
		me->gate_arrived = true;
		if (pp)
			pp->children_arrived++;
	}
	/* The first process is nobody's child in the box: it goes at once;
	 * so does a thread, or a child whose batch already went. */
	if (!pp || pp->gate_released || (me && me->host_pid != tid))
		return 0;
	*release = pp->gate_open && batch_arrived(pp);
	if (*release)
		pp->gate_released = true;	/* opened once this one is held */
	return pp->host_pid;
}

bool hx_gate_parent_call(struct hx_tracer *t, pid_t tid, bool forking)
{
	struct hx_thread *th;
	struct hx_tracee *me = hx_pidmap_of_tid(t, tid, &th);

	if (!me)
		return false;
	if (forking) {
		me->gate_open = me->gate_released = false;
		return false;
	}
	me->gate_open = true;
	if (me->gate_released)
		return false;
	/* Its children since the last look: the forks have returned. */
	hx_pidmap_learn_children(t, me->host_pid);
	me = hx_pidmap_of_tid(t, tid, &th);	/* learning may move the table */
	if (!me || !batch_arrived(me))
		return false;
	release_batch(t, me);
	return true;
}

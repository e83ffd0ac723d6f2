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
 * set_robust_list before anything else) until its parent makes a call
 * other than fork, typically wait: then all its held children are
 * released together, each after a random 0..jitter delay. They run
 * side by side, as on a loaded machine. A parent that waits in an
 * untraced way (a pipe read) only costs the gate's time limit.
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

void hx_jitter_open_gate(struct hx_jitter *j, pid_t parent_host)
{
	uint64_t now = hx_now_us();

	for (size_t i = 0; i < j->n; i++) {
		if (j->held[i].gated_by != parent_host)
			continue;
		j->held[i].gated_by = 0;
		j->held[i].due_us = now + delay(j) / 16;
	}
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

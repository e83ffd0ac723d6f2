/*
 * jitter.c - answers held back, to widen the race windows of student
 * programs: a seeded random delay on traced calls, and the start gate.
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
	j->held[j->n].id = id;
	j->held[j->n].due_us = hx_now_us() + d;
	j->held[j->n].tid = tid;
	j->held[j->n].gated_by = gated_by;
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

uint64_t hx_jitter_due(struct hx_jitter *j, uint64_t now_us,
		       void (*answer)(uint64_t id, void *arg), void *arg)
{
	uint64_t next = 0;
	size_t k = 0;

	for (size_t i = 0; i < j->n; i++) {
		if (j->held[i].due_us <= now_us || !answer) {
			if (answer)
				answer(j->held[i].id, arg);
			continue;
		}
		if (!next || j->held[i].due_us < next)
			next = j->held[i].due_us;
		j->held[k++] = j->held[i];
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

/*
 * timescale.c - time_scale: the submission's sleeps, shortened.
 *
 * Assignments on synchronisation make every process sleep a random time
 * at every step (a haircut of up to TB microseconds), so grading spends
 * most of its time asleep. With time_scale f (0 < f < 1) the policy
 * notifies the calls that sleep (policy_table.c, class SLEEP), and the
 * supervisor answers each one itself, "done, 0", after f times the time
 * it asked for; the call never runs. Every sleep of the run shrinks by
 * the same factor, so their order, and the order of what the processes
 * do between them, stays what it would have been.
 *
 * A notifier cannot change a call's arguments (the task's memory may
 * change under us, and CONTINUE runs the call with whatever it holds),
 * so a sleep is never rewritten and let run: it is answered. What is
 * shortened:
 *
 *   nanosleep, and clock_nanosleep of CLOCK_REALTIME, CLOCK_MONOTONIC,
 *   CLOCK_BOOTTIME or CLOCK_TAI with a relative time: glibc's sleep(),
 *   usleep() and nanosleep() are these;
 *   select and pselect6 with no fds (glibc's select() and pselect()),
 *   poll and ppoll with no fds: the classic sleeps of older code. Their
 *   timeout's remainder is zeroed before the answer, as Linux does.
 *
 * What runs as asked (counted as `unscaled` in the result):
 *
 *   clock_nanosleep with TIMER_ABSTIME, and sleeps on CPU-time clocks:
 *   the deadline is on the program's own clock, which we cannot scale
 *   (clock_gettime and gettimeofday are vDSO calls, never notified), so
 *   an absolute deadline is kept as it is;
 *   ppoll and pselect6 with a signal mask: the mask holds only during the
 *   call, which would not happen if we answered it;
 *   invalid times (the kernel fails them).
 *
 * Never notified, so never scaled: timeouts of calls that wait for
 * something (sem_timedwait and pthread_cond_timedwait are futex waits,
 * mq_timedreceive, select/poll on real fds, epoll_wait): answering those
 * ourselves could drop the wake-up they wait for. Nor alarm(),
 * setitimer() or timer_create(): their signals come in real time.
 *
 * Signals. The box waits killably for our answers, so a task held in a
 * shortened sleep takes no signal until we answer. Every 10 ms of a
 * held sleep the queue (jitter.c) looks at the task's pending signals;
 * when an unblocked one waits, the sleep is CONTINUEd: the kernel runs
 * it, finds the signal, runs the handler and fails the sleep with EINTR
 * and the time left (nanosleep's rem, select's timeout) of the original,
 * unscaled request - which a program that sleeps the rest gets shortened
 * again. A signal is thus late by at most the shorter of the scaled sleep
 * and 10 ms. The deadlock watchdog's thresholds stay in real time.
 */
#define _GNU_SOURCE
#include <math.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>

#include "trace.h"

#ifndef CLOCK_TAI
#define CLOCK_TAI 11
#endif

bool hx_time_scale_on(const struct hx_config *cfg)
{
	return cfg->time_scale > 0 && cfg->time_scale < 1;
}

/* What one notified sleep asks for. */
enum sleep_kind {
	SLEEP_NOT = 0,		/* no sleep: blocks forever, or returns at once */
	SLEEP_SCALE,		/* shorten it */
	SLEEP_AS_ASKED,		/* a sleep we let run */
};

struct sleep_req {
	uint64_t us;		/* SLEEP_SCALE: what it asks for */
	uint64_t zero_addr;	/* the timeout to zero before the answer */
	size_t zero_len;
};

static bool scalable_clock(uint64_t clock)
{
	switch ((clockid_t)clock) {
	case CLOCK_REALTIME:
	case CLOCK_MONOTONIC:
	case CLOCK_BOOTTIME:
	case CLOCK_TAI:
		return true;
	default:
		return false;	/* CPU-time clocks, alarms, bad ids */
	}
}

/* What the call asks for. Reads the task's memory: the caller checks
 * that the notification is still valid after. */
static enum sleep_kind classify(pid_t tid, int nr, const uint64_t *a, struct sleep_req *q)
{
	struct hx_sleep_request s;
	uint64_t mask = 0;

	memset(q, 0, sizeof(*q));
	switch (nr) {
	case SYS_nanosleep:
	case SYS_select:
	case SYS_poll:
		break;
	case SYS_clock_nanosleep:	/* CPU clocks and deadlines run as asked */
		if (!scalable_clock(a[0]) || (a[1] & TIMER_ABSTIME))
			return SLEEP_AS_ASKED;
		break;
	case SYS_pselect6:		/* a sigmasked wait runs as asked */
		if (a[5] && (hx_proc_read_mem(tid, a[5], &mask, sizeof(mask)) != (ssize_t)sizeof(mask) ||
			     mask))
			return SLEEP_AS_ASKED;
		break;
	case SYS_ppoll:
		if (a[3])
			return SLEEP_AS_ASKED;
		break;
	default:
		return SLEEP_NOT;	/* epoll waits are not shortened */
	}
	if (!hx_sleep_request(tid, nr, a, &s) || s.forever)
		return SLEEP_NOT;	/* no timeout: it blocks, or the kernel fails it */
	if (!s.valid)
		return SLEEP_AS_ASKED;
	/* select, pselect6 and ppoll leave the time not slept in their timeout */
	if (nr != SYS_nanosleep && nr != SYS_clock_nanosleep) {
		q->zero_addr = s.addr;
		q->zero_len = s.len;
	}
	q->us = s.us;
	return q->us ? SLEEP_SCALE : SLEEP_NOT;
}

bool hx_timescale_hold(struct hx_tracer *t, int fd, const struct seccomp_notif *r)
{
	pid_t tid = (pid_t)r->pid;
	struct sleep_req q;
	enum sleep_kind kind;

	if (!t->time_scale)
		return false;
	kind = classify(tid, r->data.nr, (const uint64_t *)r->data.args, &q);
	/* What we read may be another task's if this one died and its pid
	 * was reused: then nobody waits for the answer. */
	if (kind != SLEEP_NOT && seccomp_notify_id_valid(fd, r->id) != 0)
		return true;
	if (kind == SLEEP_AS_ASKED)
		t->ts.unscaled++;
	if (kind != SLEEP_SCALE)
		return false;

	double scaled = ceil((double)q.us * t->time_scale);
	uint64_t delay = scaled >= (double)HX_SLEEP_MAX_US ? HX_SLEEP_MAX_US : (uint64_t)scaled;
	struct hx_reply reply = { .val = 0, .zero_addr = q.zero_addr, .zero_len = q.zero_len };

	t->ts.scaled++;
	t->ts.requested_us += q.us;
	if (hx_jitter_hold_sleep(&t->jit, r->id, tid, delay, &reply))
		return true;
	/* Out of memory: the sleep runs as asked. */
	t->ts.scaled--;
	t->ts.requested_us -= q.us;
	t->ts.unscaled++;
	return false;
}

/*
 * calls_sleep.c - the sleep group: the calls that wait for time and
 * nothing else, as events, and the time they ask for.
 *
 * nanosleep and clock_nanosleep (sleep, usleep) always count; poll,
 * select and epoll waits count only with a timeout and no fd to watch
 * (the policy notifies those without fds only, and an epoll instance is
 * empty when its fdinfo has no "tfd:" line). Each event carries the
 * time requested (an absolute clock_nanosleep: from now), summed into
 * the run's sleep time. Shortening sleeps (`time_scale`) is jitter.c's
 * and timescale.c's business, not this file's.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>

#include "trace.h"

/* A relative time of s seconds and the fraction f of a second in units of
 * 1/per_second, as whole microseconds, rounded up; false when the kernel
 * would refuse it (EINVAL). */
static bool time_us(long long s, long long f, long long per_second, uint64_t *us)
{
	if (s < 0 || f < 0 || f >= per_second)
		return false;
	if ((uint64_t)s >= HX_SLEEP_MAX_US / 1000000)
		*us = HX_SLEEP_MAX_US;
	else
		*us = (uint64_t)s * 1000000 + ((uint64_t)f * 1000000 + (uint64_t)per_second - 1) /
		      (uint64_t)per_second;
	return true;
}

/* A timeout of milliseconds in a register: negative waits forever. */
static void request_ms(long long ms, struct hx_sleep_request *q)
{
	q->forever = ms < 0;
	q->valid = ms >= 0;
	q->us = ms > 0 ? (uint64_t)ms * 1000 : 0;
}

/* A timespec (or, timeval, a struct timeval) at addr of the tracee. */
static void request_mem(pid_t tid, uint64_t addr, bool timeval, struct hx_sleep_request *q)
{
	q->addr = addr;
	q->forever = !addr;
	if (!addr)
		return;
	if (timeval) {
		struct timeval tv;

		q->len = sizeof(tv);
		q->valid = hx_proc_read_mem(tid, addr, &tv, sizeof(tv)) == (ssize_t)sizeof(tv) &&
			   time_us(tv.tv_sec, tv.tv_usec, 1000000, &q->us);
	} else {
		struct timespec ts;

		q->len = sizeof(ts);
		q->valid = hx_proc_read_mem(tid, addr, &ts, sizeof(ts)) == (ssize_t)sizeof(ts) &&
			   time_us(ts.tv_sec, ts.tv_nsec, 1000000000, &q->us);
	}
}

bool hx_sleep_request(pid_t tid, int nr, const uint64_t *a, struct hx_sleep_request *q)
{
	memset(q, 0, sizeof(*q));
	switch (nr) {
	case SYS_nanosleep:		/* nanosleep(req, rem) */
		request_mem(tid, a[0], false, q);
		return true;
	case SYS_clock_nanosleep:	/* clock_nanosleep(clock, flags, req, rem) */
	case SYS_ppoll:			/* ppoll(fds, 0, timespec *, sigset *, size) */
		request_mem(tid, a[2], false, q);
		return true;
	case SYS_select:		/* select(0, r, w, e, timeval *) */
	case SYS_pselect6:		/* pselect6(0, r, w, e, timespec *, {sigset *, size} *) */
		request_mem(tid, a[4], nr == SYS_select, q);
		return true;
	case SYS_poll:			/* poll(fds, 0, ms) */
		request_ms((int)a[2], q);
		return true;
	case SYS_epoll_wait:		/* epoll_wait(epfd, events, max, ms) */
	case SYS_epoll_pwait:
		request_ms((int)a[3], q);
		return true;
	case SYS_epoll_pwait2:		/* epoll_pwait2(epfd, events, max, timespec *, ...) */
		request_mem(tid, a[3], false, q);
		return true;
	default:
		return false;
	}
}

/* Whether an epoll instance of the tracee watches no fd: its fdinfo has
 * no "tfd:" line. */
static bool epoll_empty(pid_t tid, int epfd)
{
	char path[64], buf[4096];

	snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", (int)tid, epfd);
	return hx_read_file(path, buf, sizeof(buf)) > 0 && !strstr(buf, "tfd:");
}

/*
 * The sleep group: nanosleep and clock_nanosleep (sleep, usleep), and the
 * waits that wait for nothing but time: poll, select and epoll with no fd
 * and a timeout (the policy notifies those with no fds only). The time
 * each requests is summed (an absolute clock_nanosleep: from now).
 */
bool hx_call_trace_sleep(struct hx_tracer *t, struct hx_tracee *p, pid_t tid, int nr, const uint64_t *a)
{
	struct hx_sleep_request q;
	const char *call;

	if (!hx_sleep_request(tid, nr, a, &q))
		return false;
	switch (nr) {
	case SYS_nanosleep:		call = "nanosleep"; break;
	case SYS_clock_nanosleep:	call = "clock_nanosleep"; break;
	case SYS_select:
	case SYS_pselect6:		call = "select"; break;
	case SYS_poll:
	case SYS_ppoll:			call = "poll"; break;
	default:			call = "epoll_wait"; break;
	}
	uint64_t us = q.valid ? q.us : 0;

	if (nr == SYS_clock_nanosleep && q.valid && (a[1] & TIMER_ABSTIME)) {
		struct timespec now;
		uint64_t now_us = 0;

		if (clock_gettime((clockid_t)a[0], &now) == 0)
			now_us = (uint64_t)now.tv_sec * 1000000u + (uint64_t)now.tv_nsec / 1000u;
		us = us > now_us ? us - now_us : 0;
	}
	/* A sleep call always counts; a poll, select or epoll wait only when
	 * it waits for a time and nothing else. */
	bool sleep_call = nr == SYS_nanosleep || nr == SYS_clock_nanosleep;
	bool epoll = nr == SYS_epoll_wait || nr == SYS_epoll_pwait || nr == SYS_epoll_pwait2;

	if (!sleep_call && (us == 0 || (epoll && !epoll_empty(tid, (int)a[0]))))
		return true;
	size_t before = t->nevents;

	hx_trace_event_add(t, p, call, HX_GROUP_SLEEP, 0, "%llu.%03llu ms", (unsigned long long)(us / 1000),
			   (unsigned long long)(us % 1000));
	t->sleep_us += us;
	if (t->nevents > before)
		t->events[t->nevents - 1].sleep_us = us;
	return true;
}

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

static uint64_t timespec_us(pid_t tid, uint64_t addr, bool *ok)
{
	struct timespec ts;

	*ok = addr && hx_proc_read_mem(tid, addr, &ts, sizeof(ts)) == (ssize_t)sizeof(ts) &&
	      ts.tv_sec >= 0 && ts.tv_nsec >= 0;
	return *ok ? (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u : 0;
}

static uint64_t timeval_us(pid_t tid, uint64_t addr, bool *ok)
{
	struct timeval tv;

	*ok = addr && hx_proc_read_mem(tid, addr, &tv, sizeof(tv)) == (ssize_t)sizeof(tv) &&
	      tv.tv_sec >= 0 && tv.tv_usec >= 0;
	return *ok ? (uint64_t)tv.tv_sec * 1000000u + (uint64_t)tv.tv_usec : 0;
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
	const char *call;
	uint64_t us = 0;
	bool ok = true;

	switch (nr) {
	case SYS_nanosleep:
		call = "nanosleep";
		us = timespec_us(tid, a[0], &ok);
		break;
	case SYS_clock_nanosleep:
		call = "clock_nanosleep";
		us = timespec_us(tid, a[2], &ok);
		if (ok && (a[1] & TIMER_ABSTIME)) {
			struct timespec now;
			uint64_t now_us = 0;

			if (clock_gettime((clockid_t)a[0], &now) == 0)
				now_us = (uint64_t)now.tv_sec * 1000000u + (uint64_t)now.tv_nsec / 1000u;
			us = us > now_us ? us - now_us : 0;
		}
		break;
	case SYS_select:
		call = "select";
		us = timeval_us(tid, a[4], &ok);
		break;
	case SYS_pselect6:
		call = "select";
		us = timespec_us(tid, a[4], &ok);
		break;
	case SYS_poll:
		call = "poll";
		ok = (int)a[2] > 0;
		us = ok ? (uint64_t)(int)a[2] * 1000u : 0;
		break;
	case SYS_ppoll:
		call = "poll";
		us = timespec_us(tid, a[2], &ok);
		break;
	case SYS_epoll_wait:
	case SYS_epoll_pwait:
		call = "epoll_wait";
		ok = (int)a[3] > 0 && epoll_empty(tid, (int)a[0]);
		us = ok ? (uint64_t)(int)a[3] * 1000u : 0;
		break;
	case SYS_epoll_pwait2:
		call = "epoll_wait";
		us = timespec_us(tid, a[3], &ok);
		ok = ok && epoll_empty(tid, (int)a[0]);
		break;
	default:
		return false;
	}
	/* A sleep call always counts; a poll, select or epoll wait only when
	 * it waits for a time and nothing else. */
	bool sleep_call = nr == SYS_nanosleep || nr == SYS_clock_nanosleep;

	if (!sleep_call && (!ok || us == 0))
		return true;
	size_t before = t->nevents;

	hx_trace_event_add(t, p, call, HX_GROUP_SLEEP, 0, "%llu.%03llu ms", (unsigned long long)(us / 1000),
			   (unsigned long long)(us % 1000));
	t->sleep_us += us;
	if (t->nevents > before)
		t->events[t->nevents - 1].sleep_us = us;
	return true;
}

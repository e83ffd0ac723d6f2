/*
 * pingpong.h - what the two ping-pong benchmark programs measure around
 * their timed loop, and the one line they print:
 *
 *   loop_ms=... rounds=... us_per_round=... [EXTRA] vcsw_per_round=...
 *     cpus=... run_ms=... rqwait_ms=...
 *
 * vcsw_per_round: the parent's voluntary context switches per round trip;
 * cpus: how many CPUs it may run on (the box pins only with --cpus);
 * run_ms and rqwait_ms: its time on a CPU and runnable but waiting for one
 * during the loop (/proc/self/schedstat; -1 when unavailable). Waiting for
 * a CPU is the machine's noise, not the cost of what is measured.
 */
#ifndef PINGPONG_H
#define PINGPONG_H

#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

static void die(const char *what)
{
	perror(what);
	exit(1);
}

struct loop_clock {
	double t_ms, run_ms, wait_ms;
	long vcsw;
};

static void loop_clock_read(struct loop_clock *c)
{
	struct timespec ts;
	struct rusage ru;
	FILE *f = fopen("/proc/self/schedstat", "r");
	unsigned long long run, wait;

	c->run_ms = c->wait_ms = -1;
	if (f) {
		if (fscanf(f, "%llu %llu", &run, &wait) == 2) {
			c->run_ms = (double)run / 1e6;
			c->wait_ms = (double)wait / 1e6;
		}
		fclose(f);
	}
	c->vcsw = getrusage(RUSAGE_SELF, &ru) == 0 ? ru.ru_nvcsw : -1;
	/* last, closest to the loop's start or end */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	c->t_ms = (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* The line for a loop of `rounds` between a and b; extra goes after
 * us_per_round (e.g. "nonblocking=12 "). */
static void loop_report(const struct loop_clock *a, const struct loop_clock *b, long rounds,
			const char *extra)
{
	cpu_set_t set;
	int cpus = sched_getaffinity(0, sizeof(set), &set) == 0 ? CPU_COUNT(&set) : -1;
	double ms = b->t_ms - a->t_ms;

	printf("loop_ms=%.3f rounds=%ld us_per_round=%.3f %svcsw_per_round=%.2f "
	       "cpus=%d run_ms=%.1f rqwait_ms=%.1f\n",
	       ms, rounds, ms * 1e3 / (double)rounds, extra,
	       (double)(b->vcsw - a->vcsw) / (double)rounds, cpus,
	       a->run_ms < 0 ? -1 : b->run_ms - a->run_ms,
	       a->wait_ms < 0 ? -1 : b->wait_ms - a->wait_ms);
}

#endif

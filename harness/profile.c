/*
 * profile.c - where a run's fixed cost goes: timestamps at the steps of
 * one run, on both sides of the clone, printed on stderr at its end.
 *
 * Off unless IPCGRADE_PROFILE is set in the environment of ipcgrade
 * (read once per process); a mark is then a test of one pointer. When on,
 * the marks go into one page mapped MAP_SHARED before any box exists, so
 * the box's init and the submission child (forked, not exec'd yet) write
 * into the same page as the supervisor; CLOCK_MONOTONIC is the same clock
 * in every pid namespace. A mark is async-signal-safe: no allocation, one
 * atomic increment, a bounded copy. Meant for one run at a time
 * (`ipcgrade run`, `grade -j1`): concurrent workers would share the page.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

#define PROF_MARKS 64

struct prof_page {
	unsigned n;
	struct {
		uint64_t ns;
		int pid;	/* getpid() of the marker: namespace-local */
		char what[36];
	} m[PROF_MARKS];
};

static struct prof_page *page;

void hx_prof_init(void)
{
	static bool done;

	if (done)
		return;
	done = true;
	if (!getenv("IPCGRADE_PROFILE"))
		return;
	void *p = mmap(NULL, sizeof(*page), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		       -1, 0);

	if (p != MAP_FAILED)
		page = p;
}

void hx_prof_mark(const char *what)
{
	struct timespec ts;

	if (!page)
		return;
	unsigned i = __atomic_fetch_add(&page->n, 1, __ATOMIC_RELAXED);

	if (i >= PROF_MARKS)
		return;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	page->m[i].ns = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	page->m[i].pid = getpid();
	size_t k = 0;

	for (; what[k] && k + 1 < sizeof(page->m[i].what); k++)
		page->m[i].what[k] = what[k];
	page->m[i].what[k] = '\0';
}

/* Marks in time order (a box's marks may land out of order). */
static int by_time(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

void hx_prof_report(const char *title)
{
	if (!page)
		return;
	unsigned n = page->n < PROF_MARKS ? page->n : PROF_MARKS;

	qsort(page->m, n, sizeof(page->m[0]), by_time);
	fprintf(stderr, "ipcgrade-profile: %s (%u marks; ms since the first, since the previous)\n",
		title, n);
	for (unsigned i = 0; i < n; i++)
		fprintf(stderr, "ipcgrade-profile: %8.3f %+8.3f  pid %-6d %s\n",
			(double)(page->m[i].ns - page->m[0].ns) / 1e6,
			i ? (double)(page->m[i].ns - page->m[i - 1].ns) / 1e6 : 0.0, page->m[i].pid,
			page->m[i].what);
	page->n = 0;
}

/*
 * report_text.c - what people read in a terminal: `run` summaries, the
 * trace timeline, and the student report of `check`.
 *
 * Student feedback is kind and specific: say what was expected, what
 * came, and where to look; colours only on a terminal and never with
 * NO_COLOR set.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "judge_processes.h"
#include "report.h"
#include "report_text.h"
#include "text.h"

/* Widths text is wrapped at: messages and hints for students, the
 * deadlock explanation, and logs and diffs (mostly long lines anyway). */
#define WRAP_MESSAGE 86
#define WRAP_HINT 80
#define WRAP_DEADLOCK 90
#define WRAP_LOG 200
#define WRAP_OUTPUT 1000
/* The most of a program's output `run` shows. */
#define SHOWN_OUTPUT_MAX 8192
/* Processes with a column in the trace's table of counts. */
#define TRACE_TABLE_PIDS 12

struct colors {
	const char *ok, *bad, *dim, *bold, *off;
};

static struct colors palette(bool color)
{
	if (color)
		return (struct colors){ "\033[32m", "\033[31m", "\033[2m", "\033[1m", "\033[0m" };
	return (struct colors){ "", "", "", "", "" };
}

/* Print text wrapped at width: the first line prefixed by first, the
 * others by indent. */
static void wrap2(FILE *f, const char *first, const char *indent, const char *text, size_t width)
{
	const char *p = text;
	const char *prefix = first;

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t linelen = nl ? (size_t)(nl - p) : strlen(p);

		while (linelen > width) {
			size_t cut = width;

			while (cut > width / 2 && p[cut] != ' ')
				cut--;
			/* No space near the end: the next one, so that a long
			 * name is never cut in two; none at all: the rest. */
			while (cut < linelen && p[cut] != ' ')
				cut++;
			if (cut >= linelen)
				break;
			fprintf(f, "%s%.*s\n", prefix, (int)cut, p);
			prefix = indent;
			p += cut;
			linelen -= cut;
			while (*p == ' ' && linelen) {
				p++;
				linelen--;
			}
		}
		fprintf(f, "%s%.*s\n", prefix, (int)linelen, p);
		prefix = indent;
		p += linelen;
		if (*p == '\n')
			p++;
	}
}

static void wrap(FILE *f, const char *indent, const char *text, size_t width)
{
	wrap2(f, indent, indent, text, width);
}

static void print_output(FILE *f, const char *name, const struct hx_output *o)
{
	if (o->len == 0) {
		fprintf(f, "%s: (empty)\n", name);
		return;
	}
	char *clean = text_sanitize(o->data, o->len > SHOWN_OUTPUT_MAX ? SHOWN_OUTPUT_MAX : o->len);

	fprintf(f, "%s (%zu bytes%s):\n", name, o->len, o->truncated ? ", cut at the output limit" : "");
	if (clean) {
		wrap(f, "  ", clean, WRAP_OUTPUT);
		if (o->len > SHOWN_OUTPUT_MAX)
			fprintf(f, "  ... (%zu more bytes)\n", o->len - SHOWN_OUTPUT_MAX);
	}
	free(clean);
}

/* A process's end, to sort by: when, then its pid; i indexes process_list. */
struct end_key {
	uint64_t end_us;
	int pid;
	size_t i;
};

static int by_end(const void *a, const void *b)
{
	const struct end_key *x = a, *y = b;

	if (x->end_us != y->end_us)
		return (x->end_us > y->end_us) - (x->end_us < y->end_us);
	return (x->pid > y->pid) - (x->pid < y->pid);
}

/* A process's end as a line of the timeline: "exited with status 0",
 * "was killed by SIGSEGV (core dumped)", "was killed by ipcgrade ...". */
static void print_end(FILE *f, const struct hx_process *p)
{
	if (p->end_us)
		fprintf(f, "  [+%.1fms] pid %-3d ", (double)p->end_us / 1000.0, p->pid);
	else
		fprintf(f, "  [end]    pid %-3d ", p->pid);
	if (!p->ended)
		fprintf(f, "ended; how is not known\n");
	else if (p->killed_by_grader)
		fprintf(f, "was killed by ipcgrade (%s)\n",
			p->leftover ? "left running when pid 1 exited" : "the run was stopped");
	else if (p->signal)
		fprintf(f, "was killed by %s%s\n", hx_signal_name(p->signal), p->core_dumped ? " (core dumped)" : "");
	else
		fprintf(f, "exited with status %d\n", p->exit_code);
}

/* The events and the processes' ends, in time order (ends of unknown
 * time last). */
static void print_timeline(FILE *f, const struct hx_result *r)
{
	struct end_key *ends = calloc(r->nprocess_list ? r->nprocess_list : 1, sizeof(*ends));
	size_t nends = 0, k = 0;

	for (size_t i = 0; ends && i < r->nprocess_list; i++)
		ends[nends++] = (struct end_key){ r->process_list[i].end_us, r->process_list[i].pid, i };
	if (ends)
		qsort(ends, nends, sizeof(*ends), by_end);
	/* those of unknown time go after the others */
	while (k < nends && !ends[k].end_us)
		k++;
	for (size_t i = 0; i <= r->nevents; i++) {
		const struct hx_event *e = i < r->nevents ? &r->events[i] : NULL;

		for (; k < nends && (!e || ends[k].end_us <= e->t_us); k++)
			print_end(f, &r->process_list[ends[k].i]);
		if (!e)
			break;
		fprintf(f, "  [+%.1fms] pid %-3d %s(%s)", (double)e->t_us / 1000.0, e->pid, e->call,
			e->detail ? e->detail : "");
		if (e->child)
			fprintf(f, " -> pid %d", e->child);
		fprintf(f, "\n");
	}
	for (k = 0; k < nends && !ends[k].end_us; k++)
		print_end(f, &r->process_list[ends[k].i]);
	free(ends);
}

void report_text_trace(FILE *f, const struct hx_result *r)
{
	int maxpid = 0;

	fprintf(f, "trace (%zu events%s):\n", r->nevents, r->events_truncated ? ", cut short" : "");
	if (!r->traced_hot)
		fprintf(f, "  (close and dup2 are shown with --trace-hot)\n");
	print_timeline(f, r);
	for (size_t i = 0; i < r->nevents; i++)
		if (r->events[i].pid > maxpid)
			maxpid = r->events[i].pid;
	if (maxpid > TRACE_TABLE_PIDS)
		maxpid = TRACE_TABLE_PIDS;	/* the table stays readable */
	fprintf(f, "\nIPC summary  %7s", "total");
	for (int p = 1; p <= maxpid; p++)
		fprintf(f, "  pid %-3d", p);
	fprintf(f, "\n");
	for (int g = 0; g < HX_GROUP_COUNT; g++) {
		if ((g == HX_GROUP_FUTEX || g == HX_GROUP_IO) && !r->traced_hot)
			continue;
		fprintf(f, "%-12s %7u", hx_group_name(g), r->ipc[g]);
		for (int p = 1; p <= maxpid; p++) {
			unsigned n = 0;

			for (size_t i = 0; i < r->nevents; i++)
				n += r->events[i].pid == p && (int)r->events[i].group == g;
			fprintf(f, "  %7u", n);
		}
		fprintf(f, "\n");
	}
	fprintf(f, "processes created: %u, threads created: %u\n", r->processes, r->threads);
}

void report_text_run(FILE *f, const struct hx_result *r, bool color, bool trace)
{
	struct colors c = palette(color);
	bool good = r->verdict == HX_VERDICT_OK;

	fprintf(f, "%sverdict: %s%s", good ? c.ok : c.bad, hx_verdict_name(r->verdict), c.off);
	if (r->verdict_detail[0])
		fprintf(f, " (%s)", r->verdict_detail);
	else if (r->exit_code >= 0)
		fprintf(f, " (exit status %d)", r->exit_code);
	fprintf(f, "\n");
	if (r->verdict == HX_VERDICT_INTERNAL_ERROR) {
		fprintf(f, "error: %s\n", r->error);
		return;
	}
	fprintf(f, "wall %lu ms, cpu %lu ms, memory peak %.1f MB, isolation %s\n", r->wall_ms, r->cpu_ms,
		(double)r->memory_peak_kb / 1024.0, hx_isolation_name(r->isolation));
	print_output(f, "stdout", &r->out);
	print_output(f, "stderr", &r->err);
	if (r->ndenied) {
		fprintf(f, "denied system calls:");
		for (size_t i = 0; i < r->ndenied; i++)
			fprintf(f, "%s %s x%u", i ? "," : "", r->denied[i].call, r->denied[i].count);
		fprintf(f, "\n");
	}
	if (r->crashed_processes) {
		judge_describe_crashes(f, r, "\n");
		fprintf(f, "\n");
	}
	if (r->leftover_processes) {
		fprintf(f, "left running when the first process exited (killed):");
		for (size_t i = 0; i < r->nleftovers; i++)
			fprintf(f, "%s pid %d (%s)", i ? "," : "", r->leftovers[i].pid, r->leftovers[i].comm);
		fprintf(f, "\n");
	}
	if (r->nipc_left) {
		fprintf(f, "IPC objects left behind:");
		for (size_t i = 0; i < r->nipc_left; i++)
			fprintf(f, "%s %s %s", i ? "," : "", r->ipc_left[i].kind, r->ipc_left[i].name);
		fprintf(f, "\n");
	}
	if (r->deadlock) {
		fprintf(f, "\n");
		wrap(f, "", r->deadlock->explanation, WRAP_DEADLOCK);
	}
	if (r->jitter_max_us)
		fprintf(f, "jitter: up to %u us, seed %llu\n", r->jitter_max_us,
			(unsigned long long)r->seed);
	if (trace && r->traced) {
		fprintf(f, "\n");
		report_text_trace(f, r);
	}
}

static void print_failure(FILE *f, const struct grade_report *r, const struct test_outcome *to,
			  const struct colors *c)
{
	const struct test *t = to->test;
	const struct run_outcome *ro = to->first_failed >= 0 ? &to->runs[to->first_failed] : NULL;

	if (to->skipped) {
		fprintf(f, "      not run: the program did not build\n");
		return;
	}
	if (to->wanted > 1) {
		if (t->runs_time_ms)
			fprintf(f, "      %zu of %zu runs passed", to->npassed, to->nruns);
		else
			fprintf(f, "      %zu of %u runs passed", to->npassed, to->wanted);
		if (ro && ro->res.jitter_max_us)
			fprintf(f, "; run %u failed with seed %llu", ro->run, (unsigned long long)ro->res.seed);
		if (to->nruns < to->wanted && !t->runs_time_ms)
			fprintf(f, " (stopped after run %zu)", to->nruns);
		if (to->outputs_differ && to->npassed > 0)
			fprintf(f, " - the output differs between runs, which points to a race");
		fprintf(f, "\n");
	}
	if (!ro)
		return;
	/* The message, with the output diff right under the line about
	 * that output. */
	bool diff_shown = false;

	for (const char *line = ro->message; line && *line; ) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		char *one = strndup(line, len);

		if (one) {
			wrap(f, "      ", one, WRAP_MESSAGE);
			if (ro->diff && !diff_shown &&
			    (strncmp(one, "stdout:", 7) == 0 || strncmp(one, "stderr:", 7) == 0 ||
			     strncmp(one, "the file ", 9) == 0)) {
				fprintf(f, "%s", c->dim);
				wrap(f, "        ", ro->diff, WRAP_LOG);
				fprintf(f, "%s", c->off);
				diff_shown = true;
			}
		}
		free(one);
		line = nl ? nl + 1 : line + len;
	}
	if (ro->diff && !diff_shown) {
		fprintf(f, "%s", c->dim);
		wrap(f, "        ", ro->diff, WRAP_LOG);
		fprintf(f, "%s", c->off);
	}
	for (size_t k = 0; k < ro->ntails; k++) {
		fprintf(f, "      %s%s\n", ro->tails[k].label, *ro->tails[k].text ? ":" : "");
		fprintf(f, "%s", c->dim);
		for (const char *l = ro->tails[k].text; *l; ) {
			size_t n = strcspn(l, "\n");

			fprintf(f, "        %.*s\n", (int)n, l);
			l += n + (l[n] == '\n');
		}
		fprintf(f, "%s", c->off);
	}
	char *replay = report_replay(r, to);
	const char *hint = report_hint(t, ro->reasons);

	if (replay)
		fprintf(f, "      %sreplay this run: %s%s\n", c->dim, replay, c->off);
	free(replay);
	if (hint)
		wrap2(f, "      hint: ", "            ", hint, WRAP_HINT);
}

void report_text_header(FILE *f, const struct grade_report *r, bool color)
{
	struct colors c = palette(color);

	fprintf(f, "%s%s%s - %s\n", c.bold, r->spec->assignment, c.off, r->spec->title);
	fprintf(f, "submission: %s (%s isolation)\n\n", r->submission, hx_isolation_name(r->isolation));
	if (r->build.ok) {
		fprintf(f, "  %sPASS%s build%s (%.2f s)\n", c.ok, c.off, r->build.cached ? " (cached)" : "",
			(double)r->build.ms / 1000.0);
		if (r->build.log && strstr(r->build.log, "warning:")) {
			fprintf(f, "      the compiler warns:\n");
			wrap(f, "        ", r->build.log, WRAP_LOG);
		}
	} else {
		fprintf(f, "  %sFAIL%s build: %s\n", c.bad, c.off,
			r->build.problem ? r->build.problem : "the program does not compile");
		if (r->build.log && *r->build.log)
			wrap(f, "      ", r->build.log, WRAP_LOG);
	}
}

void report_text_test(FILE *f, const struct grade_report *r, const struct test_outcome *to,
		      bool color)
{
	struct colors c = palette(color);

	fprintf(f, "  %s%s%s %-40s %6.4g / %-6.4g\n", to->passed ? c.ok : c.bad,
		to->passed ? "PASS" : "FAIL", c.off, to->test->name, to->score, to->test->points);
	if (!to->passed) {
		print_failure(f, r, to, &c);
	} else if (to->nruns > 1) {
		fprintf(f, "      %s", c.dim);
		report_test_confidence(f, to);
		fprintf(f, "%s\n", c.off);
	}
}

void report_text_summary(FILE *f, const struct grade_report *r, bool color, bool visible_only)
{
	struct colors c = palette(color);
	size_t failed = 0;

	for (size_t i = 0; i < r->ntests; i++)
		failed += !r->tests[i].passed;
	fprintf(f, "\n%sscore: %.4g / %.4g%s%s\n", c.bold, r->score, r->max_score, c.off,
		visible_only ? " (visible tests; your instructor's grading adds hidden tests)" : "");
	if (failed == 0)
		fprintf(f, "All %zu tests passed. Well done.\n", r->ntests);
	else
		fprintf(f, "%zu of %zu tests failed. Start with the first failure above.\n", failed,
			r->ntests);
}

void report_text_grade(FILE *f, const struct grade_report *r, bool color, bool visible_only)
{
	report_text_header(f, r, color);
	for (size_t i = 0; i < r->ntests; i++)
		report_text_test(f, r, &r->tests[i], color);
	report_text_summary(f, r, color, visible_only);
}

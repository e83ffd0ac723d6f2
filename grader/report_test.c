/*
 * report_test.c - what a student reads about one test, shared by
 * results.json, junit.xml and feedback.md (see report.h).
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assignments.h"
#include "reasons.h"
#include "report.h"

const char *report_hint(const struct test *t, unsigned reasons)
{
	enum reason order[REASON_COUNT];
	size_t n = reason_sorted(reasons, order);

	for (size_t i = 0; i < n; i++)
		if (t->hints[order[i]])
			return t->hints[order[i]];
	return t->hint;
}

/* s for a shell: as it is when it is safe, else in single quotes. */
static void shell_word(FILE *f, const char *s)
{
	if (*s && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_./-+=:,@%")
	    == strlen(s)) {
		fputs(s, f);
		return;
	}
	fputc('\'', f);
	for (; *s; s++)
		if (*s == '\'')
			fputs("'\\''", f);
		else
			fputc(*s, f);
	fputc('\'', f);
}

char *report_replay(const struct grade_report *r, const struct test_outcome *to)
{
	const struct test *t = to->test;
	const struct run_outcome *ro = to->first_failed >= 0 ? &to->runs[to->first_failed] : NULL;
	char *buf = NULL, *abs;
	size_t len = 0;
	FILE *f;

	if (!ro)
		return NULL;
	f = open_memstream(&buf, &len);
	if (!f)
		return NULL;
	fputs("ipcgrade check ", f);
	if (assignment_is_bundled(r->spec->assignment, r->spec->path)) {
		shell_word(f, r->spec->assignment);
	} else {
		abs = realpath(r->spec->path, NULL);
		fputs("--spec ", f);
		shell_word(f, abs ? abs : r->spec->path);
		free(abs);
	}
	if (t->visibility != VIS_VISIBLE)
		fputs(" --all", f);
	fputs(" --test ", f);
	shell_word(f, t->name);
	if (t->runs > 1 || ro->res.jitter_max_us)
		fprintf(f, " --run %u", ro->run);
	if (ro->res.jitter_max_us)
		fprintf(f, " --seed %llu", (unsigned long long)ro->res.seed);
	fclose(f);
	return buf;
}

unsigned report_rate_ruled_out(size_t n)
{
	if (n == 0)
		return 100;
	return (unsigned)ceil(100.0 * (1.0 - pow(0.05, 1.0 / (double)n)) - 1e-9);
}

void report_test_confidence(FILE *f, const struct test_outcome *to)
{
	if (!to->passed || to->nruns < 2)
		return;
	fprintf(f, "%zu runs, none failed: a race that shows in %u%% of runs would have been "
		"caught with 95%% probability", to->nruns, report_rate_ruled_out(to->nruns));
}

char *report_test_text(const struct grade_report *r, const struct test_outcome *to, bool details)
{
	const struct test *t = to->test;
	const struct run_outcome *ro = to->first_failed >= 0 ? &to->runs[to->first_failed] : NULL;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	if (to->passed) {
		fputs("passed", f);
		if (to->nruns > 1) {
			fputs(" (", f);
			report_test_confidence(f, to);
			fputs(")", f);
		}
	} else if (to->skipped) {
		fprintf(f, "not run: the program did not build");
	} else {
		if (to->wanted > 1) {
			/* a budget stops early when its time is up: the runs made */
			if (t->runs_time_ms)
				fprintf(f, "%zu of %zu runs passed", to->npassed, to->nruns);
			else
				fprintf(f, "%zu of %u runs passed", to->npassed, to->wanted);
			if (ro && ro->res.jitter_max_us)
				fprintf(f, "; run %u failed (seed %llu)", ro->run, (unsigned long long)ro->res.seed);
			if (to->outputs_differ && to->npassed)
				fprintf(f, "; the output differs between runs, which points to a race");
			fprintf(f, "\n");
		}
		if (!details) {
			fprintf(f, "failed (");
			reason_print(f, to->reasons, "", ", ");
			fprintf(f, ")");
		} else {
			if (ro && ro->message)
				fprintf(f, "%s\n", ro->message);
			if (ro && ro->diff)
				fprintf(f, "\n%s", ro->diff);
			for (size_t k = 0; ro && k < ro->ntails; k++) {
				fprintf(f, "\n%s%s\n", ro->tails[k].label, *ro->tails[k].text ? ":" : "");
				for (const char *l = ro->tails[k].text; *l; ) {
					size_t n = strcspn(l, "\n");

					fprintf(f, "    %.*s\n", (int)n, l);
					l += n + (l[n] == '\n');
				}
			}
			char *replay = report_replay(r, to);
			const char *hint = report_hint(t, ro ? ro->reasons : to->reasons);

			if (replay)
				fprintf(f, "\nreplay this run (in your folder): %s\n", replay);
			free(replay);
			if (hint)
				fprintf(f, "\nhint: %s\n", hint);
		}
	}
	fclose(f);
	return buf;
}

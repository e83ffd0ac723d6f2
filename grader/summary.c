/*
 * summary.c - the summary of a batch, from its reports on disk.
 *
 * The summary is rebuilt from OUTDIR/STUDENT/report.json every time, so a
 * resumed batch and merged shards give the same summary as one
 * uninterrupted run. summary.csv is RFC 4180 (fields with commas, quotes
 * or line breaks are quoted, quotes doubled), one row per student: id,
 * total, max, status, flaky (the tests, ';'-separated, whose runs
 * disagreed or whose verdict changed in a regrade of the same sources),
 * then one column per test. A field that a spreadsheet would
 * read as a formula (=, +, -, @) is prefixed with a quote.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "csv.h"
#include "file.h"
#include "fs.h"
#include "report.h"
#include "str.h"
#include "summary.h"

struct row {
	char *student;
	json_t *report;
};

static int by_student(const void *a, const void *b)
{
	return strcmp(((const struct row *)a)->student, ((const struct row *)b)->student);
}

static int by_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double number(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_number(v) ? json_number_value(v) : 0.0;
}

/* outdir/name, atomically; 0 or -errno with err set. */
static int write_one(const char *outdir, const char *name, const char *data, size_t len, char *err,
		     size_t errlen)
{
	char *path = fs_path_join(outdir, name);
	int rc = path ? file_write_atomic(path, data, len) : -ENOMEM;

	if (rc < 0)
		snprintf(err, errlen, "cannot write %s: %s", path ? path : name, strerror(-rc));
	free(path);
	return rc;
}

int summary_write(const char *outdir, FILE *term, char *err, size_t errlen)
{
	DIR *d = opendir(outdir);
	struct dirent *e;
	struct row *rows = NULL;
	size_t n = 0;
	json_t *first = NULL;
	char *csv = NULL;
	size_t csvlen = 0;
	int rc = 0;

	if (!d) {
		rc = -errno;
		snprintf(err, errlen, "cannot read '%s': %s", outdir, strerror(errno));
		return rc;
	}
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char *rp = str_printf("%s/%s/" REPORT_FILE_FULL, outdir, e->d_name);
		json_t *j = rp ? json_load_file(rp, 0, NULL) : NULL;

		free(rp);
		if (!j)
			continue;	/* not a student, or not graded yet */
		struct row *g = realloc(rows, (n + 1) * sizeof(*g));

		if (!g) {
			json_decref(j);
			break;
		}
		rows = g;
		rows[n].student = strdup(e->d_name);
		rows[n].report = j;
		n++;
	}
	closedir(d);
	if (n)
		qsort(rows, n, sizeof(*rows), by_student);

	/* The columns: the tests of the first complete report, in spec order. */
	for (size_t i = 0; i < n && !first; i++)
		if (json_is_true(json_object_get(rows[i].report, "complete")))
			first = rows[i].report;
	json_t *test_cols = first ? json_object_get(first, "tests") : NULL;
	FILE *f = open_memstream(&csv, &csvlen);

	if (!f) {
		rc = -ENOMEM;
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	fprintf(f, "student,total,max,status,flaky");
	for (size_t t = 0; t < json_array_size(test_cols); t++) {
		fputc(',', f);
		csv_field(f, json_string_value(json_object_get(json_array_get(test_cols, t), "name")));
	}
	fputs("\r\n", f);

	json_t *students = json_array();
	double *totals = calloc(n ? n : 1, sizeof(double));
	size_t ntotals = 0;
	double max_score = 0;
	json_t *fail_counts = json_object(), *flaky_counts = json_object();

	for (size_t i = 0; i < n; i++) {
		json_t *r = rows[i].report;
		bool complete = json_is_true(json_object_get(r, "complete"));
		const char *problem = json_string_value(json_object_get(r, "problem"));
		json_t *b = json_object_get(r, "build");
		const char *status = !complete ? "error"
				     : json_is_true(json_object_get(b, "empty")) ? "no_submission"
				     : json_is_false(json_object_get(b, "ok")) ? "build_failed" : "graded";
		json_t *tests = json_object_get(r, "tests"), *per_test = json_object();

		csv_field(f, rows[i].student);
		fprintf(f, ",%.4g,%.4g,%s,", number(r, "score"), number(r, "max_score"), status);
		json_t *flaky = json_array(), *ft;
		size_t fk;
		char *names = NULL;
		size_t nameslen = 0;
		FILE *nf = open_memstream(&names, &nameslen);

		json_array_foreach(tests, fk, ft) {
			const char *name = json_string_value(json_object_get(ft, "name"));

			if (!name || !json_is_true(json_object_get(ft, "flaky")))
				continue;
			if (nf)
				fprintf(nf, "%s%s", json_array_size(flaky) ? ";" : "", name);
			json_array_append_new(flaky, json_string(name));
			json_t *c = json_object_get(flaky_counts, name);

			json_object_set_new(flaky_counts, name, json_integer(c ? json_integer_value(c) + 1 : 1));
		}
		if (nf)
			fclose(nf);
		if (names && *names)
			csv_field(f, names);
		free(names);
		for (size_t t = 0; t < json_array_size(test_cols); t++) {
			const char *col = json_string_value(json_object_get(json_array_get(test_cols, t), "name"));
			json_t *tt = NULL, *x;
			size_t k;

			json_array_foreach(tests, k, x)
				if (col && strcmp(json_string_value(json_object_get(x, "name")), col) == 0)
					tt = x;
			fprintf(f, ",");
			if (tt)
				fprintf(f, "%.4g", number(tt, "score"));
		}
		fputs("\r\n", f);
		json_t *x;
		size_t k;

		json_array_foreach(tests, k, x) {
			const char *name = json_string_value(json_object_get(x, "name"));

			json_object_set_new(per_test, name, json_real(number(x, "score")));
			if (complete && !json_is_true(json_object_get(x, "passed"))) {
				json_t *c = json_object_get(fail_counts, name);

				json_object_set_new(fail_counts, name, json_integer(c ? json_integer_value(c) + 1 : 1));
			}
		}
		json_t *iso = json_object_get(r, "isolation");

		json_array_append_new(students, json_pack("{s:s, s:f, s:f, s:s, s:s?, s:o, s:o, s:o}",
			"student", rows[i].student, "score", number(r, "score"),
			"max_score", number(r, "max_score"), "status", status, "problem", problem,
			"isolation", iso ? json_incref(iso) : json_null(), "tests", per_test,
			"flaky", flaky));
		if (complete) {
			totals[ntotals++] = number(r, "score");
			max_score = number(r, "max_score");
		}
	}
	fclose(f);

	/* Statistics over the complete reports. */
	double mean = 0, median = 0;

	for (size_t i = 0; i < ntotals; i++)
		mean += totals[i];
	if (ntotals) {
		mean /= (double)ntotals;
		qsort(totals, ntotals, sizeof(double), by_double);
		median = ntotals % 2 ? totals[ntotals / 2]
				     : (totals[ntotals / 2 - 1] + totals[ntotals / 2]) / 2;
	}
	int hist[10] = { 0 };

	for (size_t i = 0; i < ntotals; i++) {
		int bin = max_score > 0 ? (int)floor(totals[i] / max_score * 10) : 0;

		hist[bin > 9 ? 9 : bin < 0 ? 0 : bin]++;
	}
	json_t *jh = json_array();

	for (int b = 0; b < 10; b++)
		json_array_append_new(jh, json_integer(hist[b]));
	json_t *summary = json_pack("{s:s, s:s?, s:s?, s:i, s:i, s:f, s:f, s:f, s:o, s:o, s:O, s:o}",
		"version", hx_version(),
		"assignment", first ? json_string_value(json_object_get(json_object_get(first, "spec"), "assignment")) : NULL,
		"spec_sha256", first ? json_string_value(json_object_get(json_object_get(first, "spec"), "sha256")) : NULL,
		"submissions", (int)n, "graded", (int)ntotals, "max_score", max_score,
		"mean", mean, "median", median, "histogram", jh, "most_failed", fail_counts,
		"flaky", flaky_counts, "students", students);
	char *sj = summary ? json_dumps(summary, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;

	rc = sj ? write_one(outdir, "summary.json", sj, strlen(sj), err, errlen) : -ENOMEM;
	if (rc == -ENOMEM && !sj)
		snprintf(err, errlen, "cannot write the summary: %s", strerror(ENOMEM));
	if (rc == 0)
		rc = write_one(outdir, "summary.csv", csv, csvlen, err, errlen);
	free(sj);

	if (term && rc == 0) {
		fprintf(term, "\n%zu submission%s, %zu graded", n, n == 1 ? "" : "s", ntotals);
		if (ntotals)
			fprintf(term, ": mean %.1f, median %.1f of %.4g", mean, median, max_score);
		fprintf(term, "\n");
		int most = 1;

		for (int b = 0; b < 10; b++)
			most = hist[b] > most ? hist[b] : most;
		for (int b = 9; b >= 0 && ntotals; b--) {
			fprintf(term, "  %3d-%3d%% %4d ", b * 10, b == 9 ? 100 : b * 10 + 9, hist[b]);
			for (int k = 0; k < hist[b] * 40 / most; k++)
				fputc('#', term);
			fputc('\n', term);
		}
		/* The most failed tests, up to five. */
		const char *key;
		json_t *val;
		int shown = 0;

		while (shown < 5) {
			const char *best = NULL;
			long long bestn = 0;

			json_object_foreach(fail_counts, key, val)
				if (json_integer_value(val) > bestn) {
					bestn = json_integer_value(val);
					best = key;
				}
			if (!best)
				break;
			if (shown == 0)
				fprintf(term, "most failed tests:\n");
			fprintf(term, "  %-32s failed by %lld\n", best, bestn);
			json_object_set_new(fail_counts, best, json_integer(0));
			shown++;
		}
		/* Tests whose runs, or gradings, disagreed: a race, or luck. */
		for (void *it = json_object_iter(flaky_counts); it;
		     it = json_object_iter_next(flaky_counts, it)) {
			long long nf = json_integer_value(json_object_iter_value(it));

			fprintf(term, "flaky: %s for %lld student%s (runs or gradings disagreed)\n",
				json_object_iter_key(it), nf, nf == 1 ? "" : "s");
		}
		fprintf(term, "summary: %s/summary.csv, %s/summary.json\n", outdir, outdir);
	}
	json_decref(summary);
	json_decref(flaky_counts);
	free(totals);
out:
	free(csv);
	for (size_t i = 0; i < n; i++) {
		free(rows[i].student);
		json_decref(rows[i].report);
	}
	free(rows);
	return rc;
}

/*
 * report_html.c - OUTDIR/index.html, the instructor's view of a class.
 *
 * Generated from the class's OUTDIR/STUDENT/report.json files (and
 * OUTDIR/similarity.json when similarity.c wrote one), so `grade` and
 * `merge` write the same page. One self-contained file: inline CSS, SVG
 * and a small script; no network, works from file://. Everything is
 * rendered here, on the server side: the histogram, the tables, the
 * timelines (report_html_run.c) are plain HTML and SVG, readable without JavaScript; the
 * script only sorts and filters the students' table (and leaves a mark,
 * data-script="ok", that the browser test reads).
 *
 * Escaping. Every string that comes from a report (ids, test names,
 * outputs, diffs, messages, explanations, file names: all of them may be
 * the student's) goes through html_escape() and nothing else: it is made valid
 * UTF-8 first (text_sanitize), then & < > " ' become entities and C0
 * controls other than tab and line breaks become "\xNN". Such strings
 * are only ever put in element text or in double-quoted attribute
 * values, never in a URL, a <script>, a <style> or an event attribute;
 * links point at anchors made of numbers (#s-12). The script is a
 * constant and reads the page's DOM, not data of its own, so there is no
 * JSON-in-HTML to escape.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "file.h"
#include "html.h"
#include "fs.h"
#include "report.h"
#include "report_html.h"
#include "report_html_run.h"
#include "report_html_sim.h"
#include "run_json.h"
#include "similarity.h"
#include "str.h"
#include "text.h"

/* ---- reading reports ------------------------------------------------------ */

struct student {
	char *id;
	json_t *report;
	bool complete;
	const char *status;
	double sim_best;	/* highest similarity percent, -1 none */
	const char *sim_with;	/* the other student of that pair */
	size_t sim_with_index;
};

static int by_id(const void *a, const void *b)
{
	return strcmp(((const struct student *)a)->id, ((const struct student *)b)->id);
}

static int load_students(const char *outdir, struct student **out, size_t *nout, char *err,
			 size_t errlen)
{
	DIR *d = opendir(outdir);
	struct dirent *e;
	struct student *v = NULL;
	size_t n = 0;

	if (!d) {
		snprintf(err, errlen, "cannot read '%s': %s", outdir, strerror(errno));
		return -1;
	}
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char *rp = str_printf("%s/%s/report.json", outdir, e->d_name);
		json_t *j = rp ? json_load_file(rp, 0, NULL) : NULL;
		struct student *g;

		free(rp);
		if (!j || !json_is_object(j) || !(g = realloc(v, (n + 1) * sizeof(*g)))) {
			json_decref(j);
			continue;
		}
		v = g;
		v[n] = (struct student){ .id = strdup(e->d_name), .report = j, .sim_best = -1 };
		v[n].complete = json_is_true(json_object_get(j, "complete"));
		v[n].status = !v[n].complete ? "error" : json_is_false(json_object_get(json_object_get(j, "build"), "ok"))
			      ? "build_failed" : "graded";
		if (!v[n].id) {
			json_decref(j);
			continue;
		}
		n++;
	}
	closedir(d);
	if (n)
		qsort(v, n, sizeof(*v), by_id);
	*out = v;
	*nout = n;
	return 0;
}

static size_t student_index(const struct student *v, size_t n, const char *id)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i].id, id) == 0)
			return i;
	return SIZE_MAX;
}

/* A test is flaky for a student when its runs disagree. */
static bool test_flaky(json_t *t)
{
	json_int_t done = json_integer_value(json_object_get(t, "runs_done"));
	json_int_t passed = json_integer_value(json_object_get(t, "runs_passed"));

	return json_is_true(json_object_get(t, "flaky")) || json_is_true(json_object_get(t, "outputs_differ")) ||
	       (passed > 0 && passed < done);
}

/* ---- the page's fixed parts ----------------------------------------------------- */

static const char css[] =
	"body{font:14px/1.45 system-ui,sans-serif;margin:0 auto;max-width:1200px;padding:0 16px 40px;color:#1d2430}"
	"h1{font-size:22px;margin:18px 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #ccd}"
	"h3{font-size:15px;margin:14px 0 6px}table{border-collapse:collapse;margin:6px 0}"
	"th,td{border:1px solid #d5d8e0;padding:3px 8px;text-align:left;vertical-align:top}"
	"th{background:#eef0f5}th[data-sort]{cursor:pointer}td.n{text-align:right;font-variant-numeric:tabular-nums}"
	"pre{background:#f6f7f9;border:1px solid #dde;padding:6px 8px;overflow:auto;max-height:360px;font-size:12px;white-space:pre-wrap;overflow-wrap:anywhere}"
	"pre.src{white-space:pre;max-height:600px}td.n{white-space:nowrap}"
	".pass{color:#17702f}.fail{color:#b3261e;font-weight:600}.warn{color:#9a6700}"
	".tag{display:inline-block;border-radius:3px;padding:0 5px;margin:1px;font-size:12px;background:#eef}"
	".flaky{background:#fff1c2}.sim{background:#ffd7d2}"
	"details{margin:4px 0}summary{cursor:pointer}"
	".muted{color:#667}.bar{fill:#4a6fd1}.bar0{fill:#cfd6e6}"
	".side{display:flex;gap:8px}.side>div{flex:1;min-width:0}"
	"mark{background:#ffe08a}mark.m1{background:#ffd0c8}mark.m2{background:#c8e6ff}"
	".lane{stroke:#8893a8;stroke-width:3}.lane-unknown{stroke:#8893a8;stroke-width:2;stroke-dasharray:4 4}.lbl{font-size:11px;fill:#333}.ax{font-size:10px;fill:#667}"
	".ev-fork{stroke:#555;stroke-width:1.2;fill:none}.obj{stroke:#bbb;stroke-dasharray:3 3}"
	".g-pipe{fill:#2c7fb8;stroke:#2c7fb8}.g-mq{fill:#7b3294;stroke:#7b3294}.g-sem{fill:#d95f02;stroke:#d95f02}"
	".g-shm{fill:#1b9e77;stroke:#1b9e77}.g-io{fill:#2c7fb8;stroke:#2c7fb8}.g-futex{fill:#d95f02;stroke:#d95f02}"
	".g-exec{fill:#111;stroke:#111}.g-wait{fill:#999;stroke:#999}.g-kill{fill:#e7298a;stroke:#e7298a}"
	".g-thread{fill:#666;stroke:#666}.g-socket{fill:#66a61e;stroke:#66a61e}.g-sleep{fill:#bbb;stroke:#bbb}"
	".arrow{stroke-width:1;fill:none;opacity:.7}.exit{fill:#fff;stroke:#333}"
	".wf circle{fill:#fde0dd;stroke:#b3261e}.wf path{stroke:#b3261e;stroke-width:1.5;fill:none}"
	"#filter{padding:3px 6px;width:260px}";

/* Sorting and filtering of the students' table; nothing else needs a
 * script. It ends by marking the page, so a test can tell that it ran
 * without an error. */
static const char script[] =
	"(function(){'use strict';\n"
	"var t=document.getElementById('students');\n"
	"var body=t.tBodies[0];\n"
	"function key(tr,i,num){var c=tr.cells[i];var v=c.getAttribute('data-v');if(v===null)v=c.textContent;"
	"return num?parseFloat(v):v.toLowerCase();}\n"
	"Array.prototype.forEach.call(t.tHead.rows[0].cells,function(th,i){\n"
	" if(!th.hasAttribute('data-sort'))return;\n"
	" th.addEventListener('click',function(){\n"
	"  var num=th.getAttribute('data-sort')==='num';var dir=th.getAttribute('data-dir')==='asc'?-1:1;\n"
	"  th.setAttribute('data-dir',dir===1?'asc':'desc');\n"
	"  var rows=Array.prototype.slice.call(body.rows);\n"
	"  rows.sort(function(a,b){var x=key(a,i,num),y=key(b,i,num);return (x<y?-1:x>y?1:0)*dir;});\n"
	"  rows.forEach(function(r){body.appendChild(r);});\n"
	" });\n"
	"});\n"
	"var f=document.getElementById('filter'),s=document.getElementById('status');\n"
	"function apply(){var q=f.value.toLowerCase(),st=s.value,shown=0;\n"
	" Array.prototype.forEach.call(body.rows,function(r){\n"
	"  var ok=(!q||r.textContent.toLowerCase().indexOf(q)>=0)&&(!st||r.getAttribute('data-status')===st||"
	"(st==='failing'&&r.getAttribute('data-failing')==='1')||(st==='similar'&&r.getAttribute('data-similar')==='1'));\n"
	"  r.hidden=!ok;if(ok)shown++;});\n"
	" document.getElementById('shown').textContent=shown+' shown';}\n"
	"f.addEventListener('input',apply);s.addEventListener('change',apply);\n"
	"document.getElementById('controls').hidden=false;apply();\n"
	"document.body.setAttribute('data-script','ok');\n"
	"})();\n";

/* ---- the histogram ---------------------------------------------------------------- */

static void histogram(FILE *f, const struct student *v, size_t n)
{
	int hist[10] = { 0 }, most = 1;

	for (size_t i = 0; i < n; i++) {
		double max = html_field_num(v[i].report, "max_score"), score = html_field_num(v[i].report, "score");
		int bin;

		if (!v[i].complete)
			continue;
		bin = max > 0 ? (int)floor(score / max * 10) : 0;
		hist[bin > 9 ? 9 : bin < 0 ? 0 : bin]++;
	}
	for (int b = 0; b < 10; b++)
		most = hist[b] > most ? hist[b] : most;
	fprintf(f, "<h2 id=\"histogram\">Scores</h2>\n<svg id=\"hist\" width=\"620\" height=\"200\" "
		"role=\"img\" aria-label=\"score histogram\">\n");
	for (int b = 0; b < 10; b++) {
		int h = hist[b] * 150 / most, x = 20 + b * 60;

		fprintf(f, "<rect class=\"%s hist-bar\" data-count=\"%d\" x=\"%d\" y=\"%d\" width=\"52\" "
			"height=\"%d\"><title>%d%%-%d%%: %d</title></rect>", hist[b] ? "bar" : "bar0", hist[b],
			x, 170 - (h ? h : 1), h ? h : 1, b * 10, b == 9 ? 100 : b * 10 + 9, hist[b]);
		fprintf(f, "<text class=\"ax\" x=\"%d\" y=\"186\" text-anchor=\"middle\">%d-%d%%</text>"
			"<text class=\"lbl\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">%d</text>\n", x + 26,
			b * 10, b == 9 ? 100 : b * 10 + 9, x + 26, 165 - h, hist[b]);
	}
	fprintf(f, "</svg>\n");
}

/* ---- per test --------------------------------------------------------------------- */

struct count {
	char *key;
	int n;
};

static void count_add(struct count **v, size_t *n, const char *key)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp((*v)[i].key, key) == 0) {
			(*v)[i].n++;
			return;
		}
	struct count *g = realloc(*v, (*n + 1) * sizeof(*g));

	if (!g)
		return;
	*v = g;
	g[*n].key = strdup(key);
	g[*n].n = 1;
	if (g[*n].key)
		(*n)++;
}

static int by_count(const void *a, const void *b)
{
	const struct count *x = a, *y = b;

	return x->n != y->n ? y->n - x->n : strcmp(x->key, y->key);
}

static void counts_free(struct count *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].key);
	free(v);
}

/* The first line of a message, at most 100 bytes: what failure reasons
 * look like to a class. */
static char *first_line(const char *s)
{
	size_t len = strcspn(s, "\n");

	return strndup(s, len > 100 ? 100 : len);
}

static void tests_table(FILE *f, const struct student *v, size_t n)
{
	json_t *cols = NULL;

	for (size_t i = 0; i < n && !cols; i++)
		if (v[i].complete)
			cols = json_object_get(v[i].report, "tests");
	fprintf(f, "<h2 id=\"tests\">Tests</h2>\n<table id=\"tests-table\"><thead><tr><th>test</th>"
		"<th>points</th><th>visibility</th><th>passed by</th><th>mean</th><th>why it fails "
		"(students)</th><th>flaky</th></tr></thead><tbody>\n");
	for (size_t c = 0; c < json_array_size(cols); c++) {
		json_t *col = json_array_get(cols, c);
		const char *name = html_field_str(col, "name");
		struct count *reasons = NULL, *msgs = NULL;
		size_t nreasons = 0, nmsgs = 0;
		int graded = 0, passed = 0, flaky = 0;
		double sum = 0;

		for (size_t i = 0; i < n; i++) {
			json_t *t, *r;
			size_t k, m;

			if (!v[i].complete)
				continue;
			json_array_foreach(json_object_get(v[i].report, "tests"), k, t) {
				if (strcmp(html_field_str(t, "name"), name) != 0)
					continue;
				graded++;
				sum += html_field_num(t, "score");
				flaky += test_flaky(t);
				if (json_is_true(json_object_get(t, "passed"))) {
					passed++;
					continue;
				}
				json_t *why = json_object_get(t, "reasons");

				for (m = 0; m < json_array_size(why); m++) {
					r = json_array_get(why, m);
					count_add(&reasons, &nreasons, json_string_value(r) ? json_string_value(r) : "?");
				}
				if (json_is_string(json_object_get(t, "message"))) {
					char *line = first_line(html_field_str(t, "message"));

					if (line)
						count_add(&msgs, &nmsgs, line);
					free(line);
				}
			}
		}
		if (nreasons)
			qsort(reasons, nreasons, sizeof(*reasons), by_count);
		if (nmsgs)
			qsort(msgs, nmsgs, sizeof(*msgs), by_count);
		fprintf(f, "<tr data-test=\"");
		html_escape(f, name);
		fprintf(f, "\"><td>");
		html_escape(f, name);
		fprintf(f, "</td><td class=\"n\">%.4g</td><td>", html_field_num(col, "points"));
		html_escape(f, html_field_str(col, "visibility"));
		fprintf(f, "</td><td class=\"n\">%d of %d (%.0f%%)</td><td class=\"n\">%.3g</td><td>", passed,
			graded, graded ? 100.0 * passed / graded : 0.0, graded ? sum / graded : 0.0);
		for (size_t k = 0; k < nreasons; k++) {
			fprintf(f, "<span class=\"tag\">");
			html_escape(f, reasons[k].key);
			fprintf(f, " &times;%d</span>", reasons[k].n);
		}
		if (nmsgs) {
			fprintf(f, "<details><summary>messages</summary><ul>");
			for (size_t k = 0; k < nmsgs && k < 5; k++) {
				fprintf(f, "<li>%d &times; ", msgs[k].n);
				html_escape(f, msgs[k].key);
				fprintf(f, "</li>");
			}
			fprintf(f, "</ul></details>");
		}
		fprintf(f, "</td><td>");
		if (flaky)
			fprintf(f, "<span class=\"tag flaky\" title=\"runs or gradings of this test disagreed\">flaky for %d</span>",
				flaky);
		fprintf(f, "</td></tr>\n");
		counts_free(reasons, nreasons);
		counts_free(msgs, nmsgs);
	}
	fprintf(f, "</tbody></table>\n");
}

/* ---- the students' table ---------------------------------------------------------- */

static void students_table(FILE *f, const struct student *v, size_t n, bool have_sim)
{
	fprintf(f, "<h2 id=\"class\">Students</h2>\n<p id=\"controls\" hidden><input id=\"filter\" "
		"type=\"search\" placeholder=\"filter: id, test, status...\"> <select id=\"status\">"
		"<option value=\"\">all</option><option value=\"graded\">graded</option>"
		"<option value=\"build_failed\">build failed</option><option value=\"error\">error</option>"
		"<option value=\"failing\">failing a test</option><option value=\"similar\">similar to "
		"another</option></select> <span id=\"shown\" class=\"muted\"></span></p>\n"
		"<table id=\"students\"><thead><tr><th data-sort=\"text\">student</th>"
		"<th data-sort=\"num\">score</th><th data-sort=\"text\">status</th><th>failed tests</th>"
		"<th data-sort=\"num\">similarity</th></tr></thead><tbody>\n");
	for (size_t i = 0; i < n; i++) {
		json_t *r = v[i].report, *t;
		size_t k;
		bool failing = false;

		json_array_foreach(json_object_get(r, "tests"), k, t) {
			failing |= !json_is_true(json_object_get(t, "passed"));
		}
		fprintf(f, "<tr class=\"student\" data-status=\"%s\" data-failing=\"%d\" data-similar=\"%d\">"
			"<td data-v=\"", v[i].status, failing, v[i].sim_best >= 0);
		html_escape(f, v[i].id);
		fprintf(f, "\"><a href=\"#s-%zu\">", i + 1);
		html_escape(f, v[i].id);
		fprintf(f, "</a></td><td class=\"n\" data-v=\"%.6g\">%.4g / %.4g</td><td class=\"%s\">%s</td><td>",
			html_field_num(r, "score"), html_field_num(r, "score"), html_field_num(r, "max_score"),
			strcmp(v[i].status, "graded") == 0 ? "" : "fail", v[i].status);
		json_array_foreach(json_object_get(r, "tests"), k, t) {
			if (json_is_true(json_object_get(t, "passed")))
				continue;
			fprintf(f, "<span class=\"tag%s\">", test_flaky(t) ? " flaky" : "");
			html_escape(f, html_field_str(t, "name"));
			fprintf(f, "</span>");
		}
		fprintf(f, "</td><td class=\"n\" data-v=\"%.4g\">", v[i].sim_best);
		if (v[i].sim_best >= 0) {
			fprintf(f, "<span class=\"tag sim\">%.0f%% with <a href=\"#s-%zu\">", v[i].sim_best,
				v[i].sim_with_index + 1);
			html_escape(f, v[i].sim_with);
			fprintf(f, "</a></span>");
		} else if (!have_sim) {
			fprintf(f, "<span class=\"muted\">not run</span>");
		}
		fprintf(f, "</td></tr>\n");
	}
	fprintf(f, "</tbody></table>\n");
}

/* ---- one student ------------------------------------------------------------------------ */

static void pre(FILE *f, const char *cls, const char *text, size_t max)
{
	size_t len = strlen(text);

	fprintf(f, "<pre class=\"%s\">", cls);
	html_escape_n(f, text, len > max ? max : len);
	if (len > max)
		fprintf(f, "\n[... %zu more bytes]", len - max);
	fprintf(f, "</pre>\n");
}

static void student_section(FILE *f, const struct student *s, size_t index)
{
	json_t *r = s->report, *b = json_object_get(r, "build"), *t;
	size_t k;
	bool drew_passing = false;

	fprintf(f, "<section class=\"student-detail\" id=\"s-%zu\"><h3>", index + 1);
	html_escape(f, s->id);
	fprintf(f, ": %.4g / %.4g <span class=\"muted\">(%s, ", html_field_num(r, "score"), html_field_num(r, "max_score"), s->status);
	html_escape(f, html_field_str(r, "isolation"));
	fprintf(f, " isolation)</span></h3>\n");
	if (json_is_string(json_object_get(r, "problem"))) {
		fprintf(f, "<p class=\"warn\">");
		html_escape(f, html_field_str(r, "problem"));
		fprintf(f, "</p>\n");
	}
	if (s->sim_best >= 0) {
		fprintf(f, "<p>Similar to <a href=\"#s-%zu\">", s->sim_with_index + 1);
		html_escape(f, s->sim_with);
		fprintf(f, "</a> (%.0f%%): see <a href=\"#similarity\">similarity</a>.</p>\n", s->sim_best);
	}
	if (json_is_false(json_object_get(b, "ok"))) {
		fprintf(f, "<p class=\"fail\">did not build: ");
		html_escape(f, html_field_str(b, "problem"));
		fprintf(f, "</p>\n");
	}
	if (*html_field_str(b, "log")) {
		fprintf(f, "<details><summary>build log</summary>");
		pre(f, "log", html_field_str(b, "log"), 16384);
		fprintf(f, "</details>\n");
	}
	fprintf(f, "<table class=\"results\"><thead><tr><th>test</th><th>result</th><th>points</th>"
		"<th>runs</th></tr></thead><tbody>\n");
	json_array_foreach(json_object_get(r, "tests"), k, t) {
		bool passed = json_is_true(json_object_get(t, "passed"));

		fprintf(f, "<tr><td>");
		html_escape(f, html_field_str(t, "name"));
		fprintf(f, "</td><td class=\"%s\">%s", passed ? "pass" : "fail",
			passed ? "passed" : json_is_true(json_object_get(t, "skipped")) ? "not run" : "failed");
		if (test_flaky(t))
			fprintf(f, " <span class=\"tag flaky\">flaky</span>");
		fprintf(f, "</td><td class=\"n\">%.4g / %.4g</td><td class=\"n\">%lld of %lld passed</td></tr>\n",
			html_field_num(t, "score"), html_field_num(t, "points"), (long long)json_integer_value(json_object_get(t, "runs_passed")),
			(long long)json_integer_value(json_object_get(t, "runs_done")));
	}
	fprintf(f, "</tbody></table>\n");
	json_array_foreach(json_object_get(r, "tests"), k, t) {
		json_t *runs = json_object_get(t, "runs"), *run = NULL, *x;
		size_t j, shown = 0;
		bool passed = json_is_true(json_object_get(t, "passed"));

		if (json_is_true(json_object_get(t, "skipped")))
			continue;
		/* The run to draw: the first that failed, else the first. */
		json_array_foreach(runs, j, x) {
			if (!run && !json_is_true(json_object_get(x, "passed"))) {
				run = x;
				shown = j;
			}
		}
		if (!run) {
			run = json_array_get(runs, 0);
			shown = 0;
		}
		fprintf(f, "<details class=\"test-detail\"%s><summary>", passed ? "" : " open");
		html_escape(f, html_field_str(t, "name"));
		fprintf(f, ": <span class=\"%s\">%s</span></summary>\n", passed ? "pass" : "fail", passed ? "passed" : "failed");
		if (json_is_string(json_object_get(t, "message")))
			pre(f, "message", html_field_str(t, "message"), 8192);
		if (json_is_string(json_object_get(t, "diff")))
			pre(f, "diff", html_field_str(t, "diff"), 16384);
		if (json_is_string(json_object_get(t, "hint"))) {
			fprintf(f, "<p class=\"muted\">hint: ");
			html_escape(f, html_field_str(t, "hint"));
			fprintf(f, "</p>\n");
		}
		if (!run) {
			fprintf(f, "</details>\n");
			continue;
		}
		json_t *dl = json_object_get(run, "deadlock");

		fprintf(f, "<p class=\"muted\">run %zu of %zu: ", shown + 1, json_array_size(runs));
		html_escape(f, html_field_str(run, "verdict"));
		uint64_t seed;

		fprintf(f, ", %lld ms", (long long)json_integer_value(json_object_get(run, "wall_ms")));
		if (run_json_get_seed(run, &seed))
			fprintf(f, ", seed %" PRIu64, seed);
		fprintf(f, "</p>\n");
		if (json_is_object(dl)) {
			fprintf(f, "<h4>Deadlock</h4><p class=\"explanation\">");
			html_escape(f, html_field_str(dl, "explanation"));
			fprintf(f, "</p>\n");
			report_html_wait_for(f, dl);
		}
		/* Every failing test's run is drawn, of the passing ones only the
		 * first (they look alike; a class of hundreds stays a few MB). */
		if (!passed || !drew_passing)
			report_html_timeline(f, run);
		drew_passing |= passed;
		if (*html_field_str(run, "stdout")) {
			fprintf(f, "<details><summary>output of this run</summary>");
			pre(f, "stdout", html_field_str(run, "stdout"), 4096);
			fprintf(f, "</details>\n");
		}
		fprintf(f, "</details>\n");
	}
	fprintf(f, "</section>\n");
}

/* ---- the page ------------------------------------------------------------------------------- */

int report_html_write(const char *outdir, char *err, size_t errlen)
{
	struct student *v = NULL;
	size_t n = 0, graded = 0;
	char *buf = NULL, *path = NULL, *simpath = NULL;
	size_t len = 0;
	json_t *sim = NULL, *first = NULL;
	double mean = 0;
	int rc = 0;

	if (load_students(outdir, &v, &n, err, errlen) < 0)
		return -1;
	simpath = fs_path_join(outdir, "similarity.json");
	sim = simpath ? json_load_file(simpath, 0, NULL) : NULL;
	if (sim) {
		json_t *p;
		size_t k;

		json_array_foreach(json_object_get(sim, "pairs"), k, p) {
			size_t a = student_index(v, n, html_field_str(p, "a")), b = student_index(v, n, html_field_str(p, "b"));
			double pct = html_field_num(p, "percent");

			if (a == SIZE_MAX || b == SIZE_MAX)
				continue;
			if (pct > v[a].sim_best) {
				v[a].sim_best = pct;
				v[a].sim_with = v[b].id;
				v[a].sim_with_index = b;
			}
			if (pct > v[b].sim_best) {
				v[b].sim_best = pct;
				v[b].sim_with = v[a].id;
				v[b].sim_with_index = a;
			}
		}
	}
	for (size_t i = 0; i < n; i++)
		if (v[i].complete) {
			first = first ? first : v[i].report;
			mean += html_field_num(v[i].report, "score");
			graded++;
		}
	FILE *f = open_memstream(&buf, &len);

	if (!f) {
		snprintf(err, errlen, "out of memory");
		rc = -1;
		goto out;
	}
	json_t *spec = json_object_get(first, "spec");
	time_t now = time(NULL);
	char when[32];

	strftime(when, sizeof(when), "%Y-%m-%d %H:%M UTC", gmtime(&now));
	fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
		"<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
		"style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n"
		"<meta name=\"viewport\" content=\"width=device-width\">\n<title>");
	html_escape(f, html_field_str(spec, "assignment"));
	fprintf(f, ": class report</title>\n<style>%s</style></head>\n<body>\n<h1>", css);
	html_escape(f, html_field_str(spec, "assignment"));
	fprintf(f, ": ");
	html_escape(f, html_field_str(spec, "title"));
	fprintf(f, "</h1>\n");
	/* The arrow heads every drawing uses, defined once. */
	fprintf(f, "<svg width=\"0\" height=\"0\" style=\"position:absolute\" aria-hidden=\"true\"><defs>"
		"<marker id=\"ah\" viewBox=\"0 0 6 6\" refX=\"6\" refY=\"3\" markerWidth=\"6\" markerHeight=\"6\" "
		"orient=\"auto\"><path d=\"M0,0L6,3L0,6z\" fill=\"#555\"/></marker>"
		"<marker id=\"wh\" viewBox=\"0 0 6 6\" refX=\"6\" refY=\"3\" markerWidth=\"7\" markerHeight=\"7\" "
		"orient=\"auto\"><path d=\"M0,0L6,3L0,6z\" fill=\"#b3261e\"/></marker></defs></svg>\n");
	fprintf(f, "<p class=\"muted\">%zu submissions, %zu graded", n, graded);
	if (graded)
		fprintf(f, ", mean %.1f of %.4g", mean / (double)graded, html_field_num(first, "max_score"));
	fprintf(f, ". Written by ipcgrade %s on %s from the reports in this folder.</p>\n"
		"<p><a href=\"#histogram\">scores</a> &middot; <a href=\"#tests\">tests</a> &middot; "
		"<a href=\"#class\">students</a> &middot; <a href=\"#similarity\">similarity</a></p>\n",
		hx_version(), when);
	histogram(f, v, n);
	tests_table(f, v, n);
	students_table(f, v, n, sim != NULL);
	report_html_similarity(f, outdir, sim);
	fprintf(f, "<h2 id=\"details\">Each student</h2>\n");
	for (size_t i = 0; i < n; i++)
		student_section(f, &v[i], i);
	fprintf(f, "<script>%s</script>\n</body></html>\n", script);
	if (fclose(f) != 0) {
		snprintf(err, errlen, "out of memory");
		rc = -1;
		goto out;
	}
	path = fs_path_join(outdir, "index.html");
	if (!path || file_write_atomic(path, buf, len) < 0) {
		snprintf(err, errlen, "cannot write %s/index.html: %s", outdir, strerror(errno));
		rc = -1;
	}
out:
	free(buf);
	free(path);
	free(simpath);
	json_decref(sim);
	for (size_t i = 0; i < n; i++) {
		free(v[i].id);
		json_decref(v[i].report);
	}
	free(v);
	return rc;
}

/*
 * report_html.c - OUTDIR/index.html, the instructor's view of a class.
 *
 * Generated from the class's OUTDIR/STUDENT/report.json files (and
 * OUTDIR/similarity.json when similarity.c wrote one), so `grade` and
 * `merge` write the same page. One self-contained file: inline CSS, SVG
 * and a small script; no network, works from file://. Everything is
 * rendered here, on the server side: the histogram, the tables, the
 * timelines are plain HTML and SVG, readable without JavaScript; the
 * script only sorts and filters the students' table (and leaves a mark,
 * data-script="ok", that the browser test reads).
 *
 * Escaping. Every string that comes from a report (ids, test names,
 * outputs, diffs, messages, explanations, file names: all of them may be
 * the student's) goes through html() and nothing else: it is made valid
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
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "file.h"
#include "fs.h"
#include "report.h"
#include "report_html.h"
#include "similarity.h"
#include "str.h"
#include "text.h"

/* ---- escaping ------------------------------------------------------------- */

static void html_n(FILE *f, const char *s, size_t len)
{
	char *clean = text_sanitize(s ? s : "", s ? len : 0);

	for (const unsigned char *p = (const unsigned char *)(clean ? clean : ""); *p; p++) {
		switch (*p) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default:
			if ((*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r') || *p == 0x7f)
				fprintf(f, "\\x%02x", *p);
			else
				fputc(*p, f);
		}
	}
	free(clean);
}

static void html(FILE *f, const char *s)
{
	html_n(f, s, s ? strlen(s) : 0);
}

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

static const char *jstr(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

static double jnum(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_number(v) ? json_number_value(v) : 0.0;
}

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

	return json_is_true(json_object_get(t, "outputs_differ")) || (passed > 0 && passed < done);
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
		double max = jnum(v[i].report, "max_score"), score = jnum(v[i].report, "score");
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
		const char *name = jstr(col, "name");
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
				if (strcmp(jstr(t, "name"), name) != 0)
					continue;
				graded++;
				sum += jnum(t, "score");
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
					char *line = first_line(jstr(t, "message"));

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
		html(f, name);
		fprintf(f, "\"><td>");
		html(f, name);
		fprintf(f, "</td><td class=\"n\">%.4g</td><td>", jnum(col, "points"));
		html(f, jstr(col, "visibility"));
		fprintf(f, "</td><td class=\"n\">%d of %d (%.0f%%)</td><td class=\"n\">%.3g</td><td>", passed,
			graded, graded ? 100.0 * passed / graded : 0.0, graded ? sum / graded : 0.0);
		for (size_t k = 0; k < nreasons; k++) {
			fprintf(f, "<span class=\"tag\">");
			html(f, reasons[k].key);
			fprintf(f, " &times;%d</span>", reasons[k].n);
		}
		if (nmsgs) {
			fprintf(f, "<details><summary>messages</summary><ul>");
			for (size_t k = 0; k < nmsgs && k < 5; k++) {
				fprintf(f, "<li>%d &times; ", msgs[k].n);
				html(f, msgs[k].key);
				fprintf(f, "</li>");
			}
			fprintf(f, "</ul></details>");
		}
		fprintf(f, "</td><td>");
		if (flaky)
			fprintf(f, "<span class=\"tag flaky\" title=\"runs of this test disagreed\">flaky for %d</span>",
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
		html(f, v[i].id);
		fprintf(f, "\"><a href=\"#s-%zu\">", i + 1);
		html(f, v[i].id);
		fprintf(f, "</a></td><td class=\"n\" data-v=\"%.6g\">%.4g / %.4g</td><td class=\"%s\">%s</td><td>",
			jnum(r, "score"), jnum(r, "score"), jnum(r, "max_score"),
			strcmp(v[i].status, "graded") == 0 ? "" : "fail", v[i].status);
		json_array_foreach(json_object_get(r, "tests"), k, t) {
			if (json_is_true(json_object_get(t, "passed")))
				continue;
			fprintf(f, "<span class=\"tag%s\">", test_flaky(t) ? " flaky" : "");
			html(f, jstr(t, "name"));
			fprintf(f, "</span>");
		}
		fprintf(f, "</td><td class=\"n\" data-v=\"%.4g\">", v[i].sim_best);
		if (v[i].sim_best >= 0) {
			fprintf(f, "<span class=\"tag sim\">%.0f%% with <a href=\"#s-%zu\">", v[i].sim_best,
				v[i].sim_with_index + 1);
			html(f, v[i].sim_with);
			fprintf(f, "</a></span>");
		} else if (!have_sim) {
			fprintf(f, "<span class=\"muted\">not run</span>");
		}
		fprintf(f, "</td></tr>\n");
	}
	fprintf(f, "</tbody></table>\n");
}

/* ---- the drawing of a run ------------------------------------------------------------ */

struct lane {
	int pid, ppid;
	double start, end;	/* us */
	bool exited;		/* end is a known exit */
	char label[96];
	int exit_code, signal_known;
	char signal[16];
};

struct obj {
	char key[80];
};

static int lane_of(const struct lane *l, size_t n, int pid)
{
	for (size_t i = 0; i < n; i++)
		if (l[i].pid == pid)
			return (int)i;
	return -1;
}

static int add_lane(struct lane **l, size_t *n, int pid, int ppid, double start)
{
	int i = lane_of(*l, *n, pid);
	struct lane *g;

	if (i >= 0 || *n >= 64 || !(g = realloc(*l, (*n + 1) * sizeof(*g))))
		return i;
	*l = g;
	g[*n] = (struct lane){ .pid = pid, .ppid = ppid, .start = start, .end = start, .exit_code = -1 };
	snprintf(g[*n].label, sizeof(g[*n].label), "pid %d", pid);
	return (int)(*n)++;
}

static int by_start(const void *a, const void *b)
{
	const struct lane *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->pid - y->pid;
}

/* The IPC object an event is about: "pipe:[123]" in parentheses, or the
 * first quoted name; "" when it names none. */
static void object_key(const char *group, const char *detail, char *key, size_t size)
{
	const char *p = strchr(detail, '('), *q;

	key[0] = '\0';
	if (p && (q = strchr(p, ')')) && q - p > 1 && strncmp(p + 1, "CLONE", 5) != 0) {
		snprintf(key, size, "%.*s", (int)(q - p - 1), p + 1);
		return;
	}
	if ((p = strchr(detail, '"')) && (q = strchr(p + 1, '"'))) {
		snprintf(key, size, "%s %.*s", group, (int)(q - p - 1), p + 1);
		return;
	}
	if (strcmp(group, "shm") == 0 || strcmp(group, "sem") == 0 || strcmp(group, "mq") == 0 ||
	    strcmp(group, "pipe") == 0)
		snprintf(key, size, "%s", group);
}

static int obj_of(struct obj **o, size_t *n, const char *key)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp((*o)[i].key, key) == 0)
			return (int)i;
	struct obj *g;

	if (*n >= 16 || !(g = realloc(*o, (*n + 1) * sizeof(*g))))
		return -1;
	*o = g;
	snprintf(g[*n].key, sizeof(g[*n].key), "%s", key);
	return (int)(*n)++;
}

/* Whether a call makes the object, or moves data or a token out of the
 * process (an arrow to the object), rather than taking from it. */
static bool call_gives(const char *call)
{
	static const char *const gives[] = { "write", "writev", "mq_send", "mq_timedsend", "msgsnd",
					     "sem_post", "semop", "pwrite64", "sendmsg", "send", "pipe",
					     "pipe2", "mkfifo", "shm_open", "sem_open", "mq_open", "shmget",
					     "semget", "msgget", "mmap", "sem_init", NULL };

	for (size_t i = 0; gives[i]; i++)
		if (strcmp(call, gives[i]) == 0)
			return true;
	return false;
}

#define TL_LEFT 110
#define TL_WIDTH 820
#define TL_LANE 26

/*
 * The time axis. IPC programs do everything in the first millisecond and
 * then wait (for a deadlock's 500 ms, or a sleep), so a linear axis puts
 * every event on one pixel. The axis is by order instead: each distinct
 * event time gets its own step, and the labels say the real times.
 */
struct scale {
	double *t;		/* knots: distinct times, sorted, 0 and the end included */
	size_t n;
};

static int by_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void scale_init(struct scale *sc, json_t *events, double span)
{
	json_t *e;
	size_t k, n = 0;

	sc->t = malloc((json_array_size(events) + 2) * sizeof(double));
	sc->n = 0;
	if (!sc->t)
		return;
	sc->t[n++] = 0;
	json_array_foreach(events, k, e) {
		sc->t[n++] = jnum(e, "t_us");
	}
	sc->t[n++] = span;
	qsort(sc->t, n, sizeof(double), by_double);
	for (size_t i = 0; i < n; i++)
		if (sc->n == 0 || sc->t[i] > sc->t[sc->n - 1])
			sc->t[sc->n++] = sc->t[i];
}

static double tl_x(const struct scale *sc, double t)
{
	if (!sc->t || sc->n < 2)
		return TL_LEFT;
	double step = (double)TL_WIDTH / (double)(sc->n - 1);

	for (size_t i = 1; i < sc->n; i++)
		if (t <= sc->t[i]) {
			double f = (t - sc->t[i - 1]) / (sc->t[i] - sc->t[i - 1]);

			return TL_LEFT + step * ((double)(i - 1) + (f < 0 ? 0 : f));
		}
	return TL_LEFT + TL_WIDTH;
}

static void timeline(FILE *f, json_t *run)
{
	json_t *events = json_object_get(run, "events"), *plist = json_object_get(run, "process_list");
	json_t *e;
	struct lane *lanes = NULL;
	struct obj *objs = NULL;
	struct scale sc;
	size_t nl = 0, no = 0, k;
	double span = jnum(run, "wall_ms") * 1000.0;
	bool known = json_array_size(plist) > 0;

	/* The processes: process_list where the report has it, else what the
	 * events show (pid 1 from the start, each fork's child from the fork;
	 * when they exited is not known then). */
	if (known) {
		json_array_foreach(plist, k, e) {
			int i = add_lane(&lanes, &nl, (int)json_integer_value(json_object_get(e, "pid")),
					 (int)json_integer_value(json_object_get(e, "ppid")), jnum(e, "start_us"));

			if (i < 0)
				continue;
			if (json_is_number(json_object_get(e, "end_us"))) {
				lanes[i].end = jnum(e, "end_us");
				lanes[i].exited = true;
			}
			const char *name = json_is_string(json_object_get(e, "exec")) ? jstr(e, "exec") : jstr(e, "comm");

			if (*name)
				snprintf(lanes[i].label, sizeof(lanes[i].label), "pid %d %.80s", lanes[i].pid, name);
			if (json_is_integer(json_object_get(e, "exit_code")))
				lanes[i].exit_code = (int)json_integer_value(json_object_get(e, "exit_code"));
			if (json_is_string(json_object_get(e, "signal"))) {
				snprintf(lanes[i].signal, sizeof(lanes[i].signal), "%s", jstr(e, "signal"));
				lanes[i].signal_known = 1;
			}
			if (lanes[i].end > span)
				span = lanes[i].end;
		}
	} else {
		add_lane(&lanes, &nl, 1, 0, 0);
	}
	json_array_foreach(events, k, e) {
		double t = jnum(e, "t_us");
		int pid = (int)json_integer_value(json_object_get(e, "pid"));
		int child = (int)json_integer_value(json_object_get(e, "child"));
		int i = add_lane(&lanes, &nl, pid, (int)json_integer_value(json_object_get(e, "ppid")), t);

		if (child > 0)
			add_lane(&lanes, &nl, child, pid, t);
		if (i >= 0 && !lanes[i].exited && t > lanes[i].end)
			lanes[i].end = t;
		if (t > span)
			span = t;
	}
	if (nl)
		qsort(lanes, nl, sizeof(*lanes), by_start);
	scale_init(&sc, events, span);
	json_array_foreach(events, k, e) {
		char key[80];

		object_key(jstr(e, "group"), jstr(e, "detail"), key, sizeof(key));
		if (key[0])
			obj_of(&objs, &no, key);
	}
	int height = (int)(nl + no) * TL_LANE + 40;

	fprintf(f, "<svg class=\"timeline\" data-lanes=\"%zu\" width=\"%d\" height=\"%d\" role=\"img\" "
		"aria-label=\"timeline of the run\">\n", nl, TL_LEFT + TL_WIDTH + 30, height);
	for (int tick = 0; tick <= 4; tick++) {
		double t = sc.n ? sc.t[(sc.n - 1) * (size_t)tick / 4] : 0;

		fprintf(f, "<text class=\"ax\" x=\"%.0f\" y=\"%d\" text-anchor=\"middle\">%.2f ms</text>",
			tl_x(&sc, t), height - 6, t / 1000.0);
	}
	fprintf(f, "\n");
	for (size_t i = 0; i < nl; i++) {
		int y = 20 + (int)i * TL_LANE;

		fprintf(f, "<g class=\"proc-lane\" data-pid=\"%d\"><text class=\"lbl\" x=\"4\" y=\"%d\">", lanes[i].pid,
			y + 4);
		html(f, lanes[i].label);
		fprintf(f, "</text><line class=\"lane\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\"><title>pid %d "
			"(parent %d)</title></line>", tl_x(&sc, lanes[i].start), y,
			tl_x(&sc, lanes[i].end), y, lanes[i].pid, lanes[i].ppid);
		if (!lanes[i].exited && lanes[i].end < span)
			fprintf(f, "<line class=\"lane-unknown\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\"><title>pid %d: "
				"when it exited is not in this report</title></line>", tl_x(&sc, lanes[i].end), y,
				tl_x(&sc, span), y, lanes[i].pid);
		if (lanes[i].exited) {
			fprintf(f, "<circle class=\"exit\" cx=\"%.1f\" cy=\"%d\" r=\"4\"><title>exit", tl_x(&sc, lanes[i].end), y);
			if (lanes[i].signal_known) {
				fprintf(f, " by ");
				html(f, lanes[i].signal);
			} else if (lanes[i].exit_code >= 0) {
				fprintf(f, " %d", lanes[i].exit_code);
			}
			fprintf(f, "</title></circle>");
		}
		fprintf(f, "</g>\n");
	}
	for (size_t o = 0; o < no; o++) {
		int y = 20 + (int)(nl + o) * TL_LANE;

		fprintf(f, "<g class=\"obj-lane\"><text class=\"lbl\" x=\"4\" y=\"%d\">", y + 4);
		html(f, objs[o].key);
		fprintf(f, "</text><line class=\"obj\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/></g>\n", TL_LEFT, y,
			TL_LEFT + TL_WIDTH, y);
	}
	json_array_foreach(events, k, e) {
		double x = tl_x(&sc, jnum(e, "t_us"));
		int li = lane_of(lanes, nl, (int)json_integer_value(json_object_get(e, "pid")));
		int child = lane_of(lanes, nl, (int)json_integer_value(json_object_get(e, "child")));
		const char *group = jstr(e, "group");
		char key[80];
		int y;

		if (li < 0)
			continue;
		y = 20 + li * TL_LANE;
		if (child >= 0 && json_integer_value(json_object_get(e, "child")) > 0)
			fprintf(f, "<path class=\"ev-fork\" marker-end=\"url(#ah)\" d=\"M%.1f,%dL%.1f,%d\"/>", x, y, x,
				20 + child * TL_LANE + (child > li ? -3 : 3));
		object_key(group, jstr(e, "detail"), key, sizeof(key));
		int oi = key[0] ? obj_of(&objs, &no, key) : -1;

		if (oi >= 0) {
			int oy = 20 + (int)(nl + (size_t)oi) * TL_LANE;
			bool out = call_gives(jstr(e, "call"));

			fprintf(f, "<path class=\"arrow g-%s\" marker-end=\"url(#ah)\" d=\"M%.1f,%dL%.1f,%d\"/>",
				group, x, out ? y + 4 : oy - 2, x, out ? oy - 3 : y + 5);
		}
		if (strcmp(group, "exec") == 0)
			fprintf(f, "<rect class=\"g-exec\" x=\"%.1f\" y=\"%d\" width=\"7\" height=\"7\" "
				"transform=\"rotate(45 %.1f %d)\">", x - 3.5, y - 3, x, y);
		else
			fprintf(f, "<circle class=\"ev g-%s\" cx=\"%.1f\" cy=\"%d\" r=\"3.5\">", group, x, y);
		fprintf(f, "<title>%.3f ms pid %d ", jnum(e, "t_us") / 1000.0, lanes[li].pid);
		html(f, jstr(e, "call"));
		fprintf(f, " ");
		html(f, jstr(e, "detail"));
		fprintf(f, "</title></%s>\n", strcmp(group, "exec") == 0 ? "rect" : "circle");
	}
	fprintf(f, "</svg>\n<p class=\"muted legend\">Lanes: processes in creation order%s; arrows down from "
		"a lane: fork; to and from the dashed lines: traffic with that IPC object. The axis is in "
		"event order (one step per event), labelled with real times. Hover for each call.</p>\n",
		known ? "" : " (dashed: still alive or already exited, this report does not say)");
	if (json_is_true(json_object_get(run, "events_truncated")))
		fprintf(f, "<p class=\"muted\">The first %zu of %lld events are drawn.</p>\n", json_array_size(events),
			(long long)json_integer_value(json_object_get(run, "events_total")));
	free(sc.t);
	free(lanes);
	free(objs);
}

/* The wait-for graph of a deadlock: who waits for whom, the cycle in red. */
static void wait_for_graph(FILE *f, json_t *dl)
{
	json_t *procs = json_object_get(dl, "processes"), *cycle = json_object_get(dl, "cycle"), *p;
	size_t n = json_array_size(procs), k;
	double cx = 260, cy = 115, rad = n > 1 ? 85 : 0;

	if (!n)
		return;
	fprintf(f, "<svg class=\"wf\" width=\"520\" height=\"230\" role=\"img\" aria-label=\"wait-for graph\">\n");
	/* The cycle [1, 3] means 1 waits for 3 and 3 for 1. */
	size_t len_c = json_array_size(cycle);

	for (size_t c = 0; len_c > 1 && c < len_c; c++) {
		int a = (int)json_integer_value(json_array_get(cycle, c));
		int b = (int)json_integer_value(json_array_get(cycle, (c + 1) % len_c));
		size_t ia = n, ib = n;

		json_array_foreach(procs, k, p) {
			if (json_integer_value(json_object_get(p, "pid")) == a)
				ia = k;
			if (json_integer_value(json_object_get(p, "pid")) == b)
				ib = k;
		}
		if (ia == n || ib == n || ia == ib)
			continue;
		double ax = cx + rad * cos(2 * M_PI * (double)ia / (double)n);
		double ay = cy + rad * sin(2 * M_PI * (double)ia / (double)n);
		double bx = cx + rad * cos(2 * M_PI * (double)ib / (double)n);
		double by = cy + rad * sin(2 * M_PI * (double)ib / (double)n);
		double dx = bx - ax, dy = by - ay, len = sqrt(dx * dx + dy * dy);

		if (len < 1)
			continue;
		/* Bent to the left of its direction, so a -> b and b -> a both show. */
		double nx = -dy / len, ny = dx / len;

		fprintf(f, "<path d=\"M%.1f,%.1fQ%.1f,%.1f %.1f,%.1f\" marker-end=\"url(#wh)\"/>\n",
			ax + dx / len * 20 + nx * 6, ay + dy / len * 20 + ny * 6, (ax + bx) / 2 + nx * 30,
			(ay + by) / 2 + ny * 30, bx - dx / len * 22 + nx * 6, by - dy / len * 22 + ny * 6);
	}
	json_array_foreach(procs, k, p) {
		double x = cx + rad * cos(2 * M_PI * (double)k / (double)n);
		double y = cy + rad * sin(2 * M_PI * (double)k / (double)n);

		fprintf(f, "<g><circle cx=\"%.1f\" cy=\"%.1f\" r=\"19\"/><text class=\"lbl\" x=\"%.1f\" y=\"%.1f\" "
			"text-anchor=\"middle\">pid %lld</text><title>", x, y, x, y + 4,
			(long long)json_integer_value(json_object_get(p, "pid")));
		html(f, jstr(p, "detail"));
		fprintf(f, "</title></g>\n");
	}
	fprintf(f, "</svg>\n<ul class=\"wf-list\">");
	json_array_foreach(procs, k, p) {
		fprintf(f, "<li>pid %lld blocked in <code>", (long long)json_integer_value(json_object_get(p, "pid")));
		html(f, jstr(p, "blocked_in"));
		fprintf(f, "</code> on <code>");
		html(f, jstr(p, "object"));
		fprintf(f, "</code>: ");
		html(f, jstr(p, "detail"));
		fprintf(f, "</li>");
	}
	fprintf(f, "</ul>\n");
}

/* ---- one student ------------------------------------------------------------------------ */

static void pre(FILE *f, const char *cls, const char *text, size_t max)
{
	size_t len = strlen(text);

	fprintf(f, "<pre class=\"%s\">", cls);
	html_n(f, text, len > max ? max : len);
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
	html(f, s->id);
	fprintf(f, ": %.4g / %.4g <span class=\"muted\">(%s, ", jnum(r, "score"), jnum(r, "max_score"), s->status);
	html(f, jstr(r, "isolation"));
	fprintf(f, " isolation)</span></h3>\n");
	if (json_is_string(json_object_get(r, "problem"))) {
		fprintf(f, "<p class=\"warn\">");
		html(f, jstr(r, "problem"));
		fprintf(f, "</p>\n");
	}
	if (s->sim_best >= 0) {
		fprintf(f, "<p>Similar to <a href=\"#s-%zu\">", s->sim_with_index + 1);
		html(f, s->sim_with);
		fprintf(f, "</a> (%.0f%%): see <a href=\"#similarity\">similarity</a>.</p>\n", s->sim_best);
	}
	if (json_is_false(json_object_get(b, "ok"))) {
		fprintf(f, "<p class=\"fail\">did not build: ");
		html(f, jstr(b, "problem"));
		fprintf(f, "</p>\n");
	}
	if (*jstr(b, "log")) {
		fprintf(f, "<details><summary>build log</summary>");
		pre(f, "log", jstr(b, "log"), 16384);
		fprintf(f, "</details>\n");
	}
	fprintf(f, "<table class=\"results\"><thead><tr><th>test</th><th>result</th><th>points</th>"
		"<th>runs</th></tr></thead><tbody>\n");
	json_array_foreach(json_object_get(r, "tests"), k, t) {
		bool passed = json_is_true(json_object_get(t, "passed"));

		fprintf(f, "<tr><td>");
		html(f, jstr(t, "name"));
		fprintf(f, "</td><td class=\"%s\">%s", passed ? "pass" : "fail",
			passed ? "passed" : json_is_true(json_object_get(t, "skipped")) ? "not run" : "failed");
		if (test_flaky(t))
			fprintf(f, " <span class=\"tag flaky\">flaky</span>");
		fprintf(f, "</td><td class=\"n\">%.4g / %.4g</td><td class=\"n\">%lld of %lld passed</td></tr>\n",
			jnum(t, "score"), jnum(t, "points"), (long long)json_integer_value(json_object_get(t, "runs_passed")),
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
		html(f, jstr(t, "name"));
		fprintf(f, ": <span class=\"%s\">%s</span></summary>\n", passed ? "pass" : "fail", passed ? "passed" : "failed");
		if (json_is_string(json_object_get(t, "message")))
			pre(f, "message", jstr(t, "message"), 8192);
		if (json_is_string(json_object_get(t, "diff")))
			pre(f, "diff", jstr(t, "diff"), 16384);
		if (json_is_string(json_object_get(t, "hint"))) {
			fprintf(f, "<p class=\"muted\">hint: ");
			html(f, jstr(t, "hint"));
			fprintf(f, "</p>\n");
		}
		if (!run) {
			fprintf(f, "</details>\n");
			continue;
		}
		json_t *dl = json_object_get(run, "deadlock");

		fprintf(f, "<p class=\"muted\">run %zu of %zu: ", shown + 1, json_array_size(runs));
		html(f, jstr(run, "verdict"));
		fprintf(f, ", %lld ms, seed %llu</p>\n", (long long)json_integer_value(json_object_get(run, "wall_ms")),
			(unsigned long long)json_integer_value(json_object_get(run, "seed")));
		if (json_is_object(dl)) {
			fprintf(f, "<h4>Deadlock</h4><p class=\"explanation\">");
			html(f, jstr(dl, "explanation"));
			fprintf(f, "</p>\n");
			wait_for_graph(f, dl);
		}
		/* Every failing test's run is drawn, of the passing ones only the
		 * first (they look alike; a class of hundreds stays a few MB). */
		if (!passed || !drew_passing)
			timeline(f, run);
		drew_passing |= passed;
		if (*jstr(run, "stdout")) {
			fprintf(f, "<details><summary>output of this run</summary>");
			pre(f, "stdout", jstr(run, "stdout"), 4096);
			fprintf(f, "</details>\n");
		}
		fprintf(f, "</details>\n");
	}
	fprintf(f, "</section>\n");
}

/* ---- similarity ------------------------------------------------------------------------- */

/* A submission's bundled sources (similarity.c), lines between from and
 * to (1-based) marked with class cls. */
static void source_side(FILE *f, const char *outdir, const char *id, json_t *pair, const char *side)
{
	char *path = str_printf("%s/%s/%s", outdir, id, SIMILARITY_SOURCES);
	char *text = NULL;

	if (path && file_read_all(path, 512 * 1024, &text, NULL) < 0)
		text = NULL;
	json_t *regions = json_object_get(pair, "regions"), *reg;
	char from_key[8], to_key[8];
	int line = 1;
	size_t k;

	snprintf(from_key, sizeof(from_key), "%s_from", side);
	snprintf(to_key, sizeof(to_key), "%s_to", side);
	fprintf(f, "<div><b>");
	html(f, id);
	fprintf(f, "</b><pre class=\"src\">");
	for (const char *p = text ? text : ""; *p; line++) {
		size_t len = strcspn(p, "\n");
		int mark = 0;

		json_array_foreach(regions, k, reg) {
			if (line >= jnum(reg, from_key) && line <= jnum(reg, to_key))
				mark = 1 + (int)(k % 2);
		}
		fprintf(f, "%4d ", line);
		if (mark)
			fprintf(f, "<mark class=\"m%d\">", mark);
		html_n(f, p, len);
		if (mark)
			fprintf(f, "</mark>");
		fputc('\n', f);
		p += len;
		if (*p)
			p++;
	}
	if (!text)
		fprintf(f, "(the sources are not in this folder)");
	fprintf(f, "</pre></div>");
	free(text);
	free(path);
}

/* Bounds for a class where many copied: the page stays a page. */
#define MAX_PAIRS_LISTED 300
#define MAX_PAIRS_SHOWN 40

static void similarity_section(FILE *f, const char *outdir, json_t *sim)
{
	json_t *pairs = json_object_get(sim, "pairs"), *p;
	size_t k;

	fprintf(f, "<h2 id=\"similarity\">Similarity</h2>\n");
	if (!sim) {
		fprintf(f, "<p class=\"muted\">Not computed for this folder (see similarity.csv, or `grade` "
			"without --no-similarity).</p>\n");
		return;
	}
	if (json_is_string(json_object_get(sim, "error"))) {
		fprintf(f, "<p class=\"warn\">");
		html(f, jstr(sim, "error"));
		fprintf(f, "</p>\n");
		return;
	}
	fprintf(f, "<p class=\"muted\">");
	html(f, jstr(sim, "tool"));
	fprintf(f, " over %lld submissions, starter code %s; pairs at or above %.0f%% of the smaller "
		"submission's own tokens (%lld-token runs at least).</p>\n",
		(long long)json_integer_value(json_object_get(sim, "submissions")),
		json_is_true(json_object_get(sim, "starter_excluded")) ? "excluded" : "not excluded (none found)",
		jnum(sim, "threshold"), (long long)json_integer_value(json_object_get(sim, "min_run")));
	if (!json_array_size(pairs)) {
		fprintf(f, "<p id=\"no-similar\">No pair above the threshold.</p>\n");
		return;
	}
	fprintf(f, "<table id=\"similar-pairs\"><thead><tr><th>students</th><th>similarity</th>"
		"<th>shared tokens</th></tr></thead><tbody>\n");
	json_array_foreach(pairs, k, p) {
		if (k >= MAX_PAIRS_LISTED)
			break;
		if (k < MAX_PAIRS_SHOWN)
			fprintf(f, "<tr class=\"sim-pair\"><td><a href=\"#pair-%zu\">", k + 1);
		else
			fprintf(f, "<tr class=\"sim-pair\"><td><a>");
		html(f, jstr(p, "a"));
		fprintf(f, " &amp; ");
		html(f, jstr(p, "b"));
		fprintf(f, "</a></td><td class=\"n\">%.0f%%</td><td class=\"n\">%lld</td></tr>\n", jnum(p, "percent"),
			(long long)json_integer_value(json_object_get(p, "tokens")));
	}
	fprintf(f, "</tbody></table>\n");
	if (json_array_size(pairs) > MAX_PAIRS_LISTED)
		fprintf(f, "<p class=\"muted\">%zu more pairs are in similarity.csv.</p>\n",
			json_array_size(pairs) - MAX_PAIRS_LISTED);
	json_array_foreach(pairs, k, p) {
		if (k >= MAX_PAIRS_SHOWN) {
			fprintf(f, "<p class=\"muted\">The %d most similar pairs are shown side by side.</p>\n",
				MAX_PAIRS_SHOWN);
			break;
		}
		fprintf(f, "<details class=\"pair\" id=\"pair-%zu\"><summary>", k + 1);
		html(f, jstr(p, "a"));
		fprintf(f, " &amp; ");
		html(f, jstr(p, "b"));
		fprintf(f, ": %.0f%%, %zu matching regions</summary><div class=\"side\">", jnum(p, "percent"),
			json_array_size(json_object_get(p, "regions")));
		source_side(f, outdir, jstr(p, "a"), p, "a");
		source_side(f, outdir, jstr(p, "b"), p, "b");
		fprintf(f, "</div></details>\n");
	}
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
			size_t a = student_index(v, n, jstr(p, "a")), b = student_index(v, n, jstr(p, "b"));
			double pct = jnum(p, "percent");

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
			mean += jnum(v[i].report, "score");
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
	html(f, jstr(spec, "assignment"));
	fprintf(f, ": class report</title>\n<style>%s</style></head>\n<body>\n<h1>", css);
	html(f, jstr(spec, "assignment"));
	fprintf(f, ": ");
	html(f, jstr(spec, "title"));
	fprintf(f, "</h1>\n");
	/* The arrow heads every drawing uses, defined once. */
	fprintf(f, "<svg width=\"0\" height=\"0\" style=\"position:absolute\" aria-hidden=\"true\"><defs>"
		"<marker id=\"ah\" viewBox=\"0 0 6 6\" refX=\"6\" refY=\"3\" markerWidth=\"6\" markerHeight=\"6\" "
		"orient=\"auto\"><path d=\"M0,0L6,3L0,6z\" fill=\"#555\"/></marker>"
		"<marker id=\"wh\" viewBox=\"0 0 6 6\" refX=\"6\" refY=\"3\" markerWidth=\"7\" markerHeight=\"7\" "
		"orient=\"auto\"><path d=\"M0,0L6,3L0,6z\" fill=\"#b3261e\"/></marker></defs></svg>\n");
	fprintf(f, "<p class=\"muted\">%zu submissions, %zu graded", n, graded);
	if (graded)
		fprintf(f, ", mean %.1f of %.4g", mean / (double)graded, jnum(first, "max_score"));
	fprintf(f, ". Written by ipcgrade %s on %s from the reports in this folder.</p>\n"
		"<p><a href=\"#histogram\">scores</a> &middot; <a href=\"#tests\">tests</a> &middot; "
		"<a href=\"#class\">students</a> &middot; <a href=\"#similarity\">similarity</a></p>\n",
		hx_version(), when);
	histogram(f, v, n);
	tests_table(f, v, n);
	students_table(f, v, n, sim != NULL);
	similarity_section(f, outdir, sim);
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

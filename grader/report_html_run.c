/*
 * report_html_run.c - the drawing of one run in the class report (see
 * report_html_run.h): processes as lanes in creation order, fork, exec
 * and exit, IPC traffic as marks and arrows over time (an SVG), and for
 * a deadlock the wait-for graph. Made from the run's report.json object
 * only; every string from it goes through html_escape().
 */
#define _GNU_SOURCE
#include <jansson.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "html.h"
#include "report_html_run.h"

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
		sc->t[n++] = html_field_num(e, "t_us");
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

void report_html_timeline(FILE *f, json_t *run)
{
	json_t *events = json_object_get(run, "events"), *plist = json_object_get(run, "process_list");
	json_t *e;
	struct lane *lanes = NULL;
	struct obj *objs = NULL;
	struct scale sc;
	size_t nl = 0, no = 0, k;
	double span = html_field_num(run, "wall_ms") * 1000.0;
	bool known = json_array_size(plist) > 0;

	/* The processes: process_list where the report has it, else what the
	 * events show (pid 1 from the start, each fork's child from the fork;
	 * when they exited is not known then). */
	if (known) {
		json_array_foreach(plist, k, e) {
			int i = add_lane(&lanes, &nl, (int)json_integer_value(json_object_get(e, "pid")),
					 (int)json_integer_value(json_object_get(e, "ppid")), html_field_num(e, "start_us"));

			if (i < 0)
				continue;
			if (json_is_number(json_object_get(e, "end_us"))) {
				lanes[i].end = html_field_num(e, "end_us");
				lanes[i].exited = true;
			}
			const char *name = json_is_string(json_object_get(e, "exec")) ? html_field_str(e, "exec") : html_field_str(e, "comm");

			if (*name)
				snprintf(lanes[i].label, sizeof(lanes[i].label), "pid %d %.80s", lanes[i].pid, name);
			if (json_is_integer(json_object_get(e, "exit_code")))
				lanes[i].exit_code = (int)json_integer_value(json_object_get(e, "exit_code"));
			if (json_is_string(json_object_get(e, "signal"))) {
				snprintf(lanes[i].signal, sizeof(lanes[i].signal), "%s", html_field_str(e, "signal"));
				lanes[i].signal_known = 1;
			}
			if (lanes[i].end > span)
				span = lanes[i].end;
		}
	} else {
		add_lane(&lanes, &nl, 1, 0, 0);
	}
	json_array_foreach(events, k, e) {
		double t = html_field_num(e, "t_us");
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

		object_key(html_field_str(e, "group"), html_field_str(e, "detail"), key, sizeof(key));
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
		html_escape(f, lanes[i].label);
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
				html_escape(f, lanes[i].signal);
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
		html_escape(f, objs[o].key);
		fprintf(f, "</text><line class=\"obj\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/></g>\n", TL_LEFT, y,
			TL_LEFT + TL_WIDTH, y);
	}
	json_array_foreach(events, k, e) {
		double x = tl_x(&sc, html_field_num(e, "t_us"));
		int li = lane_of(lanes, nl, (int)json_integer_value(json_object_get(e, "pid")));
		int child = lane_of(lanes, nl, (int)json_integer_value(json_object_get(e, "child")));
		const char *group = html_field_str(e, "group");
		char key[80];
		int y;

		if (li < 0)
			continue;
		y = 20 + li * TL_LANE;
		if (child >= 0 && json_integer_value(json_object_get(e, "child")) > 0)
			fprintf(f, "<path class=\"ev-fork\" marker-end=\"url(#ah)\" d=\"M%.1f,%dL%.1f,%d\"/>", x, y, x,
				20 + child * TL_LANE + (child > li ? -3 : 3));
		object_key(group, html_field_str(e, "detail"), key, sizeof(key));
		int oi = key[0] ? obj_of(&objs, &no, key) : -1;

		if (oi >= 0) {
			int oy = 20 + (int)(nl + (size_t)oi) * TL_LANE;
			bool out = call_gives(html_field_str(e, "call"));

			fprintf(f, "<path class=\"arrow g-%s\" marker-end=\"url(#ah)\" d=\"M%.1f,%dL%.1f,%d\"/>",
				group, x, out ? y + 4 : oy - 2, x, out ? oy - 3 : y + 5);
		}
		if (strcmp(group, "exec") == 0)
			fprintf(f, "<rect class=\"g-exec\" x=\"%.1f\" y=\"%d\" width=\"7\" height=\"7\" "
				"transform=\"rotate(45 %.1f %d)\">", x - 3.5, y - 3, x, y);
		else
			fprintf(f, "<circle class=\"ev g-%s\" cx=\"%.1f\" cy=\"%d\" r=\"3.5\">", group, x, y);
		fprintf(f, "<title>%.3f ms pid %d ", html_field_num(e, "t_us") / 1000.0, lanes[li].pid);
		html_escape(f, html_field_str(e, "call"));
		fprintf(f, " ");
		html_escape(f, html_field_str(e, "detail"));
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
void report_html_wait_for(FILE *f, json_t *dl)
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
		html_escape(f, html_field_str(p, "detail"));
		fprintf(f, "</title></g>\n");
	}
	fprintf(f, "</svg>\n<ul class=\"wf-list\">");
	json_array_foreach(procs, k, p) {
		fprintf(f, "<li>pid %lld blocked in <code>", (long long)json_integer_value(json_object_get(p, "pid")));
		html_escape(f, html_field_str(p, "blocked_in"));
		fprintf(f, "</code> on <code>");
		html_escape(f, html_field_str(p, "object"));
		fprintf(f, "</code>: ");
		html_escape(f, html_field_str(p, "detail"));
		fprintf(f, "</li>");
	}
	fprintf(f, "</ul>\n");
}

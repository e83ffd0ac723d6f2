/*
 * report_json.c - machine-readable results with jansson: `run --json`
 * and report.json. All text passes through text_sanitize first, so the output
 * is valid JSON whatever bytes a program printed. Keys are added over
 * time, never renamed (see ../shared/DESIGN.md).
 */
#define _GNU_SOURCE
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "reasons.h"
#include "report.h"
#include "text.h"

static json_t *jstr(const char *s, size_t len)
{
	char *clean = text_sanitize(s ? s : "", s ? len : 0);
	json_t *j = clean ? json_string(clean) : NULL;

	free(clean);
	return j ? j : json_string("");
}

static json_t *jstr0(const char *s)
{
	return jstr(s, s ? strlen(s) : 0);
}

json_t *report_json_text(const char *s)
{
	return jstr0(s);
}

static json_t *deadlock_json(const struct hx_deadlock *d)
{
	json_t *procs = json_array(), *cycle;

	for (size_t i = 0; i < d->nprocs; i++)
		json_array_append_new(procs, json_pack("{s:i, s:o, s:o, s:o}",
			"pid", d->procs[i].pid,
			"blocked_in", jstr0(d->procs[i].blocked_in),
			"object", jstr0(d->procs[i].object),
			"detail", jstr0(d->procs[i].detail)));
	if (d->cycle) {
		cycle = json_array();
		for (size_t i = 0; i < d->cycle_len; i++)
			json_array_append_new(cycle, json_integer(d->cycle[i]));
	} else {
		cycle = json_null();
	}
	return json_pack("{s:i, s:o, s:o, s:o}", "after_ms", (int)d->after_ms, "processes", procs,
			 "cycle", cycle, "explanation", jstr0(d->explanation));
}

/* The object of `ipcgrade run --json`; also each run in report.json,
 * where only the first max_events events are kept (the timeline of the
 * HTML report draws them) and "events_total" says how many there were. */
static json_t *run_json(const struct hx_result *r, size_t max_events)
{
	json_t *o = json_object();
	json_t *denied = json_object(), *ipc = json_object(), *by, *lim, *cleanup, *procs, *objs;

	json_object_set_new(o, "verdict", json_string(hx_verdict_name(r->verdict)));
	json_object_set_new(o, "verdict_detail", jstr0(r->verdict_detail));
	json_object_set_new(o, "exit_code", r->exit_code >= 0 && !r->signal
			    ? json_integer(r->exit_code) : json_null());
	json_object_set_new(o, "signal", r->signal ? json_string(hx_signal_name(r->signal))
			    : json_null());
	json_object_set_new(o, "wall_ms", json_integer((json_int_t)r->wall_ms));
	json_object_set_new(o, "cpu_ms", json_integer((json_int_t)r->cpu_ms));
	json_object_set_new(o, "memory_peak_kb", json_integer((json_int_t)r->memory_peak_kb));
	json_object_set_new(o, "stdout", jstr(r->out.data, r->out.len));
	json_object_set_new(o, "stderr", jstr(r->err.data, r->err.len));
	json_object_set_new(o, "stdout_truncated", json_boolean(r->out.truncated));
	json_object_set_new(o, "stderr_truncated", json_boolean(r->err.truncated));
	json_object_set_new(o, "isolation", json_string(hx_isolation_name(r->isolation)));
	json_object_set_new(o, "leftover_processes", json_integer(r->leftover_processes));
	for (size_t i = 0; i < r->ndenied; i++)
		json_object_set_new(denied, r->denied[i].call, json_integer(r->denied[i].count));
	json_object_set_new(o, "denied", denied);
	lim = json_pack("{s:i, s:i, s:i, s:i, s:i, s:i}", "wall_ms", (int)r->limits.wall_ms,
			"cpu_ms", (int)r->limits.cpu_ms, "memory_mb", (int)r->limits.memory_mb,
			"processes", (int)r->limits.processes, "output_kb", (int)r->limits.output_kb,
			"deadlock_after_ms", (int)r->limits.deadlock_after_ms);
	json_object_set_new(o, "limits", lim);
	by = json_pack("{s:s?, s:s?, s:s?, s:s?, s:s?}", "wall", r->limits_by.wall,
		       "cpu", r->limits_by.cpu, "memory", r->limits_by.memory,
		       "processes", r->limits_by.processes, "output", r->limits_by.output);
	json_object_set_new(o, "limits_by", by ? by : json_object());

	json_object_set_new(o, "traced", json_boolean(r->traced));
	for (int g = 0; g < HX_GROUP_COUNT; g++) {
		if ((g == HX_GROUP_FUTEX || g == HX_GROUP_IO) && !r->traced_hot)
			continue;
		json_object_set_new(ipc, hx_group_name(g), json_integer(r->ipc[g]));
	}
	json_object_set_new(o, "ipc", ipc);
	json_object_set_new(o, "processes", json_integer(r->processes));
	json_object_set_new(o, "threads", json_integer(r->threads));
	if (max_events) {
		json_t *ev = json_array();

		for (size_t i = 0; i < r->nevents && i < max_events; i++) {
			const struct hx_event *e = &r->events[i];
			json_t *je = json_pack("{s:I, s:i, s:i, s:s, s:s, s:o}", "t_us", (json_int_t)e->t_us,
					       "pid", e->pid, "ppid", e->ppid, "call", e->call,
					       "group", hx_group_name(e->group), "detail", jstr0(e->detail));

			if (je && e->child)
				json_object_set_new(je, "child", json_integer(e->child));
			if (je)
				json_array_append_new(ev, je);
		}
		json_object_set_new(o, "events", ev);
		json_object_set_new(o, "events_truncated", json_boolean(r->events_truncated ||
								      r->nevents > max_events));
		if (max_events != SIZE_MAX)
			json_object_set_new(o, "events_total", json_integer((json_int_t)r->nevents));
	}
	json_object_set_new(o, "deadlock", r->deadlock ? deadlock_json(r->deadlock) : json_null());

	procs = json_array();
	for (size_t i = 0; i < r->nleftovers; i++)
		json_array_append_new(procs, json_pack("{s:i, s:o}", "pid", r->leftovers[i].pid,
						       "comm", jstr0(r->leftovers[i].comm)));
	objs = json_array();
	for (size_t i = 0; i < r->nipc_left; i++)
		json_array_append_new(objs, json_pack("{s:o, s:o}", "kind", jstr0(r->ipc_left[i].kind),
						      "name", jstr0(r->ipc_left[i].name)));
	cleanup = json_pack("{s:o, s:o}", "processes", procs, "ipc", objs);
	json_object_set_new(o, "cleanup", cleanup);
	json_object_set_new(o, "seed", json_integer((json_int_t)r->seed));
	json_object_set_new(o, "jitter_max_us", json_integer(r->jitter_max_us));
	if (r->verdict == HX_VERDICT_INTERNAL_ERROR)
		json_object_set_new(o, "error", jstr0(r->error));
	return o;
}

static char *dump(json_t *o)
{
	char *s = o ? json_dumps(o, JSON_INDENT(2) | JSON_ENSURE_ASCII | JSON_PRESERVE_ORDER) : NULL;

	json_decref(o);
	return s;
}

char *report_json_run(const struct hx_result *res)
{
	json_t *o = run_json(res, SIZE_MAX);

	json_object_set_new(o, "version", json_string(hx_version()));
	return dump(o);
}

static json_t *reasons_json(unsigned reasons)
{
	json_t *a = json_array();
	enum reason list[REASON_COUNT];
	size_t n = reason_sorted(reasons, list);

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(reason_name(list[i])));
	return a;
}

static json_t *report_json_object(const struct grade_report *r)
{
	json_t *o = json_object(), *tests = json_array(), *build, *spec;

	json_object_set_new(o, "version", json_string(hx_version()));
	spec = json_pack("{s:o, s:o, s:s, s:o}", "assignment", jstr0(r->spec->assignment),
			 "title", jstr0(r->spec->title), "sha256", r->spec->sha256,
			 "path", jstr0(r->spec->path));
	json_object_set_new(o, "spec", spec);
	json_object_set_new(o, "student", jstr0(r->student));
	json_object_set_new(o, "submission", jstr0(r->submission));
	json_object_set_new(o, "started", json_string(r->started));
	json_object_set_new(o, "isolation", json_string(hx_isolation_name(r->isolation)));
	json_object_set_new(o, "score", json_real(r->score));
	json_object_set_new(o, "max_score", json_real(r->max_score));
	json_object_set_new(o, "ms", json_integer((json_int_t)r->ms));
	if (r->problem)
		json_object_set_new(o, "problem", jstr0(r->problem));
	build = json_pack("{s:b, s:b, s:I, s:o, s:o}", "ok", r->build.ok, "cached", r->build.cached,
			  "ms", (json_int_t)r->build.ms, "log", jstr0(r->build.log),
			  "problem", r->build.problem ? jstr0(r->build.problem) : json_null());
	json_object_set_new(o, "build", build);
	for (size_t i = 0; i < r->ntests; i++) {
		const struct test_outcome *to = &r->tests[i];
		const struct test *t = to->test;
		json_t *jt = json_object(), *runs = json_array();
		const struct run_outcome *ff = to->first_failed >= 0 ? &to->runs[to->first_failed] : NULL;

		json_object_set_new(jt, "name", jstr0(t->name));
		json_object_set_new(jt, "points", json_real(t->points));
		json_object_set_new(jt, "score", json_real(to->score));
		json_object_set_new(jt, "visibility", json_string(spec_visibility_name(t->visibility)));
		json_object_set_new(jt, "passed", json_boolean(to->passed));
		json_object_set_new(jt, "skipped", json_boolean(to->skipped));
		json_object_set_new(jt, "runs_planned", json_integer(t->runs));
		json_object_set_new(jt, "runs_done", json_integer((json_int_t)to->nruns));
		json_object_set_new(jt, "runs_passed", json_integer((json_int_t)to->npassed));
		json_object_set_new(jt, "outputs_differ", json_boolean(to->outputs_differ));
		json_object_set_new(jt, "reasons", reasons_json(to->reasons));
		json_object_set_new(jt, "message", ff && ff->message ? jstr0(ff->message) : json_null());
		json_object_set_new(jt, "diff", ff && ff->diff ? jstr0(ff->diff) : json_null());
		json_object_set_new(jt, "hint", t->hint && !to->passed ? jstr0(t->hint) : json_null());
		for (size_t j = 0; to->runs && j < to->nruns; j++) {
			json_t *jr = run_json(&to->runs[j].res, REPORT_MAX_EVENTS);

			json_object_set_new(jr, "passed", json_boolean(to->runs[j].passed));
			json_object_set_new(jr, "reasons", reasons_json(to->runs[j].reasons));
			json_object_set_new(jr, "message", to->runs[j].message
					    ? jstr0(to->runs[j].message) : json_null());
			json_object_set_new(jr, "fraction", json_real(to->runs[j].fraction));
			if (to->runs[j].checker_output)
				json_object_set_new(jr, "checker_output", jstr0(to->runs[j].checker_output));
			json_array_append_new(runs, jr);
		}
		json_object_set_new(jt, "runs", runs);
		json_array_append_new(tests, jt);
	}
	json_object_set_new(o, "tests", tests);
	return o;
}

char *report_json_grade(const struct grade_report *r)
{
	return dump(report_json_object(r));
}

char *report_json_full(const struct grade_report *r, bool complete)
{
	json_t *o = report_json_object(r);

	json_object_set_new(o, "complete", json_boolean(complete));
	return dump(o);
}

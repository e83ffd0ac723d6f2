/*
 * run_json.c - one run as JSON (see run_json.h): the object of `ipcgrade
 * run --json`, also each run in report.json and a checker's trace.json.
 * All text passes through text_sanitize first, so the output is valid
 * JSON whatever bytes a program printed. Keys are added over time, never
 * renamed (see ../shared/DESIGN.md).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run_json.h"
#include "text.h"

json_t *run_json_str(const char *s, size_t len)
{
	char *clean = text_sanitize(s ? s : "", s ? len : 0);
	json_t *j = clean ? json_string(clean) : NULL;

	free(clean);
	return j ? j : json_string("");
}

static json_t *jstr0(const char *s)
{
	return run_json_str(s, s ? strlen(s) : 0);
}


static json_t *deadlock_json(const struct hx_deadlock *d)
{
	json_t *procs = json_array(), *cycle;

	for (size_t i = 0; i < d->nprocs; i++) {
		json_t *waits = json_array();

		for (size_t k = 0; k < d->procs[i].nwaits_for; k++)
			json_array_append_new(waits, json_integer(d->procs[i].waits_for[k]));
		json_array_append_new(procs, json_pack("{s:i, s:o, s:o, s:o, s:o}",
			"pid", d->procs[i].pid,
			"blocked_in", jstr0(d->procs[i].blocked_in),
			"object", jstr0(d->procs[i].object),
			"detail", jstr0(d->procs[i].detail),
			"waits_for", waits));
	}
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

/* `process_list`: every process of the run, how and when it ended. */
static json_t *process_list_json(const struct hx_result *r)
{
	json_t *list = json_array();

	for (size_t i = 0; i < r->nprocess_list; i++) {
		const struct hx_process *p = &r->process_list[i];
		json_t *jp = json_pack("{s:i, s:i, s:s, s:o, s:o, s:o, s:b, s:I, s:o, s:b, s:b}",
				       "pid", p->pid, "ppid", p->ppid, "comm", p->comm,
				       "exec", p->exec ? json_string(p->exec) : json_null(),
				       "exit_code", p->ended && !p->signal ? json_integer(p->exit_code) : json_null(),
				       "signal", p->signal ? json_string(hx_signal_name(p->signal)) : json_null(),
				       "core_dumped", p->core_dumped, "start_us", (json_int_t)p->start_us,
				       "end_us", p->end_us ? json_integer((json_int_t)p->end_us) : json_null(),
				       "leftover", p->leftover, "killed_by_grader", p->killed_by_grader);

		if (jp)
			json_array_append_new(list, jp);
	}
	return list;
}

json_t *run_json_seed(uint64_t seed)
{
	char digits[24];

	snprintf(digits, sizeof(digits), "%" PRIu64, seed);
	return json_string(digits);
}

bool run_json_get_seed(json_t *run, uint64_t *seed)
{
	json_t *v = json_object_get(run, "seed");
	const char *s = json_string_value(v);
	char *end;

	if (json_is_integer(v) && json_integer_value(v) > 0) {
		*seed = (uint64_t)json_integer_value(v);	/* written before 0.2 */
		return true;
	}
	if (!s || *s < '1' || *s > '9')
		return false;
	errno = 0;
	*seed = strtoull(s, &end, 10);
	return errno == 0 && *end == '\0';
}

static json_t *fds_at_exit_json(const struct hx_result *r)
{
	json_t *procs = json_array();

	for (size_t i = 0; i < r->nfds_at_exit; i++) {
		const struct hx_exit_fds *p = &r->fds_at_exit[i];
		json_t *fds = json_array();

		for (size_t j = 0; j < p->nfds; j++) {
			const struct hx_open_fd *o = &p->fds[j];

			json_array_append_new(fds, json_pack("{s:i, s:s, s:s, s:I, s:o}", "fd", o->fd,
				"kind", o->kind, "access", o->access, "inode", (json_int_t)o->inode,
				"object", jstr0(o->object)));
		}
		json_array_append_new(procs, json_pack("{s:i, s:o, s:b}", "pid", p->pid, "fds", fds,
						       "truncated", p->truncated));
	}
	return procs;
}

static json_t *time_scale_json(const struct hx_time_scale *ts)
{
	return json_pack("{s:f, s:i, s:i, s:i, s:f, s:f}", "factor", ts->factor,
			 "scaled", (int)ts->scaled, "interrupted", (int)ts->interrupted,
			 "unscaled", (int)ts->unscaled, "requested_ms", (double)ts->requested_us / 1000.0,
			 "waited_ms", (double)ts->waited_us / 1000.0);
}

json_t *run_json_object(const struct hx_result *r, size_t max_events)
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
	json_object_set_new(o, "wall_extended_ms", json_integer((json_int_t)r->wall_extended_ms));
	json_object_set_new(o, "cpu_ms", json_integer((json_int_t)r->cpu_ms));
	json_object_set_new(o, "memory_peak_kb", json_integer((json_int_t)r->memory_peak_kb));
	json_object_set_new(o, "stdout", run_json_str(r->out.data, r->out.len));
	json_object_set_new(o, "stderr", run_json_str(r->err.data, r->err.len));
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
		if (hx_group_is_hot(g) && !r->traced_hot)
			continue;
		json_object_set_new(ipc, hx_group_name(g), json_integer(r->ipc[g]));
	}
	json_object_set_new(o, "ipc", ipc);
	json_object_set_new(o, "processes", json_integer(r->processes));
	json_object_set_new(o, "threads", json_integer(r->threads));
	if (r->traced) {
		json_t *calls = json_object();

		for (size_t i = 0; i < r->ncalls; i++)
			json_object_set_new(calls, r->calls[i].call, json_integer(r->calls[i].count));
		json_object_set_new(o, "calls", calls);
		json_object_set_new(o, "sleep_requested_us", json_integer((json_int_t)r->sleep_requested_us));
		json_object_set_new(o, "process_list", process_list_json(r));
		json_object_set_new(o, "crashed_processes", json_integer(r->crashed_processes));
		json_object_set_new(o, "tracer_by", jstr0(r->tracer_by));
		json_object_set_new(o, "exits_by", jstr0(r->exits_by));
	}
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
	json_t *notes = json_array();

	for (size_t i = 0; i < r->nnotes; i++)
		json_array_append_new(notes, jstr0(r->notes[i]));
	json_object_set_new(o, "notes", notes);
	json_object_set_new(o, "seed", r->jitter_max_us ? run_json_seed(r->seed) : json_null());
	json_object_set_new(o, "jitter_max_us", json_integer(r->jitter_max_us));
	if (r->fds_traced)
		json_object_set_new(o, "fds_at_exit", fds_at_exit_json(r));
	if (r->time_scale.factor > 0)
		json_object_set_new(o, "time_scale", time_scale_json(&r->time_scale));
	if (r->verdict == HX_VERDICT_INTERNAL_ERROR)
		json_object_set_new(o, "error", jstr0(r->error));
	return o;
}

char *run_json_dump(json_t *o)
{
	char *s = o ? json_dumps(o, JSON_INDENT(2) | JSON_ENSURE_ASCII | JSON_PRESERVE_ORDER) : NULL;

	json_decref(o);
	return s;
}

char *run_json_text(const struct hx_result *res)
{
	json_t *o = run_json_object(res, SIZE_MAX);

	json_object_set_new(o, "version", json_string(hx_version()));
	return run_json_dump(o);
}

/*
 * judge.c - judging one finished run of a test (see judge.h).
 *
 * The checks run in this order: the verdict, the exit status or crash,
 * stdout, stderr, files, IPC, symbols, cleanup, and last the checker
 * (which only judges runs that finished). A run that the harness stopped
 * is judged on what it did before the stop: IPC, symbols and denied
 * calls; its outputs are kept as their last lines (tails), and what it
 * left behind is a note, not a cleanup failure. The message for
 * students has one line a reason, in the order reasons are listed
 * (reason_rank: what pinpoints the mistake first), then the notes. The
 * output diff goes with the first output that differs.
 *
 * This file holds the order of the checks, the checks of a run that
 * finished (exit status, outputs, files, IPC, fds, denied calls,
 * cleanup, the checker) and expect.any_of's alternatives, each judged by
 * those same checks. Its parts: judge_message.c grows the message,
 * judge_stopped.c judges a stopped run (its reason, its tails),
 * judge_processes.c says how the processes ended (crashes,
 * expect.processes). They never call back into this file.
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build.h"
#include "checker.h"
#include "diff.h"
#include "file.h"
#include "judge.h"
#include "judge_message.h"
#include "judge_processes.h"
#include "judge_stopped.h"
#include "reasons.h"

/* Lines of the output diff shown. */
#define JUDGE_DIFF_LINES 40

static void judge_output(const struct matcher *mt, const struct hx_output *o, const char *stream,
			 enum reason r, struct run_outcome *ro, struct judge_message *m)
{
	struct mismatch why;

	if (match_output(mt, o->data ? o->data : "", o->len, &why))
		return;
	judge_because(ro, m, r, "%s: %s%s", stream, why.what ? why.what : "does not match",
		o->truncated ? " (the output was cut at the output limit)" : "");
	if (why.expected && !ro->diff)
		ro->diff = diff_unified(why.expected, strlen(why.expected), o->data ? o->data : "",
					o->len, JUDGE_DIFF_LINES);
	match_mismatch_release(&why);
}

static void judge_files(const struct expect *e, const char *rundir, struct run_outcome *ro,
			struct judge_message *m)
{
	for (size_t i = 0; i < e->nfiles; i++) {
		const struct file_expect *fe = &e->files[i];
		size_t len = 0;
		const char *why;
		char *data = NULL;

		if (file_read_beneath(rundir, fe->name, JUDGE_FILE_MAX, &data, &len, &why) < 0) {
			judge_because(ro, m, REASON_FILES, "the file %s: %s", fe->name, why);
			continue;
		}
		struct hx_output o = { .data = data, .len = len };
		char label[300];

		snprintf(label, sizeof(label), "the file %s", fe->name);
		judge_output(&fe->m, &o, label, REASON_FILES, ro, m);
		free(data);
	}
}

/* ---- what every run is judged on ----------------------------------------- */

static void judge_denied(const struct hx_result *res, struct run_outcome *ro, struct judge_message *m)
{
	char *list = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&list, &len);

	if (!f)
		return;
	for (size_t i = 0; i < res->ndenied; i++)
		fprintf(f, "%s %s (%u time%s)", i ? "," : "", res->denied[i].call, res->denied[i].count,
			res->denied[i].count == 1 ? "" : "s");
	fclose(f);
	judge_because(ro, m, REASON_FORBIDDEN_SYSCALL, "the program made system calls the sandbox forbids:%s",
		list ? list : "");
	free(list);
}

static void judge_ipc(const struct expect *e, const struct hx_result *res, bool stopped,
		      struct run_outcome *ro, struct judge_message *m)
{
	char *msg = NULL;

	if (!e->has_ipc)
		return;
	if (!ipc_check(&e->ipc, res, &msg))
		judge_because(ro, m, REASON_IPC, "IPC%s: %s", stopped ? " before the run was stopped" : "",
			msg ? msg : "the required IPC calls were not made");
	free(msg);
}


/* A run that finished, against e: how it ended, and what it printed and
 * left. top: e is the test's own expect (the forbidden calls and a crash
 * are said there, not again for each alternative of any_of). */
static void judge_finished(const struct judge_ctx *c, const struct expect *e, bool top,
			   struct run_outcome *ro, struct judge_message *m)
{
	const struct hx_result *res = &ro->res;

	if (top && res->verdict == HX_VERDICT_FORBIDDEN_SYSCALL)
		judge_denied(res, ro, m);
	if (res->signal) {
		if (top)
			judge_because(ro, m, REASON_RUNTIME_ERROR, "the program crashed: killed by %s",
				judge_crash_words(res->signal, res->verdict_detail));
	} else if (!e->exit_any && res->exit_code != e->exit) {
		ro->reasons |= REASON_BIT(REASON_EXIT);
		if (e->exit == 0)
			ro->reasons |= REASON_BIT(REASON_RUNTIME_ERROR);
		if (res->exit_code == EXIT_STATUS_NOT_STARTED && res->verdict_detail[0])
			judge_note(m, reason_rank(REASON_EXIT), "%s", res->verdict_detail);
		else
			judge_note(m, reason_rank(REASON_EXIT), "the program exited with status %d, expected %d",
			     res->exit_code, e->exit);
	}
	judge_output(&e->out, &res->out, "stdout", REASON_STDOUT, ro, m);
	judge_output(&e->err, &res->err, "stderr", REASON_STDERR, ro, m);
	judge_files(e, c->rundir, ro, m);
	judge_ipc(e, res, false, ro, m);
	if (e->has_fds) {
		char *msg = NULL;

		if (!fds_check(&e->fds, res, &msg))
			judge_because(ro, m, REASON_FDS, "fds: %s", msg ? msg : "a process left fds open");
		free(msg);
	}
}

static const char *ipc_kind_words(const char *kind)
{
	if (strcmp(kind, "posix_shm") == 0) return "POSIX shared memory";
	if (strcmp(kind, "posix_sem") == 0) return "POSIX named semaphore";
	if (strcmp(kind, "posix_mq") == 0) return "POSIX message queue";
	if (strcmp(kind, "sysv_shm") == 0) return "System V shared memory segment";
	if (strcmp(kind, "sysv_sem") == 0) return "System V semaphore set";
	if (strcmp(kind, "sysv_msg") == 0) return "System V message queue";
	return kind;
}

/* What the run left: a cleanup failure of a run that ended by itself; a
 * note for one the harness stopped (killed before it could clean up). */
static void judge_cleanup(const struct hx_result *res, bool stopped, struct run_outcome *ro,
			  struct judge_message *m)
{
	char *list = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&list, &len);

	if (!f)
		return;
	for (size_t i = 0; i < res->nleftovers; i++)
		fprintf(f, "%s a running process (pid %d, %s)", i ? "," : "", res->leftovers[i].pid,
			res->leftovers[i].comm);
	for (size_t i = 0; i < res->nipc_left; i++)
		fprintf(f, "%s the %s %s", i || res->nleftovers ? "," : "",
			ipc_kind_words(res->ipc_left[i].kind), res->ipc_left[i].name);
	fclose(f);
	if (stopped)
		judge_note(m, JUDGE_NOTE_RANK, "left behind when the run was stopped (not counted as a cleanup "
		     "failure: the run was killed before it could clean up):%s", list ? list : "");
	else
		judge_because(ro, m, REASON_CLEANUP, "cleanup: the program left behind%s (wait for your "
			"children; unlink or remove what you create)", list ? list : "");
	free(list);
}
/* The checker's verdict; returns the fraction of the points it gives. */
static double judge_checker(const struct judge_ctx *c, const struct checker *ck,
			    struct run_outcome *ro, struct judge_message *m)
{
	const struct test *t = c->test;
	struct checker_input in = {
		.test_name = t->name, .args = t->args, .nargs = t->nargs,
		.stdin_data = t->stdin_data, .stdin_len = t->stdin_len,
		.spec_dir = c->spec->dir, .rundir = c->rundir, .res = &ro->res,
		.isolation = c->isolation, .cancel = c->cancel,
	};
	struct checker_verdict v;
	char err[512];
	double fraction = 1.0;

	if (checker_run(ck, &in, &v, err, sizeof(err)) < 0) {
		judge_because(ro, m, REASON_INTERNAL, "%s", err);
		return fraction;
	}
	ro->checker_output = v.output;
	v.output = NULL;
	switch (v.outcome) {
	case CHECKER_ACCEPTED:
		break;
	case CHECKER_PARTIAL:
	case CHECKER_REJECTED:
		fraction = v.fraction;
		judge_because(ro, m, REASON_CHECKER, "%s", v.message ? v.message : "the checker rejects the run");
		break;
	case CHECKER_BROKEN:
		judge_because(ro, m, REASON_INTERNAL, "%s", v.message ? v.message : "the checker failed");
		break;
	}
	checker_verdict_release(&v);
	return fraction;
}

/* One alternative of any_of, judged on its own. */
struct alt_verdict {
	unsigned reasons;
	char *message, *diff, *checker_output;
	double fraction;
};

static void judge_alternative(const struct judge_ctx *c, const struct expect *e,
			      const struct run_outcome *ro, struct alt_verdict *v)
{
	/* the same run (shared, never released here), its own verdict */
	struct run_outcome tmp = { .res = ro->res };
	struct judge_message m = { 0 };

	v->fraction = 1.0;
	judge_finished(c, e, false, &tmp, &m);
	if (e->has_checker)
		v->fraction = judge_checker(c, &e->checker, &tmp, &m);
	v->reasons = tmp.reasons | (m.oom ? REASON_BIT(REASON_INTERNAL) : 0);
	v->message = judge_message_text(&m);
	v->diff = tmp.diff;
	v->checker_output = tmp.checker_output;
}

/* "exit 1, stdout, stderr": what an alternative expects, in short. */
static void alt_label(FILE *f, const struct expect *e)
{
	const char *sep = "";

	if (!e->exit_any) {
		fprintf(f, "exit %d", e->exit);
		sep = ", ";
	}
#define ALT_PART(cond, name) do { if (cond) { fprintf(f, "%s%s", sep, name); sep = ", "; } } while (0)
	ALT_PART(e->out.present, "stdout");
	ALT_PART(e->err.present, "stderr");
	ALT_PART(e->nfiles, "files");
	ALT_PART(e->has_ipc, "ipc");
	ALT_PART(e->has_fds, "fds");
	ALT_PART(e->has_checker, "checker");
#undef ALT_PART
	if (!*sep)
		fprintf(f, "anything");
}

/* The rank of the most useful of these reasons. */
static int first_rank(unsigned reasons)
{
	int best = JUDGE_NOTE_RANK;

	for (int r = 0; r < REASON_COUNT; r++)
		if ((reasons & REASON_BIT(r)) && reason_rank((enum reason)r) < best)
			best = reason_rank((enum reason)r);
	return best;
}

/* One line of any_of's message: the header (v NULL: "none of the 3
 * alternatives holds; the closest is alternative 2 (exit 0, stdout)") or
 * why alternative i failed ("alternative 2 (exit 0, stdout): ..."), its
 * verdict's lines joined with "; ". */
static void note_alternative(struct judge_message *m, int rank, const struct expect *alt, size_t i,
			     const struct alt_verdict *v, size_t nany)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = m->oom ? NULL : open_memstream(&text, &len);

	if (!f) {
		m->oom = true;
		return;
	}
	if (!v)
		fprintf(f, "none of the %zu alternatives holds; the closest is ", nany);
	fprintf(f, "alternative %zu (", i + 1);
	alt_label(f, alt);
	fprintf(f, ")");
	if (v) {
		fprintf(f, ": ");
		for (const char *p = v->message ? v->message : ""; *p; p++)
			fputs(*p == '\n' ? "; " : (char[2]){ *p, 0 }, f);
	}
	fclose(f);
	judge_note(m, rank, "%s", text ? text : "");
	free(text);
}

/* expect.any_of: passes when one alternative holds; otherwise the run
 * fails for the reasons of the closest one (fewest reasons, the first
 * of equals), and the message says why each failed (one line each, the
 * closest first, at the rank of the closest's first reason). Returns
 * the fraction of the points (a checker's partial score of the closest). */
static double judge_any_of(const struct judge_ctx *c, const struct expect *e, struct run_outcome *ro,
			   struct judge_message *m)
{
	struct alt_verdict *v = calloc(e->nany, sizeof(*v));
	size_t best = 0;
	double fraction = 1.0;

	if (!v) {
		ro->reasons |= REASON_BIT(REASON_INTERNAL);
		return 0.0;
	}
	for (size_t i = 0; i < e->nany; i++) {
		judge_alternative(c, &e->any_of[i], ro, &v[i]);
		if (__builtin_popcount(v[i].reasons) < __builtin_popcount(v[best].reasons))
			best = i;
		if (!v[i].reasons)
			break;
	}
	if (v[best].reasons) {
		int rank = first_rank(v[best].reasons);

		ro->reasons |= v[best].reasons;
		note_alternative(m, rank, &e->any_of[best], best, NULL, e->nany);
		/* why each failed: the closest first, then the others in order */
		note_alternative(m, rank, &e->any_of[best], best, &v[best], e->nany);
		for (size_t i = 0; i < e->nany; i++)
			if (i != best)
				note_alternative(m, rank, &e->any_of[i], i, &v[i], e->nany);
		fraction = v[best].fraction;
	}
	if (!ro->diff) {
		ro->diff = v[best].diff;
		v[best].diff = NULL;
	}
	if (!ro->checker_output) {
		ro->checker_output = v[best].checker_output;
		v[best].checker_output = NULL;
	}
	for (size_t i = 0; i < e->nany; i++) {
		free(v[i].message);
		free(v[i].diff);
		free(v[i].checker_output);
	}
	free(v);
	return fraction;
}

void judge_run(const struct judge_ctx *c, struct run_outcome *ro)
{
	const struct hx_result *res = &ro->res;
	const struct expect *e = &c->test->expect;
	struct judge_message m = { 0 };
	bool finished = res->verdict == HX_VERDICT_OK || res->verdict == HX_VERDICT_RUNTIME_ERROR ||
			res->verdict == HX_VERDICT_FORBIDDEN_SYSCALL;
	double fraction = 1.0;

	ro->stopped = judge_is_stopped(res->verdict);
	if (!finished) {
		judge_stopped(res, ro, &m);
		/* What it did before the stop can be judged still. */
		if (ro->stopped) {
			if (res->ndenied)
				judge_denied(res, ro, &m);
			judge_ipc(e, res, true, ro, &m);
			judge_keep_tails(c, ro);
		}
	} else {
		judge_finished(c, e, true, ro, &m);
	}
	if (finished && e->nany)
		fraction = judge_any_of(c, e, ro, &m);
	if (c->symbols_msg)
		judge_because(ro, &m, REASON_SYMBOLS, "functions: %s", c->symbols_msg);
	if (e->cleanup && (res->leftover_processes || res->nipc_left))
		judge_cleanup(res, ro->stopped, ro, &m);
	bool crashes_told = finished && e->has_processes && judge_processes(&e->processes, res, ro, &m);

	/* Children that crashed explain much of a failure (missing output). */
	if (ro->reasons && !crashes_told && res->crashed_processes) {
		char *text = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&text, &len);

		if (f) {
			judge_describe_crashes(f, res, "\n");
			fclose(f);
		}
		if (text && *text)
			judge_note(&m, JUDGE_NOTE_RANK, "%s", text);
		free(text);
	}
	/* The checker judges last: runs that finished, and stopped ones
	 * when the spec says on_stopped (what the program did until then). */
	if (finished && e->has_checker)
		fraction = fmin(fraction, judge_checker(c, &e->checker, ro, &m));
	bool stopped_checked = !finished && e->has_checker && e->checker.on_stopped &&
			       res->verdict != HX_VERDICT_INTERNAL_ERROR;

	if (stopped_checked) {
		unsigned before = ro->reasons;
		int rank = reason_rank(REASON_CHECKER);

		judge_note(&m, rank, "the checker, on what the program did before it was stopped:");
		fraction = judge_checker(c, &e->checker, ro, &m);
		if (!(ro->reasons & ~before))
			judge_note(&m, rank, "the checker found nothing wrong");
	}
	if (m.oom)
		ro->reasons |= REASON_BIT(REASON_INTERNAL);
	ro->passed = ro->reasons == 0;
	/* Only a checker's verdict can be worth part of the points; of a
	 * stopped run only with on_stopped: partial. */
	if (ro->passed)
		ro->fraction = 1.0;
	else if (stopped_checked)
		ro->fraction = e->checker.on_stopped == CHECKER_STOPPED_PARTIAL ? fraction : 0.0;
	else
		ro->fraction = ro->reasons == REASON_BIT(REASON_CHECKER) ? fraction : 0.0;
	ro->message = judge_message_text(&m);
	if (ro->passed) {
		free(ro->message);
		ro->message = NULL;
	}
}

void judge_release(struct run_outcome *ro)
{
	if (!ro->res_borrowed)
		hx_result_release(&ro->res);
	free(ro->message);
	free(ro->diff);
	free(ro->checker_output);
	for (size_t i = 0; i < ro->ntails; i++) {
		free(ro->tails[i].label);
		free(ro->tails[i].text);
	}
	free(ro->tails);
	memset(ro, 0, sizeof(*ro));
}

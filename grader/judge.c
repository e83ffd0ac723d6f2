/*
 * judge.c - judging one finished run of a test (see judge.h).
 *
 * The message for students has one line a reason, in the order the
 * checks run here: the verdict, the exit status or crash, stdout,
 * stderr, files, IPC, symbols, cleanup, and last the checker (which only
 * judges runs that finished). The output diff goes with the first
 * output that differs.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build.h"
#include "checker.h"
#include "diff.h"
#include "file.h"
#include "judge.h"
#include "reasons.h"

/* The most of a file the program left that is read to be matched. */
#define JUDGE_FILE_MAX ((size_t)64 << 20)
/* Lines of the output diff shown. */
#define JUDGE_DIFF_LINES 40

/* The growing message: one line a reason. */
struct message {
	FILE *f;
	bool first;
};

static void note(struct message *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(struct message *m, const char *fmt, ...)
{
	va_list ap;

	if (!m->first)
		fputs("\n", m->f);
	m->first = false;
	va_start(ap, fmt);
	vfprintf(m->f, fmt, ap);
	va_end(ap);
}

static void judge_output(const struct matcher *mt, const struct hx_output *o, const char *stream,
			 enum reason r, struct run_outcome *ro, struct message *m)
{
	struct mismatch why;

	if (match_output(mt, o->data ? o->data : "", o->len, &why))
		return;
	ro->reasons |= REASON_BIT(r);
	note(m, "%s: %s%s", stream, why.what ? why.what : "does not match",
	     o->truncated ? " (the output was cut at the output limit)" : "");
	if (why.expected && !ro->diff)
		ro->diff = diff_unified(why.expected, strlen(why.expected), o->data ? o->data : "",
					o->len, JUDGE_DIFF_LINES);
	match_mismatch_release(&why);
}

static void judge_files(const struct expect *e, const char *rundir, struct run_outcome *ro,
			struct message *m)
{
	for (size_t i = 0; i < e->nfiles; i++) {
		const struct file_expect *fe = &e->files[i];
		size_t len = 0;
		const char *why;
		char *data = NULL;

		if (file_read_beneath(rundir, fe->name, JUDGE_FILE_MAX, &data, &len, &why) < 0) {
			ro->reasons |= REASON_BIT(REASON_FILES);
			note(m, "the file %s: %s", fe->name, why);
			continue;
		}
		struct hx_output o = { .data = data, .len = len };
		char label[300];

		snprintf(label, sizeof(label), "the file %s", fe->name);
		judge_output(&fe->m, &o, label, REASON_FILES, ro, m);
		free(data);
	}
}

/* A run the harness stopped: its verdict is the reason. */
static void judge_stopped(const struct hx_result *res, struct run_outcome *ro, struct message *m)
{
	ro->reasons |= REASON_BIT(reason_of_verdict(res->verdict));
	switch (res->verdict) {
	case HX_VERDICT_TIMEOUT:
		note(m, "the program did not finish in time: %s", res->verdict_detail);
		break;
	case HX_VERDICT_DEADLOCK:
		note(m, "%s", res->deadlock && res->deadlock->explanation
		     ? res->deadlock->explanation : "the processes deadlocked");
		break;
	case HX_VERDICT_MEMORY_LIMIT:
		note(m, "the program used too much memory: %s", res->verdict_detail);
		break;
	case HX_VERDICT_OUTPUT_LIMIT:
		note(m, "the program printed too much: %s", res->verdict_detail);
		break;
	default:
		note(m, "ipcgrade could not run the test: %s", res->error);
		break;
	}
}

/* A crash in words a student knows; the harness's detail otherwise. */
static const char *signal_words(int sig, const char *detail)
{
	switch (sig) {
	case SIGSEGV: return "SIGSEGV (a segmentation fault: an invalid memory access)";
	case SIGABRT: return "SIGABRT (abort, e.g. a failed assert)";
	case SIGFPE: return "SIGFPE (an arithmetic error, e.g. division by zero)";
	case SIGPIPE: return "SIGPIPE (it wrote to a pipe nobody reads)";
	default: return detail;
	}
}

/* A child's death in words a student knows. */
static const char *crash_hint(int sig)
{
	switch (sig) {
	case SIGFPE: return " (arithmetic error: division by zero?)";
	case SIGSEGV: return " (invalid memory access: a bad pointer?)";
	case SIGBUS: return " (bus error: a mapping past the end of its file?)";
	case SIGABRT: return " (abort: a failed assert?)";
	case SIGILL: return " (illegal instruction)";
	case SIGPIPE: return " (it wrote to a pipe nobody reads)";
	case SIGKILL: return " (killed by a process of the program)";
	default: return "";
	}
}

/* Whether p ended by a signal that was not the grader's own kill. */
static bool crashed(const struct hx_process *p)
{
	return p->ended && p->signal && !p->killed_by_grader;
}

void judge_describe_crashes(FILE *f, const struct hx_result *res, const char *sep)
{
	bool first = true;

	/* One sentence per signal, in the order of the first pid it killed. */
	for (size_t i = 0; i < res->nprocess_list; i++) {
		const struct hx_process *p = &res->process_list[i];
		unsigned n = 0, shown = 0;
		bool seen_before = false;

		if (p->pid == 1 || !crashed(p))
			continue;
		for (size_t k = 0; k < i && !seen_before; k++)
			seen_before = res->process_list[k].pid != 1 && crashed(&res->process_list[k]) &&
				      res->process_list[k].signal == p->signal;
		if (seen_before)
			continue;
		for (size_t k = i; k < res->nprocess_list; k++)
			n += res->process_list[k].pid != 1 && crashed(&res->process_list[k]) &&
			     res->process_list[k].signal == p->signal;
		fprintf(f, "%s%u child process%s %s killed by %s%s%s: pid", first ? "" : sep, n,
			n == 1 ? "" : "es", n == 1 ? "was" : "were", hx_signal_name(p->signal),
			p->core_dumped ? ", core dumped" : "", crash_hint(p->signal));
		fprintf(f, "%s", n == 1 ? "" : "s");
		for (size_t k = i; k < res->nprocess_list; k++) {
			const struct hx_process *q = &res->process_list[k];

			if (q->pid == 1 || !crashed(q) || q->signal != p->signal)
				continue;
			if (shown++ == 5) {
				fprintf(f, ", ...");
				break;
			}
			fprintf(f, "%s %d (%s)", shown > 1 ? "," : "", q->pid, q->comm);
		}
		first = false;
	}
}

/* expect.processes: how every process ended. Returns whether it noted
 * the children's crashes. */
static bool judge_processes(const struct processes_expect *pe, const struct hx_result *res,
			    struct run_outcome *ro, struct message *m)
{
	bool told = false;

	if (pe->has_crashed && !ipc_op_holds(pe->crashed_op, (long long)res->crashed_processes, pe->crashed)) {
		ro->reasons |= REASON_BIT(REASON_RUNTIME_ERROR);
		note(m, "processes: %u ended by a signal, expected %s%s", res->crashed_processes,
		     pe->crashed_op == IPC_OP_EQ && pe->crashed == 0 ? "none" : pe->crashed_text,
		     res->crashed_processes ? ": " : "");
		judge_describe_crashes(m->f, res, "; ");
		told = true;
	}
	if (!pe->has_exit)
		return told;
	unsigned bad = 0;

	for (size_t i = 0; i < res->nprocess_list; i++) {
		const struct hx_process *p = &res->process_list[i];

		/* What the grader killed is the verdict's and cleanup's business. */
		if (!p->ended || p->killed_by_grader || (!p->signal && p->exit_code == pe->exit))
			continue;
		if (bad == 0) {
			ro->reasons |= REASON_BIT(REASON_EXIT);
			note(m, "processes: expected every process to exit with status %d;", pe->exit);
		}
		if (++bad > 5) {
			fprintf(m->f, " ...");
			break;
		}
		if (p->signal)
			fprintf(m->f, "%s pid %d (%s) was killed by %s%s", bad > 1 ? "," : "", p->pid, p->comm,
				hx_signal_name(p->signal), crash_hint(p->signal));
		else
			fprintf(m->f, "%s pid %d (%s) exited with status %d", bad > 1 ? "," : "", p->pid, p->comm,
				p->exit_code);
	}
	return told;
}

/* A run that finished: how it ended, and what it printed and left. */
static void judge_finished(const struct judge_ctx *c, struct run_outcome *ro, struct message *m)
{
	const struct hx_result *res = &ro->res;
	const struct expect *e = &c->test->expect;

	if (res->verdict == HX_VERDICT_FORBIDDEN_SYSCALL) {
		ro->reasons |= REASON_BIT(REASON_FORBIDDEN_SYSCALL);
		note(m, "the program made system calls the sandbox forbids:");
		for (size_t i = 0; i < res->ndenied; i++)
			fprintf(m->f, "%s %s (%u time%s)", i ? "," : "", res->denied[i].call,
				res->denied[i].count, res->denied[i].count == 1 ? "" : "s");
	}
	if (res->signal) {
		ro->reasons |= REASON_BIT(REASON_RUNTIME_ERROR);
		note(m, "the program crashed: killed by %s", signal_words(res->signal, res->verdict_detail));
	} else if (!e->exit_any && res->exit_code != e->exit) {
		ro->reasons |= REASON_BIT(REASON_EXIT);
		if (e->exit == 0)
			ro->reasons |= REASON_BIT(REASON_RUNTIME_ERROR);
		if (res->exit_code == EXIT_STATUS_NOT_STARTED && res->verdict_detail[0])
			note(m, "%s", res->verdict_detail);
		else
			note(m, "the program exited with status %d, expected %d", res->exit_code, e->exit);
	}
	judge_output(&e->out, &res->out, "stdout", REASON_STDOUT, ro, m);
	judge_output(&e->err, &res->err, "stderr", REASON_STDERR, ro, m);
	judge_files(e, c->rundir, ro, m);
	if (e->has_ipc) {
		char *msg = NULL;

		if (!ipc_check(&e->ipc, res, &msg)) {
			ro->reasons |= REASON_BIT(REASON_IPC);
			note(m, "IPC: %s", msg ? msg : "the required IPC calls were not made");
		}
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

static void judge_cleanup(const struct hx_result *res, struct run_outcome *ro, struct message *m)
{
	ro->reasons |= REASON_BIT(REASON_CLEANUP);
	note(m, "cleanup: the program left behind");
	for (size_t i = 0; i < res->nleftovers; i++)
		fprintf(m->f, "%s a running process (pid %d, %s)", i ? "," : "",
			res->leftovers[i].pid, res->leftovers[i].comm);
	for (size_t i = 0; i < res->nipc_left; i++)
		fprintf(m->f, "%s the %s %s", i || res->nleftovers ? "," : "",
			ipc_kind_words(res->ipc_left[i].kind), res->ipc_left[i].name);
	fprintf(m->f, " (wait for your children; unlink or remove what you create)");
}

/* The checker's verdict; returns the fraction of the points it gives. */
static double judge_checker(const struct judge_ctx *c, struct run_outcome *ro, struct message *m)
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

	if (checker_run(&t->expect.checker, &in, &v, err, sizeof(err)) < 0) {
		ro->reasons |= REASON_BIT(REASON_INTERNAL);
		note(m, "%s", err);
		return fraction;
	}
	ro->checker_output = v.output;
	v.output = NULL;
	switch (v.outcome) {
	case CHECKER_ACCEPTED:
		break;
	case CHECKER_PARTIAL:
	case CHECKER_REJECTED:
		ro->reasons |= REASON_BIT(REASON_CHECKER);
		fraction = v.fraction;
		note(m, "%s", v.message ? v.message : "the checker rejects the run");
		break;
	case CHECKER_BROKEN:
		ro->reasons |= REASON_BIT(REASON_INTERNAL);
		note(m, "%s", v.message ? v.message : "the checker failed");
		break;
	}
	checker_verdict_release(&v);
	return fraction;
}

void judge_run(const struct judge_ctx *c, struct run_outcome *ro)
{
	const struct hx_result *res = &ro->res;
	const struct expect *e = &c->test->expect;
	char *buf = NULL;
	size_t len = 0;
	struct message m = { .f = open_memstream(&buf, &len), .first = true };
	bool finished = res->verdict == HX_VERDICT_OK || res->verdict == HX_VERDICT_RUNTIME_ERROR ||
			res->verdict == HX_VERDICT_FORBIDDEN_SYSCALL;
	double fraction = 1.0;

	if (!m.f) {
		ro->reasons |= REASON_BIT(REASON_INTERNAL);
		ro->passed = false;
		ro->fraction = 0.0;
		return;
	}
	if (!finished)
		judge_stopped(res, ro, &m);
	else
		judge_finished(c, ro, &m);
	if (c->symbols_msg) {
		ro->reasons |= REASON_BIT(REASON_SYMBOLS);
		note(&m, "functions: %s", c->symbols_msg);
	}
	if (e->cleanup && (res->leftover_processes || res->nipc_left))
		judge_cleanup(res, ro, &m);
	bool crashes_told = finished && e->has_processes && judge_processes(&e->processes, res, ro, &m);

	/* Children that crashed explain much of a failure (missing output). */
	if (ro->reasons && !crashes_told && res->crashed_processes) {
		note(&m, "%s", "");
		judge_describe_crashes(m.f, res, "\n");
	}
	/* The checker judges last, and only runs that finished. */
	if (finished && e->has_checker)
		fraction = judge_checker(c, ro, &m);
	fclose(m.f);
	ro->passed = ro->reasons == 0;
	/* Only a checker's verdict can be worth part of the points. */
	ro->fraction = ro->passed ? 1.0 : (ro->reasons == REASON_BIT(REASON_CHECKER) ? fraction : 0.0);
	if (ro->passed)
		free(buf);
	else
		ro->message = buf;
}

void judge_release(struct run_outcome *ro)
{
	hx_result_release(&ro->res);
	free(ro->message);
	free(ro->diff);
	free(ro->checker_output);
	memset(ro, 0, sizeof(*ro));
}

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
 */
#define _GNU_SOURCE
#include <math.h>
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
#include "text.h"

/* The most of a file the program left that is read to be matched. */
#define JUDGE_FILE_MAX ((size_t)64 << 20)
/* Lines of the output diff shown. */
#define JUDGE_DIFF_LINES 40
/* The rank of a note that is no reason: after every reason. */
#define NOTE_RANK REASON_COUNT

/* The growing message: its lines, each with the rank of its reason. */
struct note {
	int rank;
	char *text;
};
struct message {
	struct note *v;
	size_t n;
	bool oom;
};

static void note(struct message *m, int rank, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void note(struct message *m, int rank, const char *fmt, ...)
{
	va_list ap;
	char *text = NULL;
	struct note *grown = realloc(m->v, (m->n + 1) * sizeof(*grown));

	va_start(ap, fmt);
	if (!grown || vasprintf(&text, fmt, ap) < 0) {
		m->oom = true;
		text = NULL;
	}
	va_end(ap);
	if (grown)
		m->v = grown;
	if (!text)
		return;
	m->v[m->n++] = (struct note){ .rank = rank, .text = text };
}

/* A reason of the run and its line of the message. */
#define because(ro, m, r, ...) do { (ro)->reasons |= REASON_BIT(r); \
		note((m), reason_rank(r), __VA_ARGS__); } while (0)

/* The lines in rank order (ties in the order they came), one a line;
 * the notes are freed. NULL when there are none or out of memory. */
static char *message_text(struct message *m)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = m->n && !m->oom ? open_memstream(&buf, &len) : NULL;
	bool first = true;

	for (int rank = 0; f && rank <= NOTE_RANK; rank++)
		for (size_t i = 0; i < m->n; i++) {
			if (m->v[i].rank != rank)
				continue;
			fprintf(f, "%s%s", first ? "" : "\n", m->v[i].text);
			first = false;
		}
	if (f)
		fclose(f);
	for (size_t i = 0; i < m->n; i++)
		free(m->v[i].text);
	free(m->v);
	m->v = NULL;
	m->n = 0;
	return buf;
}

static void judge_output(const struct matcher *mt, const struct hx_output *o, const char *stream,
			 enum reason r, struct run_outcome *ro, struct message *m)
{
	struct mismatch why;

	if (match_output(mt, o->data ? o->data : "", o->len, &why))
		return;
	because(ro, m, r, "%s: %s%s", stream, why.what ? why.what : "does not match",
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
			because(ro, m, REASON_FILES, "the file %s: %s", fe->name, why);
			continue;
		}
		struct hx_output o = { .data = data, .len = len };
		char label[300];

		snprintf(label, sizeof(label), "the file %s", fe->name);
		judge_output(&fe->m, &o, label, REASON_FILES, ro, m);
		free(data);
	}
}

/* ---- a run that was stopped -------------------------------------------- */

static bool is_stopped(enum hx_verdict v)
{
	return v == HX_VERDICT_TIMEOUT || v == HX_VERDICT_DEADLOCK || v == HX_VERDICT_MEMORY_LIMIT ||
	       v == HX_VERDICT_OUTPUT_LIMIT;
}

/* The last lines of len bytes of output, at most JUDGE_TAIL_LINES lines
 * and JUDGE_TAIL_BYTES bytes, as a tail labelled "WHAT before the run
 * was stopped (...)"; nothing for empty output. */
static void add_tail(struct run_outcome *ro, const char *what, const char *data, size_t len,
		     bool cut_at_limit)
{
	size_t lines = 0, start = len, shown = 0, i = len;
	const char *cut = cut_at_limit ? ", cut at the output limit" : "";
	char *label = NULL, *text;
	struct run_tail *grown;

	if (len == 0)
		return;
	for (size_t k = 0; k < len; k++)
		lines += data[k] == '\n';
	lines += data[len - 1] != '\n';
	/* Back from the end, a line at a time (the final newline ends the
	 * last line), then fewer lines while they are too long. */
	if (data[i - 1] == '\n')
		i--;
	while (shown < JUDGE_TAIL_LINES) {
		while (i > 0 && data[i - 1] != '\n')
			i--;
		start = i;
		shown++;
		if (i == 0)
			break;
		i--;
	}
	while (len - start > JUDGE_TAIL_BYTES && shown > 1) {
		const char *nl = memchr(data + start, '\n', len - start);

		start = (size_t)(nl - data) + 1;
		shown--;
	}
	bool partial = len - start > JUDGE_TAIL_BYTES;	/* one line longer than that: its end */
	size_t from = partial ? len - JUDGE_TAIL_BYTES : start;
	int rc;

	if (partial)
		rc = asprintf(&label, "%s before the run was stopped (the last %d bytes of %zu line%s%s)",
			      what, JUDGE_TAIL_BYTES, lines, lines == 1 ? "" : "s", cut);
	else if (shown == lines)
		rc = asprintf(&label, "%s before the run was stopped (%zu line%s%s)", what, lines,
			      lines == 1 ? "" : "s", cut);
	else
		rc = asprintf(&label, "%s before the run was stopped (the last %zu of %zu lines%s)", what,
			      shown, lines, cut);
	if (rc < 0)
		label = NULL;
	text = text_sanitize(data + from, len - from);
	grown = text && label ? realloc(ro->tails, (ro->ntails + 1) * sizeof(*grown)) : NULL;
	if (!grown) {
		free(text);
		free(label);
		return;
	}
	ro->tails = grown;
	/* Each line ends with a newline, the last one too. */
	size_t tl = strlen(text);
	char *nl = tl && text[tl - 1] != '\n' ? realloc(text, tl + 2) : NULL;

	if (nl) {
		text = nl;
		text[tl] = '\n';
		text[tl + 1] = '\0';
	}
	ro->tails[ro->ntails++] = (struct run_tail){ .label = label, .text = text };
}

/* What the stopped run had printed, and written into the files it was
 * to write. */
static void keep_tails(const struct judge_ctx *c, struct run_outcome *ro)
{
	const struct hx_result *res = &ro->res;
	const struct expect *e = &c->test->expect;

	add_tail(ro, "stdout", res->out.data, res->out.len, res->out.truncated);
	add_tail(ro, "stderr", res->err.data, res->err.len, res->err.truncated);
	for (size_t i = 0; i < e->nfiles && c->rundir; i++) {
		char *data = NULL, what[300];
		size_t len = 0;
		const char *why;

		if (file_read_beneath(c->rundir, e->files[i].name, JUDGE_FILE_MAX, &data, &len, &why) < 0)
			continue;
		snprintf(what, sizeof(what), "the file %s", e->files[i].name);
		add_tail(ro, what, data, len, false);
		free(data);
	}
	if (ro->ntails == 0) {
		struct run_tail *t = calloc(1, sizeof(*t));

		if (t) {
			t->label = strdup("the program printed nothing before the run was stopped");
			t->text = strdup("");
			ro->tails = t;
			ro->ntails = 1;
		}
	}
}

/* The verdict of a run the harness stopped, as its reason. */
static void judge_stopped(const struct hx_result *res, struct run_outcome *ro, struct message *m)
{
	enum reason r = reason_of_verdict(res->verdict);

	switch (res->verdict) {
	case HX_VERDICT_TIMEOUT:
		because(ro, m, r, "the program did not finish in time: %s", res->verdict_detail);
		break;
	case HX_VERDICT_DEADLOCK:
		because(ro, m, r, "%s", res->deadlock && res->deadlock->explanation
			? res->deadlock->explanation : "the processes deadlocked");
		break;
	case HX_VERDICT_MEMORY_LIMIT:
		because(ro, m, r, "the program used too much memory: %s", res->verdict_detail);
		break;
	case HX_VERDICT_OUTPUT_LIMIT:
		because(ro, m, r, "the program printed too much: %s", res->verdict_detail);
		break;
	default:
		because(ro, m, r, "ipcgrade could not run the test: %s", res->error);
		break;
	}
}

/* ---- what every run is judged on ----------------------------------------- */

static void judge_denied(const struct hx_result *res, struct run_outcome *ro, struct message *m)
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
	because(ro, m, REASON_FORBIDDEN_SYSCALL, "the program made system calls the sandbox forbids:%s",
		list ? list : "");
	free(list);
}

static void judge_ipc(const struct expect *e, const struct hx_result *res, bool stopped,
		      struct run_outcome *ro, struct message *m)
{
	char *msg = NULL;

	if (!e->has_ipc)
		return;
	if (!ipc_check(&e->ipc, res, &msg))
		because(ro, m, REASON_IPC, "IPC%s: %s", stopped ? " before the run was stopped" : "",
			msg ? msg : "the required IPC calls were not made");
	free(msg);
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
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	if (pe->has_crashed && !ipc_op_holds(pe->crashed_op, (long long)res->crashed_processes, pe->crashed)) {
		f = open_memstream(&text, &len);
		if (f) {
			fprintf(f, "processes: %u ended by a signal, expected %s%s", res->crashed_processes,
				pe->crashed_op == IPC_OP_EQ && pe->crashed == 0 ? "none" : pe->crashed_text,
				res->crashed_processes ? ": " : "");
			judge_describe_crashes(f, res, "; ");
			fclose(f);
		}
		because(ro, m, REASON_RUNTIME_ERROR, "%s", text ? text : "processes: ended by a signal");
		free(text);
		text = NULL;
		told = true;
	}
	if (!pe->has_exit)
		return told;
	unsigned bad = 0;

	f = open_memstream(&text, &len);
	for (size_t i = 0; f && i < res->nprocess_list; i++) {
		const struct hx_process *p = &res->process_list[i];

		/* What the grader killed is the verdict's and cleanup's business. */
		if (!p->ended || p->killed_by_grader || (!p->signal && p->exit_code == pe->exit))
			continue;
		if (bad == 0)
			fprintf(f, "processes: expected every process to exit with status %d;", pe->exit);
		if (++bad > 5) {
			fprintf(f, " ...");
			break;
		}
		if (p->signal)
			fprintf(f, "%s pid %d (%s) was killed by %s%s", bad > 1 ? "," : "", p->pid, p->comm,
				hx_signal_name(p->signal), crash_hint(p->signal));
		else
			fprintf(f, "%s pid %d (%s) exited with status %d", bad > 1 ? "," : "", p->pid, p->comm,
				p->exit_code);
	}
	if (f)
		fclose(f);
	if (bad)
		because(ro, m, REASON_EXIT, "%s", text ? text : "processes: an unexpected exit status");
	free(text);
	return told;
}

/* A run that finished, against e: how it ended, and what it printed and
 * left. top: e is the test's own expect (the forbidden calls and a crash
 * are said there, not again for each alternative of any_of). */
static void judge_finished(const struct judge_ctx *c, const struct expect *e, bool top,
			   struct run_outcome *ro, struct message *m)
{
	const struct hx_result *res = &ro->res;

	if (top && res->verdict == HX_VERDICT_FORBIDDEN_SYSCALL)
		judge_denied(res, ro, m);
	if (res->signal) {
		if (top)
			because(ro, m, REASON_RUNTIME_ERROR, "the program crashed: killed by %s",
				signal_words(res->signal, res->verdict_detail));
	} else if (!e->exit_any && res->exit_code != e->exit) {
		ro->reasons |= REASON_BIT(REASON_EXIT);
		if (e->exit == 0)
			ro->reasons |= REASON_BIT(REASON_RUNTIME_ERROR);
		if (res->exit_code == EXIT_STATUS_NOT_STARTED && res->verdict_detail[0])
			note(m, reason_rank(REASON_EXIT), "%s", res->verdict_detail);
		else
			note(m, reason_rank(REASON_EXIT), "the program exited with status %d, expected %d",
			     res->exit_code, e->exit);
	}
	judge_output(&e->out, &res->out, "stdout", REASON_STDOUT, ro, m);
	judge_output(&e->err, &res->err, "stderr", REASON_STDERR, ro, m);
	judge_files(e, c->rundir, ro, m);
	judge_ipc(e, res, false, ro, m);
	if (e->has_fds) {
		char *msg = NULL;

		if (!fds_check(&e->fds, res, &msg))
			because(ro, m, REASON_FDS, "fds: %s", msg ? msg : "a process left fds open");
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
			  struct message *m)
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
		note(m, NOTE_RANK, "left behind when the run was stopped (not counted as a cleanup "
		     "failure: the run was killed before it could clean up):%s", list ? list : "");
	else
		because(ro, m, REASON_CLEANUP, "cleanup: the program left behind%s (wait for your "
			"children; unlink or remove what you create)", list ? list : "");
	free(list);
}
/* The checker's verdict; returns the fraction of the points it gives. */
static double judge_checker(const struct judge_ctx *c, const struct checker *ck,
			    struct run_outcome *ro, struct message *m)
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
		because(ro, m, REASON_INTERNAL, "%s", err);
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
		because(ro, m, REASON_CHECKER, "%s", v.message ? v.message : "the checker rejects the run");
		break;
	case CHECKER_BROKEN:
		because(ro, m, REASON_INTERNAL, "%s", v.message ? v.message : "the checker failed");
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
	struct message m = { 0 };

	v->fraction = 1.0;
	judge_finished(c, e, false, &tmp, &m);
	if (e->has_checker)
		v->fraction = judge_checker(c, &e->checker, &tmp, &m);
	v->reasons = tmp.reasons | (m.oom ? REASON_BIT(REASON_INTERNAL) : 0);
	v->message = message_text(&m);
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
	int best = NOTE_RANK;

	for (int r = 0; r < REASON_COUNT; r++)
		if ((reasons & REASON_BIT(r)) && reason_rank((enum reason)r) < best)
			best = reason_rank((enum reason)r);
	return best;
}

/* expect.any_of: passes when one alternative holds; otherwise the run
 * fails for the reasons of the closest one (fewest reasons, the first
 * of equals), and the message says why each failed (one line each, the
 * closest first, at the rank of the closest's first reason). Returns
 * the fraction of the points (a checker's partial score of the closest). */
static double judge_any_of(const struct judge_ctx *c, const struct expect *e, struct run_outcome *ro,
			   struct message *m)
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
		char *text = NULL;
		size_t len = 0;
		FILE *f;

		ro->reasons |= v[best].reasons;
		/* k == 0: the header; then each alternative, the closest first */
		for (size_t k = 0; k <= e->nany && !m->oom; k++) {
			size_t i = k <= 1 ? best : (k - 1 <= best ? k - 2 : k - 1);

			f = open_memstream(&text, &len);
			if (!f) {
				m->oom = true;
				break;
			}
			if (k == 0) {
				fprintf(f, "none of the %zu alternatives holds; the closest is alternative %zu (",
					e->nany, best + 1);
				alt_label(f, &e->any_of[best]);
				fprintf(f, ")");
			} else {
				fprintf(f, "alternative %zu (", i + 1);
				alt_label(f, &e->any_of[i]);
				fprintf(f, "): ");
				for (const char *p = v[i].message ? v[i].message : ""; *p; p++)
					fputs(*p == '\n' ? "; " : (char[2]){ *p, 0 }, f);
			}
			fclose(f);
			note(m, rank, "%s", text ? text : "");
			free(text);
			text = NULL;
		}
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
	struct message m = { 0 };
	bool finished = res->verdict == HX_VERDICT_OK || res->verdict == HX_VERDICT_RUNTIME_ERROR ||
			res->verdict == HX_VERDICT_FORBIDDEN_SYSCALL;
	double fraction = 1.0;

	ro->stopped = is_stopped(res->verdict);
	if (!finished) {
		judge_stopped(res, ro, &m);
		/* What it did before the stop can be judged still. */
		if (ro->stopped) {
			if (res->ndenied)
				judge_denied(res, ro, &m);
			judge_ipc(e, res, true, ro, &m);
			keep_tails(c, ro);
		}
	} else {
		judge_finished(c, e, true, ro, &m);
	}
	if (finished && e->nany)
		fraction = judge_any_of(c, e, ro, &m);
	if (c->symbols_msg)
		because(ro, &m, REASON_SYMBOLS, "functions: %s", c->symbols_msg);
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
			note(&m, NOTE_RANK, "%s", text);
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

		note(&m, rank, "the checker, on what the program did before it was stopped:");
		fraction = judge_checker(c, &e->checker, ro, &m);
		if (!(ro->reasons & ~before))
			note(&m, rank, "the checker found nothing wrong");
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
	ro->message = message_text(&m);
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

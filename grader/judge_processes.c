/*
 * judge_processes.c - how the processes of a run ended, in words (see
 * judge_processes.h).
 *
 * The harness lists every process of the run (process_list) with how it
 * ended. A child killed by a signal that was not the grader's own kill
 * crashed: crashes are told one sentence per signal, in the order of the
 * first pid each killed, naming at most five pids. expect.processes
 * bounds how many crashed and the status every process exits with; what
 * the grader killed is the verdict's and cleanup's business, never a
 * wrong status.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include "ipc_expect.h"
#include "judge_processes.h"

const char *judge_crash_words(int sig, const char *detail)
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

bool judge_processes(const struct processes_expect *pe, const struct hx_result *res,
			    struct run_outcome *ro, struct judge_message *m)
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
		judge_because(ro, m, REASON_RUNTIME_ERROR, "%s", text ? text : "processes: ended by a signal");
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
		judge_because(ro, m, REASON_EXIT, "%s", text ? text : "processes: an unexpected exit status");
	free(text);
	return told;
}

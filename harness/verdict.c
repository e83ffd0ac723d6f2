/*
 * verdict.c - what the end of a run says: the verdict and its detail,
 * the exit code or signal of the first process, and the measures (time,
 * CPU, memory, and which mechanism enforced each limit).
 *
 * In order of precedence: a box that could not be set up (ipcgrade's
 * failure, except a program that cannot be executed, which is the
 * student's); a stop the event loop decided (wall or CPU limit, output
 * limit, deadlock), which an OOM kill in the cgroup overrides; an OOM
 * kill; then the first process's own end, where a CPU or file size
 * signal is a limit, and a failed allocation near the memory limit is
 * one too. A denied call turns ok and runtime_error into
 * forbidden_syscall.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "run.h"

static void decide(const struct hx_run_state *r)
{
	struct hx_result *res = r->res;
	unsigned long oom = hx_cgroup_oom_kills(&r->cg);

	if (r->exited) {
		if (WIFEXITED(r->status)) {
			res->exit_code = WEXITSTATUS(r->status);
		} else if (WIFSIGNALED(r->status)) {
			res->signal = WTERMSIG(r->status);
		}
	}
	if (r->kill_verdict != HX_VERDICT_OK && r->kill_verdict != HX_VERDICT_INTERNAL_ERROR) {
		res->verdict = r->kill_verdict;
		snprintf(res->verdict_detail, sizeof(res->verdict_detail), "%s", r->kill_detail);
		if (!r->exited || (res->signal == SIGKILL))
			res->signal = SIGKILL, res->exit_code = -1;
		if (oom && r->kill_verdict != HX_VERDICT_OUTPUT_LIMIT) {
			res->verdict = HX_VERDICT_MEMORY_LIMIT;
			snprintf(res->verdict_detail, sizeof(res->verdict_detail),
				 "memory limit of %u MB reached (%lu processes killed)", r->lim.memory_mb, oom);
		}
		return;
	}
	if (oom) {
		res->verdict = HX_VERDICT_MEMORY_LIMIT;
		snprintf(res->verdict_detail, sizeof(res->verdict_detail),
			 "memory limit of %u MB reached (%lu process%s killed)", r->lim.memory_mb, oom,
			 oom == 1 ? "" : "es");
		return;
	}
	if (res->exit_code == 0 && !res->signal) {
		res->verdict = HX_VERDICT_OK;
	} else {
		res->verdict = HX_VERDICT_RUNTIME_ERROR;
		if (res->signal == SIGXCPU) {
			res->verdict = HX_VERDICT_TIMEOUT;
			snprintf(res->verdict_detail, sizeof(res->verdict_detail),
				 "CPU time limit of %u ms exceeded", r->lim.cpu_ms);
		} else if (res->signal == SIGXFSZ) {
			snprintf(res->verdict_detail, sizeof(res->verdict_detail),
				 "file size limit of %u KB exceeded", r->lim.file_size_kb);
		} else if (res->signal) {
			snprintf(res->verdict_detail, sizeof(res->verdict_detail), "killed by %s",
				 hx_signal_name(res->signal));
		} else {
			snprintf(res->verdict_detail, sizeof(res->verdict_detail), "exit status %d",
				 res->exit_code);
		}
		/* Without a memory cgroup, RLIMIT_AS makes allocations fail;
		 * the program then dies in its own way. Its peak: what the
		 * watchdog saw, or (a program quicker than a tick) the largest
		 * resident size the init reaped, or what its largest anonymous
		 * mapping asked for (HX_POLICY_RLIMIT_AS). */
		unsigned long peak = hx_watchdog_vm_peak_kb(r->wd);

		if (r->done_maxrss_kb > 0 && (unsigned long)r->done_maxrss_kb > peak)
			peak = (unsigned long)r->done_maxrss_kb;
		/* an allocation that asked for more than the limit failed */
		if (hx_tracer_vm_asked_kb(r->tracer) > peak)
			peak = hx_tracer_vm_asked_kb(r->tracer);
		if (!r->cg.has_memory && r->lim.memory_mb &&
		    peak * 10 >= (unsigned long)r->lim.memory_mb * 1024 * 9) {
			res->verdict = HX_VERDICT_MEMORY_LIMIT;
			snprintf(res->verdict_detail, sizeof(res->verdict_detail),
				 "memory limit of %u MB reached (allocation failed)", r->lim.memory_mb);
		}
	}
	if (hx_tracer_denied_any(r->tracer) &&
	    (res->verdict == HX_VERDICT_OK || res->verdict == HX_VERDICT_RUNTIME_ERROR)) {
		res->verdict = HX_VERDICT_FORBIDDEN_SYSCALL;
		snprintf(res->verdict_detail, sizeof(res->verdict_detail), "a denied system call was made");
	}
}

int hx_run_judge(struct hx_run_state *r)
{
	struct hx_result *res = r->res;
	const struct hx_child_err *se = &r->setup_err;

	if (r->have_setup_err) {
		if (se->stage == HX_STAGE_EXEC && (se->err == ENOENT || se->err == EACCES ||
						   se->err == ENOEXEC || se->err == ENOTDIR)) {
			/* The program itself is missing or not executable: a result. */
			res->verdict = HX_VERDICT_RUNTIME_ERROR;
			res->exit_code = 127;
			snprintf(res->verdict_detail, sizeof(res->verdict_detail),
				 "cannot execute '%s': %s", r->cfg->argv[0], strerror(se->err));
			r->exited = false;
			return 0;
		}
		return hx_fail(r->error, sizeof(r->error), se->err, "box setup failed while %s%s%.0d%s: %s",
			       hx_stage_name(se->stage), se->line ? " (box_fs.c:" : "", se->line,
			       se->line ? ")" : "", strerror(se->err));
	}
	/* The init is in the run's memory cgroup, and its OOM killer may
	 * pick the init itself: then the run hit its memory limit. */
	if (!r->exited && r->kill_verdict == HX_VERDICT_OK && hx_cgroup_oom_kills(&r->cg) == 0)
		return hx_fail(r->error, sizeof(r->error), EIO, "the box's init died unexpectedly");
	decide(r);
	return 0;
}

void hx_run_measure(struct hx_run_state *r)
{
	struct hx_result *res = r->res;

	res->wall_ms = (unsigned long)(((r->end_us ? r->end_us : hx_now_us()) - r->start_us) / 1000);
	long long cpu = hx_cgroup_cpu_us(&r->cg);

	if (cpu < 0)
		cpu = r->done_cpu_us;
	res->cpu_ms = (unsigned long)(cpu / 1000);
	res->memory_peak_kb = hx_cgroup_memory_peak_kb(&r->cg);
	if (!res->memory_peak_kb)
		res->memory_peak_kb = (unsigned long)r->done_maxrss_kb;
	res->limits_by.wall = "supervisor timer";
	res->wall_extended_ms = (unsigned long)(r->wall_extended_us / 1000);
	if (res->wall_extended_ms)
		hx_result_add_note(res, "the machine was busy: the program's threads waited for a CPU, "
				   "so its wall limit of %u ms was extended by %lu ms (at most %ux the limit)",
				   r->lim.wall_ms, res->wall_extended_ms, HX_WALL_STRETCH);
	res->limits_by.output = "supervisor byte count";
	hx_cgroup_limits_by(&r->cg, &res->limits_by);
	if (!r->cg.has_memory)
		res->limits_by.memory = "RLIMIT_AS per process";
	if (!r->cg.has_pids)
		res->limits_by.processes = geteuid() == 0 ? "RLIMIT_NPROC of the box's own uid" :
					   r->userns ? "RLIMIT_NPROC of the box's user namespace" :
					   "RLIMIT_NPROC (shared with your other processes)";
	if (hx_cgroup_cpu_us(&r->cg) < 0)
		res->limits_by.cpu = "/proc sampling + RLIMIT_CPU per process";
}

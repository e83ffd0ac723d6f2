/*
 * run.h - what the supervisor's files of one run share (the theory of
 * operation is at the top of sandbox.c):
 *
 *   sandbox.c       hx_run(): prepare, start, loop, finish
 *   event_loop.c    the event loop while the box runs, and stopping it
 *   verdict.c       what the run's end says: verdict and measures
 *   slot.c          a slot of our own per concurrent run: lock and uid
 *   reduced_host.c  reduced isolation's turns and host bookkeeping
 */
#ifndef IPCGRADE_HARNESS_RUN_H
#define IPCGRADE_HARNESS_RUN_H

#include <signal.h>

#include "internal.h"

/* ---- slot.c ----------------------------------------------------------- */

struct hx_slot {
	int index;		/* 0 .. HX_SLOTS - 1 */
	int fd;			/* the slot's lock, -1 when not held */
	uid_t uid;		/* the box's user on the host */
	gid_t gid;
};
/* Our lock directory (made if need be, refused if anyone else could
 * write it) into buf; 0 or -errno. */
int hx_lock_dir(char *buf, size_t size);
/* Takes the first free slot; 0, or -errno with err set. */
int hx_slot_acquire(struct hx_slot *s, char *err, size_t errlen);
void hx_slot_release(struct hx_slot *s);	/* accepts a slot not held */
/* Gives a host directory tree to the slot's user (as root; a no-op
 * otherwise, when the box runs as us). 0, or -errno with err set. */
int hx_slot_give_dir(const struct hx_slot *s, const char *dir, char *err, size_t errlen);

/* ---- reduced_host.c --------------------------------------------------- */

struct hx_reduced_host {
	int lock_fd;			/* reduced runs take turns */
	uint64_t waited_us;		/* for our turn */
	bool began;			/* the flags below were saved */
	int old_dumpable, old_subreaper;	/* the supervisor's, restored after */
	struct hx_pids own_children;	/* the caller's children before the run */
	int mq_fd;			/* the mqueue file system, or -1 */
	int mq_err;			/* why not (errno), when -1 */
	struct hx_created *created;	/* what the run makes (created.c) */
	uid_t box_uid;
	struct hx_ipc_snapshot ipc_before;
	char **tmp_before;		/* names in /tmp before the run */
	size_t ntmp_before;
};
void hx_reduced_init(struct hx_reduced_host *h);
/* Waits for our turn (-ECANCELED when *cancel is set meanwhile; how
 * long in h->waited_us), makes
 * the supervisor undumpable and a child subreaper (what the box leaves
 * when its init dies comes to us, not to our caller), and notes the
 * caller's own children. 0, or -errno with err set. */
int hx_reduced_begin(struct hx_reduced_host *h, const volatile sig_atomic_t *cancel,
		     char *err, size_t errlen);
/* Before the box starts: what the host has (the cross-check's "before"),
 * and the record of what the run will make (h->created, which the
 * tracer feeds). 0, or -ENOMEM. */
int hx_reduced_snapshot(struct hx_reduced_host *h, uid_t box_uid, const char *workdir);
/* After the run: removes and lists in res the objects the run made
 * (created.c), then diffs the host's objects of the box's user as a
 * cross-check: as root (the box's uid is the run's alone) what it finds
 * is the run's too, removed and noted; otherwise only noted. Removes the
 * box user's new entries of /tmp. */
void hx_reduced_cleanup(struct hx_reduced_host *h, struct hx_result *res);
/* Kills and reaps the processes the box left to us (children we did not
 * have before the run, the init excepted) and all their descendants. */
void hx_reduced_sweep_adopted(struct hx_reduced_host *h, pid_t init_pid);
/* Frees the snapshot, gives the supervisor back its dumpable flag and
 * subreaper state, and ends our turn; accepts an initialised h. */
void hx_reduced_release(struct hx_reduced_host *h);

/* ---- the state of one run (sandbox.c) ----------------------------------- */

struct hx_run_state {
	const struct hx_config *cfg;
	struct hx_result *res;
	struct hx_limits lim;
	bool full, userns;
	bool namespaces_untried;	/* this box tries them first (hx_probe_base) */
	bool go_sent;			/* the init got its user map */
	struct hx_slot slot;
	struct hx_reduced_host host;	/* reduced isolation only */
	struct hx_cgroup cg;
	const struct hx_policy *policy;
	unsigned pflags;		/* the policy's flags */
	int old_slack;		/* timer slack to restore (ns), jittered runs only */
	const char *default_env[5];	/* the box's environment without cfg->envp */
	char env_home[300], env_tmp[300];

	/* Channels to the box; see sandbox.c. -1 when closed. */
	int out[2], err[2], ctl[2], nfy[2], cerr[2];
	int stdin_fd, workdir_fd, landlock_fd;
	int ro_fds[16];
	int cg_join_fds[HX_CG_V1_COUNT];	/* the init joins its v1 cgroups through them */
	pid_t init_pid;
	int listener;
	pid_t first_pid;
	struct hx_tracer *tracer;
	struct hx_watchdog *wd;

	struct hx_str outbuf, errbuf;
	size_t out_total;
	bool out_eof, err_eof;

	uint64_t start_us, end_us, wall_deadline, next_tick, drain_deadline, finish_deadline;
	bool exited, finish_sent, done, init_reaped;
	int status;			/* the first process's wait status */
	struct hx_child_err setup_err;
	bool have_setup_err;
	long long done_cpu_us, done_maxrss_kb;

	uint64_t wall_extended_us;	/* added to the wall limit for CPU waits */
#define HX_WALL_STRETCH 3		/* ... up to this many times the limit in all */
	enum hx_verdict kill_verdict;	/* OK: none */
	char kill_detail[256];
	bool cancelled;

	char error[256];		/* why ipcgrade itself failed */
};

/* ---- event_loop.c ------------------------------------------------------- */

/* Sends one message of that type to the init; 0 or -errno. */
int hx_run_send(const struct hx_run_state *r, int type);
/* Runs the box until the init has reported (or must be given up on).
 * 0, or -errno when polling failed. */
int hx_run_loop(struct hx_run_state *r);
/* Kills the init and the cgroup; in reduced isolation every descendant
 * of the init before it, and then what came to us meanwhile. */
void hx_run_stop_box(struct hx_run_state *r);

/* ---- verdict.c ---------------------------------------------------------- */

/* After the loop and the init's reaping: the verdict, from a setup
 * failure of the box, the stop the loop decided (a limit, a deadlock)
 * or the first process's end. -errno (r->error set) when the failure
 * is ipcgrade's own. */
int hx_run_judge(struct hx_run_state *r);
/* Wall and CPU time, memory peak, and which mechanism held each limit. */
void hx_run_measure(struct hx_run_state *r);

#endif

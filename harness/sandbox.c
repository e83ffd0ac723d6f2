/*
 * sandbox.c - hx_run(): one run of one program in one box.
 *
 * Theory of operation
 * -------------------
 * Three kinds of process take part:
 *
 *   supervisor   the caller of hx_run (ipcgrade). One event loop polls the
 *                output pipes, the control socket, the error pipe, the
 *                socket the seccomp listener arrives on, the listener
 *                itself, and timers (watchdog ticks, the wall deadline,
 *                jittered answers); see event_loop.c. Nothing happens in
 *                signal handlers.
 *   box init     cloned with new PID, IPC, mount, net and UTS namespaces
 *                (plus a user namespace where we have one): pid 1 of the
 *                box; see box_init.c (and box_fs.c, its file system). In
 *                reduced isolation it is a plain child that is subreaper
 *                of the run (reduced_host.c has the host's side).
 *   submission   forked by the init; loads the seccomp filter, hands its
 *                listener to us, execs (box_child.c). Its descendants
 *                inherit the filter.
 *
 * Connections, all created here before the clone:
 *   out, err       pipes: submission's stdout/stderr -> supervisor (bounded)
 *   stdin          a memfd holding the test's input (or /dev/null)
 *   ctl            SOCK_SEQPACKET supervisor <-> init (struct hx_msg)
 *   nfy            SOCK_SEQPACKET submission -> supervisor: listener fd
 *                  (SCM_RIGHTS) plus the submission's pid (SCM_CREDENTIALS)
 *   cerr           O_CLOEXEC pipe: a struct hx_child_err on setup failure;
 *                  EOF once exec succeeded
 * After the clone the supervisor closes its copies of the child ends and
 * the init closes its copies of the submission's after the fork, so EOF on
 * out/err means every box process is gone.
 *
 * Who dies when:
 *   - the first process exits: the init counts and kills what it left
 *     (LEFTOVER, EXITED), we drain the output, send FINISH, the init lists
 *     the IPC objects still there (IPC), reports CPU use (DONE) and exits;
 *     in full isolation its exit kills whatever remains of the namespace.
 *   - a limit is hit (wall, CPU, output) or a deadlock is seen: FINISH at
 *     once (the init kills everything first); SIGKILL to the init and the
 *     cgroup if it does not answer within a second.
 *   - the supervisor dies: the init has PDEATHSIG SIGKILL (full isolation)
 *     and watches ctl for EOF (reduced): the box dies with it; traced
 *     calls fail with ENOSYS meanwhile.
 *
 * hx_run() is these steps, each a function below: prepare (check the
 * configuration, take a slot, build the policy, open the host's paths,
 * create the channels, write the plan the init follows), start (clone
 * the init, hand it its user map, put it in the cgroup, let it start the
 * program), loop (event_loop.c), finish (reap the init, judge, measure,
 * take the tracer's events), then release what the run held, whether it
 * got that far or not. A full box's init that said DONE is reaped one run
 * later, or by hx_settle (see settle_pending): its namespaces' teardown
 * is not the caller's wait.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "run.h"

/* A wait for our turn this long is noted (it is in the caller's time). */
enum { REDUCED_WAIT_NOTE_US = 100000 };

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static void close_pair(int p[2])
{
	close_fd(&p[0]);
	close_fd(&p[1]);
}

/* ---- prepare ---------------------------------------------------------------- */

/* Full or reduced isolation, as asked and as the machine allows. Where
 * the namespaces are untried yet, this box tries them (with a user
 * namespace): see hx_run. */
static int choose_isolation(struct hx_run_state *r, const struct hx_caps *caps)
{
	bool untried = r->namespaces_untried;

	switch (r->cfg->isolation) {
	case HX_ISOLATION_FULL:
		if (!caps->namespaces && !untried)
			return hx_fail(r->error, sizeof(r->error), EPERM,
				       "full isolation is not available here: %s", caps->namespaces_why);
		r->full = true;
		break;
	case HX_ISOLATION_REDUCED:
		r->full = false;
		break;
	case HX_ISOLATION_AUTO:
		r->full = caps->namespaces || untried;
		break;
	}
	r->userns = r->full && (caps->user_namespaces || untried);
	r->res->isolation = r->full ? HX_ISOLATION_FULL : HX_ISOLATION_REDUCED;
	return 0;
}

/* One policy per combination of flags, built once per process. */
static const struct hx_policy *policy_for(unsigned flags, char *err, size_t errlen, int *rc)
{
	static struct hx_policy cache[HX_POLICY_COMBINATIONS];
	static bool built[HX_POLICY_COMBINATIONS];

	flags &= HX_POLICY_COMBINATIONS - 1;
	if (!built[flags]) {
		*rc = hx_policy_build(flags, &cache[flags], err, errlen);
		if (*rc < 0)
			return NULL;
		built[flags] = true;
	}
	*rc = 0;
	return &cache[flags];
}

static int choose_policy(struct hx_run_state *r)
{
	const struct hx_config *cfg = r->cfg;
	unsigned pflags = hx_policy_flags(cfg, r->full);
	int rc;

	/* Under Landlock without a queue file system to allow, mq_open would
	 * make the queue on the host and then fail: refuse it outright. */
	if (!r->full && hx_landlock_available() && r->host.mq_fd < 0)
		pflags |= HX_POLICY_NO_MQUEUE;
	/* RLIMIT_AS is the limit (the cgroup is made before the policy) */
	if (!r->cg.has_memory && cfg->purpose == HX_PURPOSE_SUBMISSION)
		pflags |= HX_POLICY_RLIMIT_AS;
	r->pflags = pflags;
	if (cfg->jitter_max_us || hx_time_scale_on(cfg)) {
		/* Jitter delays and shortened sleeps are microseconds; the
		 * default 50 us timer slack of our waits would blur them. */
		r->old_slack = prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0);
		prctl(PR_SET_TIMERSLACK, 1000UL, 0, 0, 0);
	}
	r->policy = policy_for(pflags, r->error, sizeof(r->error), &rc);
	return rc;
}

/* The host paths the box sees travel as O_PATH fds (struct hx_box_plan);
 * the working directory becomes the box user's. */
static int open_host_dirs(struct hx_run_state *r)
{
	const struct hx_config *cfg = r->cfg;
	int rc;

	r->workdir_fd = open(cfg->workdir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (r->workdir_fd < 0)
		return hx_fail(r->error, sizeof(r->error), errno,
			       "cannot open working directory '%s': %s", cfg->workdir, strerror(errno));
	for (int i = 0; cfg->readonly_dirs && cfg->readonly_dirs[i]; i++) {
		if (i >= (int)HX_ARRAY_SIZE(r->ro_fds))
			return hx_fail(r->error, sizeof(r->error), E2BIG, "too many read-only directories");
		r->ro_fds[i] = open(cfg->readonly_dirs[i], O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (r->ro_fds[i] < 0)
			return hx_fail(r->error, sizeof(r->error), errno, "cannot open '%s': %s",
				       cfg->readonly_dirs[i], strerror(errno));
	}
	rc = hx_slot_give_dir(&r->slot, cfg->workdir, r->error, sizeof(r->error));
	if (rc < 0)
		return rc;
	if (!r->full && hx_landlock_available()) {
		r->landlock_fd = hx_landlock_prepare(cfg->workdir, cfg->readonly_dirs, r->host.mq_fd);
		if (r->landlock_fd < 0)
			return hx_fail(r->error, sizeof(r->error), -r->landlock_fd,
				       "cannot prepare the landlock ruleset: %s", strerror(-r->landlock_fd));
	}
	return 0;
}

static int make_stdin(const struct hx_config *cfg)
{
	if (!cfg->stdin_data || cfg->stdin_len == 0)
		return open("/dev/null", O_RDONLY | O_CLOEXEC);
	int fd = memfd_create("ipcgrade-stdin", MFD_CLOEXEC);
	size_t off = 0;

	if (fd < 0)
		return -1;
	while (off < cfg->stdin_len) {
		ssize_t n = write(fd, (const char *)cfg->stdin_data + off, cfg->stdin_len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			close(fd);
			return -1;
		}
		off += (size_t)n;
	}
	lseek(fd, 0, SEEK_SET);
	return fd;
}

/* The pipes and sockets of the theory of operation, and stdin. */
static int make_channels(struct hx_run_state *r)
{
	int one = 1;

	if (pipe2(r->out, O_CLOEXEC) < 0 || pipe2(r->err, O_CLOEXEC) < 0 ||
	    pipe2(r->cerr, O_CLOEXEC) < 0 ||
	    socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, r->ctl) < 0 ||
	    socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, r->nfy) < 0)
		return hx_fail(r->error, sizeof(r->error), errno, "cannot create pipes: %s",
			       strerror(errno));
	setsockopt(r->nfy[0], SOL_SOCKET, SO_PASSCRED, &one, sizeof(one));
	fcntl(r->out[0], F_SETFL, O_NONBLOCK);
	fcntl(r->err[0], F_SETFL, O_NONBLOCK);
	r->stdin_fd = make_stdin(r->cfg);
	if (r->stdin_fd < 0)
		return hx_fail(r->error, sizeof(r->error), errno, "cannot prepare stdin: %s",
			       strerror(errno));
	return 0;
}

/* RLIMIT_NPROC counts the tasks of the box's user: as root a uid of the
 * box's own, in full isolation the user of its user namespace; in reduced
 * isolation as an ordinary user, the user's own, so the box may have as
 * many more as the limit says. */
static unsigned nproc_limit(const struct hx_run_state *r)
{
	unsigned base = 0;
	DIR *d;
	struct dirent *e;

	if (r->full || geteuid() == 0 || !(d = opendir("/proc")))
		return r->lim.processes;
	/* every task of our uid, threads included */
	while ((e = readdir(d))) {
		char path[300], buf[2048];
		const char *uid, *threads;

		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/status", e->d_name);
		if (hx_read_file(path, buf, sizeof(buf)) < 0 || !(uid = strstr(buf, "\nUid:")) ||
		    !(threads = strstr(buf, "\nThreads:")))
			continue;
		if ((uid_t)strtoul(uid + 5, NULL, 10) == getuid())
			base += (unsigned)strtoul(threads + 9, NULL, 10);
	}
	closedir(d);
	return base + r->lim.processes;
}

/* cpus CPUs for slot's box, from those we may run on (a cpuset, `docker
 * run --cpuset-cpus`, taskset may leave out CPU 0), the slots spread
 * over them; all of them when fewer are allowed. */
static void choose_cpus(unsigned cpus, int slot, uint64_t mask[HX_CPU_WORDS])
{
	cpu_set_t allowed;
	int list[HX_CPU_WORDS * 64], n = 0;

	if (sched_getaffinity(0, sizeof(allowed), &allowed) == 0) {
		for (int i = 0; i < CPU_SETSIZE && n < (int)HX_ARRAY_SIZE(list); i++)
			if (CPU_ISSET(i, &allowed))
				list[n++] = i;
	}
	if (n == 0) {
		long online = sysconf(_SC_NPROCESSORS_ONLN);

		for (int i = 0; i < online && n < (int)HX_ARRAY_SIZE(list); i++)
			list[n++] = i;
	}
	if (n == 0)
		return;
	unsigned c = cpus < (unsigned)n ? cpus : (unsigned)n;
	unsigned first = ((unsigned)slot * c) % (unsigned)n;

	for (unsigned i = 0; i < c; i++) {
		int cpu = list[(first + i) % (unsigned)n];

		mask[cpu / 64] |= 1ull << (cpu % 64);
	}
}

/* What the init needs, so that it allocates nothing. */
static void write_plan(struct hx_run_state *r, const struct hx_caps *caps, struct hx_box_plan *plan)
{
	const struct hx_config *cfg = r->cfg;

	memset(plan, 0, sizeof(*plan));
	plan->full = r->full;
	plan->userns = r->userns;
	plan->drop_uid = !r->userns && geteuid() == 0;
	plan->uid = r->userns ? HX_INNER_UID : r->slot.uid;
	plan->gid = r->userns ? HX_INNER_UID : r->slot.gid;
	plan->workdir = cfg->workdir;
	plan->readonly_dirs = cfg->readonly_dirs;
	plan->argv = cfg->argv;
	if (cfg->envp) {
		plan->envp = cfg->envp;
	} else {
		snprintf(r->env_home, sizeof(r->env_home), "HOME=%s", r->full ? "/box" : cfg->workdir);
		snprintf(r->env_tmp, sizeof(r->env_tmp), "TMPDIR=%s", r->full ? "/tmp" : cfg->workdir);
		r->default_env[0] = "PATH=/usr/local/bin:/usr/bin:/bin";
		r->default_env[1] = r->env_home;
		r->default_env[2] = r->env_tmp;
		r->default_env[3] = "LANG=C.UTF-8";
		r->default_env[4] = NULL;
		plan->envp = r->default_env;
	}
	plan->limits = r->lim;
	plan->use_rlimit_as = !r->cg.has_memory;
	plan->use_rlimit_nproc = !r->cg.has_pids;
	plan->nproc_limit = nproc_limit(r);
	if (cfg->cpus)
		choose_cpus(cfg->cpus, r->slot.index, plan->cpu_mask);
	plan->ctl_fd = r->ctl[1];
	plan->notify_fd = r->nfy[1];
	plan->err_fd = r->cerr[1];
	plan->stdin_fd = r->stdin_fd;
	plan->stdout_fd = r->out[1];
	plan->stderr_fd = r->err[1];
	plan->bpf = r->policy->bpf;
	plan->bpf_len = r->policy->bpf_len;
	plan->wait_killable = caps->seccomp_wait_killable;
	plan->workdir_fd = r->workdir_fd;
	memcpy(plan->ro_fds, r->ro_fds, sizeof(plan->ro_fds));
	plan->landlock_fd = r->landlock_fd;
	memcpy(plan->cg_join_fds, r->cg_join_fds, sizeof(plan->cg_join_fds));
	snprintf(plan->passwd, sizeof(plan->passwd),
		 "root:x:0:0:root:/root:/usr/sbin/nologin\nbox:x:%d:%d:box:/box:/bin/sh\n",
		 (int)plan->uid, (int)plan->gid);
	snprintf(plan->group, sizeof(plan->group), "root:x:0:\nbox:x:%d:\n", (int)plan->gid);
}

/* Everything up to the clone: nothing of the box exists yet. */
static int prepare(struct hx_run_state *r, struct hx_box_plan *plan)
{
	const struct hx_config *cfg = r->cfg;
	const struct hx_caps *caps = hx_probe_base();
	int rc;

	if (!cfg->argv || !cfg->argv[0] || !cfg->workdir)
		return hx_fail(r->error, sizeof(r->error), EINVAL,
			       "no program or no working directory given");
	if (!(cfg->time_scale >= 0 && cfg->time_scale <= 1))
		return hx_fail(r->error, sizeof(r->error), EINVAL,
			       "time_scale must be from 0 to 1, not %g", cfg->time_scale);
	if (!caps->seccomp_notify)
		return hx_fail(r->error, sizeof(r->error), ENOSYS,
			       "this kernel lacks seccomp user notification (Linux 5.0+), which the "
			       "sandbox needs for its policy");
	rc = choose_isolation(r, caps);
	if (rc < 0)
		return rc;
	/* The submission never runs as root: as root, a uid of its own per
	 * concurrent run (isolate's scheme); otherwise our own. */
	rc = hx_slot_acquire(&r->slot, r->error, sizeof(r->error));
	if (rc < 0)
		return rc;
	hx_prof_mark("slot taken");
	if (!r->full) {
		rc = hx_reduced_begin(&r->host, cfg->cancel, r->error, sizeof(r->error));
		if (rc < 0)
			return rc;
		/* The wait is not the run's time, but the caller's. */
		if (r->host.waited_us >= REDUCED_WAIT_NOTE_US)
			hx_result_add_note(r->res, "waited %.2f s for other reduced runs to end first (reduced runs take turns on a machine)",
					   (double)r->host.waited_us / 1e6);
	}
	hx_cgroup_create(&r->cg, &r->lim, r->slot.index);
	hx_cgroup_open_self_joins(&r->cg, r->cg_join_fds);
	hx_prof_mark("cgroup made");
	rc = choose_policy(r);
	if (rc < 0)
		return rc;
	hx_prof_mark("policy chosen");
	rc = open_host_dirs(r);
	if (rc < 0)
		return rc;
	hx_prof_mark("host dirs opened, chowned");
	rc = make_channels(r);
	if (rc < 0)
		return rc;
	write_plan(r, caps, plan);
	hx_prof_mark("channels, plan");
	return 0;
}

/* ---- start ------------------------------------------------------------------ */

static int write_maps(const struct hx_run_state *r)
{
	char path[64], text[64];
	int rc;

	/* Unprivileged maps require setgroups to be denied; root may leave
	 * it allowed, so that the init can drop root's supplementary groups. */
	if (geteuid() != 0) {
		snprintf(path, sizeof(path), "/proc/%d/setgroups", (int)r->init_pid);
		hx_write_file(path, "deny");
	}
	snprintf(path, sizeof(path), "/proc/%d/uid_map", (int)r->init_pid);
	snprintf(text, sizeof(text), "%d %d 1\n", HX_INNER_UID, (int)r->slot.uid);
	rc = hx_write_file(path, text);
	if (rc < 0)
		return rc;
	snprintf(path, sizeof(path), "/proc/%d/gid_map", (int)r->init_pid);
	snprintf(text, sizeof(text), "%d %d 1\n", HX_INNER_UID, (int)r->slot.gid);
	return hx_write_file(path, text);
}

/* START, with the limits a cgroup that could not be joined (attach gave
 * the controller up) leaves to rlimits: a run never goes without one. */
static void send_start(const struct hx_run_state *r, const struct hx_box_plan *plan)
{
	struct hx_msg m = { .type = HX_MSG_START };

	if (!r->cg.has_memory && !plan->use_rlimit_as)
		m.status |= HX_START_RLIMIT_AS;
	if (!r->cg.has_pids && !plan->use_rlimit_nproc)
		m.status |= HX_START_RLIMIT_NPROC;
	send(r->ctl[0], &m, sizeof(m), MSG_NOSIGNAL);
}

/* The init's first message says which v1 cgroups it joined itself; 0
 * (the supervisor moves it into all) when it died before saying. */
static unsigned joined_by_init(const struct hx_run_state *r)
{
	struct pollfd pfd = { .fd = r->ctl[0], .events = POLLIN };
	struct hx_msg m;
	ssize_t n;

	/* It sends JOINED before anything that can block. */
	while (poll(&pfd, 1, 10000) < 0 && errno == EINTR)
		;
	if (!(pfd.revents & POLLIN))
		return 0;
	do
		n = recv(r->ctl[0], &m, sizeof(m), MSG_DONTWAIT);
	while (n < 0 && errno == EINTR);
	return n == (ssize_t)sizeof(m) && m.type == HX_MSG_JOINED ? (unsigned)m.status : 0;
}

/* Clone the init, which follows the plan; hand it its user map, put it
 * in the cgroup, and let it start the program. */
static int start(struct hx_run_state *r, const struct hx_box_plan *plan)
{
	const struct hx_config *cfg = r->cfg;
	unsigned long flags = SIGCHLD;
	struct stat so, se;
	int rc;

	if (!r->full && hx_reduced_snapshot(&r->host, r->slot.uid, cfg->workdir) < 0)
		return hx_fail(r->error, sizeof(r->error), ENOMEM, "out of memory");
	if (r->full)
		flags |= CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWUTS |
			 (r->userns ? CLONE_NEWUSER : 0);
	fflush(NULL);	/* nothing buffered may be written twice */
	hx_prof_mark("clone");
	r->init_pid = (pid_t)syscall(SYS_clone, flags, NULL, NULL, NULL, NULL);
	if (r->init_pid < 0)
		return hx_fail(r->error, sizeof(r->error), errno, "cannot create the box: clone: %s",
			       strerror(errno));
	if (r->init_pid == 0)
		hx_box_init_main(plan);

	/* Supervisor. The child's ends are the child's. */
	hx_prof_mark("clone returned");
	close_fd(&r->out[1]);
	close_fd(&r->err[1]);
	close_fd(&r->ctl[1]);
	close_fd(&r->nfy[1]);
	close_fd(&r->cerr[1]);
	close_fd(&r->stdin_fd);
	close_fd(&r->landlock_fd);
	for (int i = 0; i < HX_CG_V1_COUNT; i++)
		close_fd(&r->cg_join_fds[i]);

	r->tracer = hx_tracer_new(cfg, r->full, r->pflags, r->init_pid, r->lim.processes);
	r->wd = hx_watchdog_new(r->init_pid, r->lim.deadlock_after_ms,
				cfg->purpose == HX_PURPOSE_SUBMISSION,
				(r->cg.has_cpu ? 0 : HX_WATCH_CPU) | (r->cg.has_memory ? 0 : HX_WATCH_VM) |
				((r->pflags & HX_POLICY_TRACE) ? HX_WATCH_TRACED : 0));
	if (!r->tracer || !r->wd)
		return hx_fail(r->error, sizeof(r->error), ENOMEM, "out of memory");
	if (!r->full)
		hx_tracer_set_created(r->tracer, r->host.created);
	if (fstat(r->out[0], &so) == 0 && fstat(r->err[0], &se) == 0)
		hx_tracer_set_output_pipes(r->tracer, so.st_ino, se.st_ino);

	if (r->userns) {
		rc = write_maps(r);
		if (rc < 0)
			return hx_fail(r->error, sizeof(r->error), rc, "cannot map the box's user: %s",
				       strerror(-rc));
	}
	if (hx_run_send(r, HX_MSG_GO) < 0)
		return hx_fail(r->error, sizeof(r->error), EPIPE, "the box's init died during setup");
	r->go_sent = true;
	hx_prof_mark("GO sent");
	/* The init joined its v1 cgroups itself, first thing (see
	 * hx_cgroup_join_self: no RCU grace period); we move it into the
	 * others. It starts nothing before START. If it died in setup, the
	 * event loop reads why. */
	hx_cgroup_attach(&r->cg, r->init_pid, joined_by_init(r));
	hx_watchdog_also_count(r->wd, (r->cg.has_cpu ? 0 : HX_WATCH_CPU) | (r->cg.has_memory ? 0 : HX_WATCH_VM));
	hx_prof_mark("cgroup joined");
	send_start(r, plan);
	return 0;
}

/* ---- loop ------------------------------------------------------------------- */

static int loop(struct hx_run_state *r)
{
	int rc = hx_run_loop(r);

	if (rc < 0)
		return hx_fail(r->error, sizeof(r->error), rc, "event loop: %s", strerror(-rc));
	if (r->listener >= 0)
		hx_tracer_flush_due(r->tracer, r->listener, UINT64_MAX);
	return 0;
}

/* ---- finish ------------------------------------------------------------------ */

static void reap_init(struct hx_run_state *r, int *status)
{
	while (waitpid(r->init_pid, status, 0) < 0 && errno == EINTR)
		;
	r->init_reaped = true;
}

/* The init has reported (or was killed): collect the result. An init
 * of a full box that said DONE has killed the whole box and is exiting:
 * its namespaces' teardown is left to go on while the caller reads the
 * result (see settle_pending); any other init is reaped now. */
static int finish(struct hx_run_state *r)
{
	struct hx_result *res = r->res;
	int st, rc;

	hx_prof_mark("loop over");
	if (!r->done)
		hx_run_stop_box(r);
	if (!r->done || !r->full) {
		reap_init(r, &st);
		hx_prof_mark("init reaped");
	}
	rc = hx_run_judge(r);
	if (rc < 0)
		return rc;
	if (r->cancelled)
		return hx_fail(r->error, sizeof(r->error), ECANCELED, "cancelled");
	hx_run_measure(r);
	hx_tracer_export(r->tracer, res);
	if (res->deadlock && res->verdict != HX_VERDICT_DEADLOCK) {
		hx_deadlock_free(res->deadlock);
		res->deadlock = NULL;
	}
	return 0;
}

/* ---- release ----------------------------------------------------------------- */

/*
 * The teardown the result does not depend on, off the critical path: a
 * full box's init that said DONE (everything in the box is dead, and
 * its IPC objects listed) still tears down its namespaces as it exits
 * (about 1 ms: the mount namespace's unmounts wait for an RCU grace
 * period). hx_run returns meanwhile and leaves it here, with its
 * cgroups and its slot, still held. The next hx_run of this process
 * takes another slot if that init is still exiting, and settles it one
 * run later (reaps it, keeps its cgroups for the slot's next run with
 * hx_cgroup_keep, frees the slot), when it is long gone: a process
 * alternates between two slots, and waits for no teardown. hx_settle
 * (an exit handler too) settles all and removes the kept cgroups. A process forked
 * meanwhile has copies of neither: it drops its copies of the slots'
 * locks and touches nothing else. When ipcgrade is killed, the inits
 * die of their PDEATHSIG (their zombies go to the host's reaper) and
 * the empty cgroups are swept by the next ipcgrade's first run.
 */
enum { PENDING_MAX = 2 };

static struct pending {
	pid_t owner;		/* the process that left it; 0: a free entry */
	pid_t init_pid;
	struct hx_cgroup cg;
	struct hx_slot slot;
	uint64_t seq;		/* the order they were left in */
} pending[PENDING_MAX];

/* Settles p: waits for its init unless nowait; false when it is still
 * exiting (nowait). */
static bool settle(struct pending *p, bool nowait)
{
	int st;

	if (!p->owner)
		return true;
	if (p->owner == getpid()) {
		pid_t got;

		while ((got = waitpid(p->init_pid, &st, nowait ? WNOHANG : 0)) < 0 && errno == EINTR)
			;
		if (got == 0)
			return false;
		hx_cgroup_keep(&p->cg, p->slot.index);
	}
	hx_slot_release(&p->slot);
	p->owner = 0;
	return true;
}

/* Before a run: every pending box settled but the newest, which is
 * settled only if its init is gone already; one entry is left free. */
static void settle_pending(void)
{
	struct pending *newest = NULL;

	for (int i = 0; i < PENDING_MAX; i++)
		if (pending[i].owner && (!newest || pending[i].seq > newest->seq))
			newest = &pending[i];
	for (int i = 0; i < PENDING_MAX; i++)
		if (&pending[i] != newest)
			settle(&pending[i], false);
	if (newest)
		settle(newest, true);
	hx_prof_mark("earlier boxes settled");
}

void hx_settle(void)
{
	for (int i = 0; i < PENDING_MAX; i++)
		settle(&pending[i], false);
	hx_cgroup_remove_kept();
}

static void defer_teardown(struct hx_run_state *r)
{
	static pid_t registered;
	static uint64_t seq;
	struct pending *p = NULL;

	int st;

	for (int i = 0; i < PENDING_MAX && !p; i++)
		if (!pending[i].owner)
			p = &pending[i];
	if (registered != getpid() && atexit(hx_settle) == 0)
		registered = getpid();
	if (p == NULL || registered != getpid()) {
		reap_init(r, &st);	/* no room, or no exit handler: now */
		return;
	}
	p->owner = getpid();
	p->init_pid = r->init_pid;
	p->cg = r->cg;
	p->slot = r->slot;
	p->seq = ++seq;
	memset(&r->cg, 0, sizeof(r->cg));
	r->slot.fd = -1;
	r->init_reaped = true;	/* settle()'s now */
}

static void init_state(struct hx_run_state *r, const struct hx_config *cfg, struct hx_result *res)
{
	memset(res, 0, sizeof(*res));
	memset(r, 0, sizeof(*r));
	res->exit_code = -1;
	r->cfg = cfg;
	r->res = res;
	r->lim = cfg->limits;
	hx_limits_fill_defaults(&r->lim);
	res->limits = r->lim;
	r->slot.fd = -1;
	hx_reduced_init(&r->host);
	r->stdin_fd = r->workdir_fd = r->landlock_fd = -1;
	r->listener = -1;
	for (int i = 0; i < 2; i++)
		r->out[i] = r->err[i] = r->ctl[i] = r->nfy[i] = r->cerr[i] = -1;
	for (size_t i = 0; i < HX_ARRAY_SIZE(r->ro_fds); i++)
		r->ro_fds[i] = -1;
	for (int i = 0; i < HX_CG_V1_COUNT; i++)
		r->cg_join_fds[i] = -1;
	hx_str_init(&r->outbuf, (size_t)r->lim.output_kb * 1024);
	hx_str_init(&r->errbuf, (size_t)r->lim.output_kb * 1024);
}

/* Whatever step the run reached: no process, cgroup, host object or fd
 * of it is left; the output goes into the result. */
static void release(struct hx_run_state *r, int rc)
{
	struct hx_result *res = r->res;

	if (r->init_pid > 0 && !r->init_reaped && rc == 0 && r->done && r->full) {
		defer_teardown(r);
	} else if (r->init_pid > 0 && !r->init_reaped) {
		int st;

		hx_run_stop_box(r);
		reap_init(r, &st);
	}
	/* removed when anything is left in it */
	hx_cgroup_keep(&r->cg, r->slot.index);
	hx_prof_mark("cgroup kept or removed");
	if (!r->full && r->init_pid > 0) {
		hx_reduced_sweep_adopted(&r->host, r->init_pid);
		hx_reduced_cleanup(&r->host, res);
	}
	res->out.truncated = r->outbuf.toobig || (r->out_total > (size_t)r->lim.output_kb * 1024);
	res->out.len = r->outbuf.len;
	res->out.data = hx_str_steal(&r->outbuf);
	res->err.len = r->errbuf.len;
	res->err.truncated = r->errbuf.toobig;
	res->err.data = hx_str_steal(&r->errbuf);
	if (r->tracer && rc < 0 && !res->events)
		hx_tracer_export(r->tracer, res);
	if (r->old_slack > 0)
		prctl(PR_SET_TIMERSLACK, (unsigned long)r->old_slack, 0, 0, 0);
	hx_tracer_free(r->tracer);
	hx_watchdog_free(r->wd);
	close_fd(&r->listener);
	close_pair(r->out);
	close_pair(r->err);
	close_pair(r->ctl);
	close_pair(r->nfy);
	close_pair(r->cerr);
	close_fd(&r->stdin_fd);
	close_fd(&r->workdir_fd);
	close_fd(&r->landlock_fd);
	for (size_t i = 0; i < HX_ARRAY_SIZE(r->ro_fds); i++)
		close_fd(&r->ro_fds[i]);
	for (int i = 0; i < HX_CG_V1_COUNT; i++)
		close_fd(&r->cg_join_fds[i]);
	hx_reduced_release(&r->host);
	hx_slot_release(&r->slot);
	hx_prof_mark("released");
}

/* A box that tried untried namespaces and failed before its program
 * started (the clone, the user map, the init's mounts or network): the
 * probe must say whether namespaces work here at all. */
static bool namespaces_failed(const struct hx_run_state *r, int rc)
{
	int stage = r->setup_err.stage;

	if (!r->namespaces_untried || !r->full || rc == -ECANCELED || r->init_pid == 0)
		return false;
	if (r->init_pid < 0)
		return true;	/* the clone */
	if (!r->have_setup_err)
		return rc < 0 && !r->go_sent;	/* the user map */
	return stage == HX_STAGE_GO || stage == HX_STAGE_MOUNT || stage == HX_STAGE_PIVOT ||
	       stage == HX_STAGE_NET;
}

int hx_run(const struct hx_config *cfg, struct hx_result *res, char *err, size_t errlen)
{
	struct hx_run_state run, *r = &run;
	struct hx_box_plan plan = { 0 };	/* filled by prepare */
	int rc;

	hx_prof_init();
	hx_prof_mark("hx_run");
	settle_pending();
	init_state(r, cfg, res);
	r->namespaces_untried = !hx_probe_namespaces_known();
	rc = prepare(r, &plan);
	if (rc == 0)
		rc = start(r, &plan);
	if (rc == 0)
		rc = loop(r);
	if (rc == 0)
		rc = finish(r);
	release(r, rc);
	hx_prof_report(cfg->argv && cfg->argv[0] ? cfg->argv[0] : "?");
	if (namespaces_failed(r, rc)) {
		/* Nothing of the program ran: probe, and run again with
		 * what the probe found (reduced isolation, for auto, where
		 * namespaces do not work; the same failure otherwise). */
		hx_result_release(res);
		hx_probe();
		return hx_run(cfg, res, err, errlen);
	}
	/* The submission child loaded its filter: the init's setup passed. */
	if (r->namespaces_untried && r->full && r->first_pid > 0)
		hx_probe_namespaces_worked(r->userns);
	if (rc < 0) {
		res->verdict = HX_VERDICT_INTERNAL_ERROR;
		snprintf(res->error, sizeof(res->error), "%s", r->error);
		if (err && errlen)
			snprintf(err, errlen, "%s", r->error);
	}
	return rc;
}

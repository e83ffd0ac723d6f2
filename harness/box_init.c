/*
 * box_init.c - the box's pid 1: sets up the box (its file system is
 * box_fs.c's), starts the submission (box_child.c), reaps, and counts
 * and kills everything when told or orphaned.
 *
 * Theory of operation (see also sandbox.c, the supervisor's side):
 *
 *   supervisor ──clone(NEWPID|NEWNS|NEWIPC|NEWNET|NEWUTS[|NEWUSER])──► init
 *   init ──fork──► submission (first process) ──fork──► its children ...
 *
 * fds the init receives (all set up by the supervisor before clone):
 *   ctl_fd      SOCK_SEQPACKET to the supervisor: JOINED out first; GO and
 *               START in; EXITED, LEFTOVER, IPC and DONE out; FINISH in.
 *               EOF means the supervisor died: the init kills the box and
 *               exits.
 *   cg_join_fds the run's v1 cgroup `tasks` files, opened by the
 *               supervisor: the init joins them itself, then closes them.
 *   err_fd      O_CLOEXEC pipe to the supervisor: a struct hx_child_err on
 *               a setup failure of the init or the submission child; EOF
 *               (the child's exec closed it) means exec succeeded.
 *   notify_fd   socket to the supervisor: the submission child sends the
 *               seccomp listener fd over it (SCM_RIGHTS) with its own pid
 *               (SCM_CREDENTIALS) just before exec.
 *   stdin/stdout/stderr: the submission's standard streams.
 * The init closes its copies of the submission's fds after the fork, so
 * the supervisor sees EOF on the output pipes when the last box process
 * is gone.
 *
 * In full isolation the init is pid 1 of a new pid namespace: when it
 * exits, the kernel kills every process in the box. It also has
 * PDEATHSIG SIGKILL, so it dies with the supervisor. In reduced
 * isolation it is a child subreaper in its own session: orphans of the
 * box are re-parented to it, and on EOF on ctl_fd it kills all its
 * descendants before exiting.
 *
 * The supervisor is single-threaded (a documented requirement of
 * hx_run), so the init may use the C library freely. Everything it
 * needs for setup is in the plan; it allocates only the list of the
 * box's processes when it kills them, long after the submission child's
 * fork (which must not allocate between fork and exec).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "internal.h"

static int loopback_up(void)
{
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct ifreq ifr;

	if (s < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0 ||
	    (ifr.ifr_flags |= IFF_UP, ioctl(s, SIOCSIFFLAGS, &ifr) < 0)) {
		int e = errno;

		close(s);
		return -e;
	}
	close(s);
	return 0;
}

/* ---- killing and counting ----------------------------------------------- */

static int send_msg(int fd, const struct hx_msg *m)
{
	ssize_t n;

	do
		n = send(fd, m, sizeof(*m), MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	return n == (ssize_t)sizeof(*m) ? 0 : -1;
}

static void reap_all(pid_t first, int *first_status, bool *first_done)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG | __WALL)) > 0) {
		if (pid == first && !*first_done) {
			*first_status = status;
			*first_done = true;
		}
	}
}

/* The box's live processes, init excluded, into out (replacing what it
 * held). Full isolation: every pid of our /proc but 1. Reduced: our
 * descendants (we are their subreaper). */
static int live_processes(const struct hx_box_plan *p, struct hx_pids *out)
{
	if (!p->full)
		return hx_proc_descendants(getpid(), out);

	int fd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	char buf[4096];
	long got;

	out->n = 0;
	if (fd < 0)
		return -errno;
	while ((got = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0) {
		for (long off = 0; off < got; ) {
			struct {
				unsigned long long ino;
				long long off;
				unsigned short reclen;
				unsigned char type;
				char name[];
			} *d = (void *)(buf + off);
			char *end;
			long v = strtol(d->name, &end, 10);

			if (*end == '\0' && v > 1 && hx_pids_add(out, (pid_t)v) < 0)
				break;
			off += d->reclen;
		}
	}
	close(fd);
	return (int)out->n;
}

/* Whether a process is alive: some thread of its group is neither a
 * zombie nor dead. A group whose main thread called pthread_exit shows
 * its leader as a zombie while its other threads run: it is alive. */
static bool process_alive(pid_t pid, struct hx_pids *tids)
{
	struct hx_proc_stat st;

	if (hx_proc_stat(pid, 0, &st) < 0)
		return false;
	if (st.state != 'Z' && st.state != 'X')
		return true;
	if (hx_proc_threads(pid, tids) < 0)
		return false;
	for (size_t i = 0; i < tids->n; i++)
		if (tids->v[i] != pid && hx_proc_stat(pid, tids->v[i], &st) == 0 &&
		    st.state != 'Z' && st.state != 'X')
			return true;
	return false;
}

/* Reaps what is there; true when we have no child left at all. */
static bool reap_children(void)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG | __WALL)) > 0)
		;
	return pid < 0 && errno == ECHILD;
}

/*
 * Report (when ctl >= 0) and kill every live process of the box, then
 * reap until none is left, zombies included: only then may the init
 * exit, or what it leaves (a zombie, a process the walk of /proc missed
 * while it was being re-parented) would go to whoever is above it. In
 * reduced isolation every orphan of the box comes to us (we are its
 * subreaper), so "no child left" is "no process of the box left"; in
 * full isolation, no pid of our namespace but ours. Gives up after about
 * a second (an unkillable process): the supervisor then kills us and the
 * cgroup, and sweeps what comes to it.
 */
static int kill_box(const struct hx_box_plan *p, int ctl, bool report)
{
	struct hx_pids pids = { 0 }, tids = { 0 };
	int counted = 0;

	for (int round = 0; round < 1000; round++) {
		int n = live_processes(p, &pids);

		for (size_t i = 0; i < pids.n; i++) {
			if (!process_alive(pids.v[i], &tids))
				continue;
			if (report && round == 0) {
				struct hx_msg m = { .type = HX_MSG_LEFTOVER, .pid = pids.v[i] };
				struct hx_proc_stat st;

				if (hx_proc_stat(pids.v[i], 0, &st) == 0)
					snprintf(m.name, sizeof(m.name), "%s", st.comm);
				if (ctl >= 0)
					send_msg(ctl, &m);
				counted++;
			}
			kill(pids.v[i], SIGKILL);
		}
		if (p->full)
			kill(-1, SIGKILL);	/* every process of our namespace but us */
		bool none = reap_children();

		if (none && (!p->full || n == 0))
			break;
		if (round > 0)
			usleep(1000);
	}
	hx_pids_release(&pids);
	hx_pids_release(&tids);
	return counted;
}

static void finish(const struct hx_box_plan *p, int ctl, int leftovers, bool list_ipc);

static void send_ipc(const char *kind, const char *name, void *arg)
{
	struct hx_msg m = { .type = HX_MSG_IPC };
	int ctl = *(int *)arg;

	snprintf(m.kind, sizeof(m.kind), "%s", kind);
	snprintf(m.name, sizeof(m.name), "%s", name);
	send_msg(ctl, &m);
}

static void finish(const struct hx_box_plan *p, int ctl, int leftovers, bool list_ipc)
{
	struct rusage ru;
	struct hx_msg m = { .type = HX_MSG_DONE, .count = leftovers };

	hx_prof_mark("init: FINISH");
	kill_box(p, -1, false);
	/* In full isolation the IPC objects live in our namespaces, which
	 * die with us; we only list them. In reduced isolation the
	 * supervisor diffs the host's objects instead. */
	if (list_ipc && p->full)
		hx_ipc_visit(send_ipc, &ctl);
	if (getrusage(RUSAGE_CHILDREN, &ru) == 0) {
		m.cpu_us = (long long)ru.ru_utime.tv_sec * 1000000 + ru.ru_utime.tv_usec +
			   (long long)ru.ru_stime.tv_sec * 1000000 + ru.ru_stime.tv_usec;
		m.maxrss_kb = ru.ru_maxrss;
	}
	hx_prof_mark("init: DONE");
	send_msg(ctl, &m);
	_exit(0);
}

/* Close every inherited fd but the plan's: a copy of the supervisor's end
 * of a pipe or socket held here would hide its death from us, and its
 * other open files are none of the box's business. */
static void close_other_fds(const struct hx_box_plan *p)
{
	int keep[] = { p->ctl_fd, p->notify_fd, p->err_fd, p->stdin_fd, p->stdout_fd,
		       p->stderr_fd, p->landlock_fd, p->workdir_fd,
		       p->cg_join_fds[HX_CG_V1_MEMORY], p->cg_join_fds[HX_CG_V1_PIDS],
		       p->cg_join_fds[HX_CG_V1_CPUACCT] };
	int n = (int)HX_ARRAY_SIZE(keep);

	/* Sort the few fds to keep, then close the gaps between them. */
	for (int i = 0; i < n; i++)
		for (int j = i + 1; j < n; j++)
			if (keep[j] < keep[i]) {
				int t = keep[i];

				keep[i] = keep[j];
				keep[j] = t;
			}
	int from = 0;

	for (int i = 0; i < n; i++) {
		if (keep[i] < 0)
			continue;
		if (keep[i] > from && syscall(SYS_close_range, from, keep[i] - 1, 0) < 0)
			for (int fd = from; fd < keep[i]; fd++)
				close(fd);
		from = keep[i] + 1;
	}
	if (syscall(SYS_close_range, from, ~0U, 0) < 0)
		for (int fd = from; fd < 4096; fd++)
			close(fd);
}

/* ---- the init's body ----------------------------------------------------- */

/* Into the run's v1 cgroups, while we are single-threaded and have no
 * child: hx_cgroup_join_self moves us alone, with no RCU grace period.
 * JOINED tells the supervisor which worked; it moves us into the rest. */
static void join_cgroups(const struct hx_box_plan *p, int ctl)
{
	struct hx_msg m = { .type = HX_MSG_JOINED };

	for (int i = 0; i < HX_CG_V1_COUNT; i++) {
		if (p->cg_join_fds[i] < 0)
			continue;
		if (hx_cgroup_join_self(p->cg_join_fds[i]) == 0)
			m.status |= 1 << i;
		close(p->cg_join_fds[i]);
	}
	send_msg(ctl, &m);
}

/* Blocks until the supervisor's next message, which must be `type`;
 * returns its status. */
static int wait_for(int ctl, int type, int err_fd)
{
	struct hx_msg m;
	ssize_t n;

	do
		n = recv(ctl, &m, sizeof(m), 0);
	while (n < 0 && errno == EINTR);
	if (n != (ssize_t)sizeof(m) || m.type != type)
		hx_box_fail(err_fd, HX_STAGE_GO, n < 0 ? errno : EPIPE, 0);
	return m.status;
}

void hx_box_init_main(const struct hx_box_plan *plan)
{
	/* Ours to change: START may hand limits to rlimits after all. */
	struct hx_box_plan mine = *plan;
	const struct hx_box_plan *p = &mine;
	int ctl = p->ctl_fd, err_fd = p->err_fd;
	struct hx_msg m;
	sigset_t mask;
	int sfd, rc, line;
	int landlock_fd = p->landlock_fd;

	pid_t supervisor = getppid();

	close_other_fds(p);
	hx_prof_mark("init: running");
	join_cgroups(p, ctl);
	/* Die with the supervisor (full isolation: the whole box dies with
	 * us). Set again after every change of user, which clears it. In
	 * reduced isolation our EOF handling of ctl takes the box down. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (!p->full && getppid() != supervisor)
		_exit(1);	/* supervisor already gone */

	/* Wait for the supervisor to set our uid map. */
	wait_for(ctl, HX_MSG_GO, err_fd);
	hx_prof_mark("init: GO");

	if (p->full) {
		if (sethostname("box", 3) < 0)
			hx_box_fail(err_fd, HX_STAGE_MOUNT, errno, 0);
		rc = hx_box_setup_root(p, &line);
		if (rc < 0)
			hx_box_fail(err_fd, HX_STAGE_MOUNT, -rc, line);
		hx_prof_mark("init: root built");
		prctl(PR_SET_PDEATHSIG, SIGKILL);	/* cleared by become_box_user */
		/* Did the supervisor die meanwhile? (getppid() is 0 here: our
		 * parent is outside our pid namespace.) */
		struct pollfd hup = { .fd = ctl, .events = 0 };

		if (poll(&hup, 1, 0) > 0 && (hup.revents & (POLLHUP | POLLERR)))
			_exit(1);
		rc = loopback_up();
		if (rc < 0)
			hx_box_fail(err_fd, HX_STAGE_NET, -rc, 0);
		hx_prof_mark("init: loopback up");
	} else {
		/* Orphans of the box come to us, and our session holds them. */
		if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
			hx_box_fail(err_fd, HX_STAGE_FORK, errno, 0);
		setsid();
	}
	/* The submission inherits the init's working directory. */
	if ((p->full ? chdir("/box") : fchdir(p->workdir_fd)) < 0)
		hx_box_fail(err_fd, HX_STAGE_CHDIR, errno, 0);
	close(p->workdir_fd);
	for (int i = 0; p->readonly_dirs && p->readonly_dirs[i] && i < 16; i++)
		close(p->ro_fds[i]);

	cpu_set_t cpus;
	bool pin = false;

	CPU_ZERO(&cpus);
	for (int i = 0; i < HX_CPU_WORDS * 64 && i < CPU_SETSIZE; i++)
		if (p->cpu_mask[i / 64] & (1ull << (i % 64))) {
			CPU_SET(i, &cpus);
			pin = true;
		}
	if (pin && sched_setaffinity(0, sizeof(cpus), &cpus) < 0)
		hx_box_fail(err_fd, HX_STAGE_AFFINITY, errno, 0);

	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0)
		hx_box_fail(err_fd, HX_STAGE_FORK, errno, 0);

	/* We joined the run's v1 cgroups ourselves, first thing; the
	 * supervisor moves us into the others (v2) and says START when we
	 * are in all of them: the program must start inside. */
	hx_prof_mark("init: waits for START");
	int start = wait_for(ctl, HX_MSG_START, err_fd);
	hx_prof_mark("init: START");

	if (start & HX_START_RLIMIT_AS)
		mine.use_rlimit_as = true;
	if (start & HX_START_RLIMIT_NPROC)
		mine.use_rlimit_nproc = true;
	pid_t first = fork();

	if (first < 0)
		hx_box_fail(err_fd, HX_STAGE_FORK, errno, 0);
	if (first == 0) {
		sigprocmask(SIG_UNBLOCK, &mask, NULL);
		close(sfd);
		close(ctl);
		hx_box_run_submission(p, landlock_fd);
	}

	/* The submission's fds are its own now; holding them would keep
	 * the supervisor from seeing EOF. */
	close(p->stdin_fd);
	close(p->stdout_fd);
	close(p->stderr_fd);
	close(p->notify_fd);
	close(err_fd);
	if (landlock_fd >= 0)
		close(landlock_fd);

	int first_status = 0, leftovers = 0;
	bool first_done = false, exited_sent = false;

	for (;;) {
		struct pollfd pfd[2] = {
			{ .fd = ctl, .events = POLLIN },
			{ .fd = sfd, .events = POLLIN },
		};

		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pfd[1].revents & POLLIN) {
			struct signalfd_siginfo si;

			while (read(sfd, &si, sizeof(si)) > 0)
				;
			reap_all(first, &first_status, &first_done);
			if (first_done && !exited_sent) {
				/* The run ends with its first process: what it
				 * left running is counted and killed now. */
				hx_prof_mark("init: first exited");
				leftovers = kill_box(p, ctl, true);
				hx_prof_mark("init: box killed");
				struct hx_msg e = { .type = HX_MSG_EXITED, .status = first_status };

				send_msg(ctl, &e);
				exited_sent = true;
			}
		}
		if (pfd[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			ssize_t n = recv(ctl, &m, sizeof(m), MSG_DONTWAIT);
			if (n < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			if (n <= 0) {
				/* The supervisor is gone: take the box down. */
				kill_box(p, -1, false);
				_exit(1);
			}
			if (m.type == HX_MSG_FINISH) {
				if (!exited_sent)
					leftovers = 0;
				finish(p, ctl, leftovers, true);
			}
		}
	}
	kill_box(p, -1, false);
	_exit(1);
}

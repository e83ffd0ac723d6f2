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
 *                jittered answers). Nothing happens in signal handlers.
 *   box init     cloned with new PID, IPC, mount, net and UTS namespaces
 *                (plus a user namespace where we have one): pid 1 of the
 *                box; see box_init.c. In reduced isolation it is a plain
 *                child that is subreaper of the run.
 *   submission   forked by the init; loads the seccomp filter, hands its
 *                listener to us, execs. Its descendants inherit the filter.
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
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "internal.h"

#define TICK_US 50000		/* watchdog period */
#define DRAIN_US 1000000	/* output drain after the first process exits */
#define FINISH_US 1500000	/* the init's time to report after FINISH */

struct run {
	const struct hx_config *cfg;
	struct hx_result *res;
	struct hx_limits lim;
	bool full, userns;
	int slot;
	int slot_fd, reduced_lock_fd;
	uid_t box_uid;		/* on the host */
	gid_t box_gid;
	struct hx_cgroup cg;
	const struct hx_policy *policy;
	int old_slack;		/* timer slack to restore (ns), jittered runs only */

	int out[2], err[2], ctl[2], nfy[2], cerr[2];
	int stdin_fd, workdir_fd, landlock_fd;
	int ro_fds[16];
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
	int status;
	struct hx_child_err setup_err;
	bool have_setup_err;
	long long done_cpu_us, done_maxrss_kb;

	enum hx_verdict kill_verdict;	/* OK: none */
	char kill_detail[256];
	bool cancelled;

	struct hx_ipc_snapshot ipc_before;
	char **tmp_before;
	size_t ntmp_before;
};

/* ---- slots: a uid of its own per concurrent run --------------------- */

static int lock_dir(char *buf, size_t size)
{
	const char *rt = getenv("XDG_RUNTIME_DIR");
	struct stat st;

	if (geteuid() == 0)
		snprintf(buf, size, "/run/ipcgrade");
	else if (rt && *rt)
		snprintf(buf, size, "%s/ipcgrade", rt);
	else
		snprintf(buf, size, "/tmp/ipcgrade-locks-%d", (int)getuid());
	if (mkdir(buf, 0700) < 0 && errno != EEXIST)
		return -errno;
	/* Never trust a directory someone else planted. */
	if (lstat(buf, &st) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 022))
		return -EPERM;
	return 0;
}

static int acquire_slot(struct run *r, char *err, size_t errlen)
{
	char dir[256], path[320];
	int rc = lock_dir(dir, sizeof(dir));

	if (rc < 0)
		return hx_fail(err, errlen, rc, "cannot use the lock directory '%s': %s", dir,
			       strerror(-rc));
	for (int i = 0; i < HX_SLOTS; i++) {
		snprintf(path, sizeof(path), "%s/slot-%d", dir, i);
		int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);

		if (fd < 0)
			return hx_fail(err, errlen, errno, "cannot open '%s': %s", path, strerror(errno));
		if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
			r->slot = i;
			r->slot_fd = fd;
			return 0;
		}
		close(fd);
	}
	return hx_fail(err, errlen, EBUSY, "all %d box slots are in use", HX_SLOTS);
}

/* Reduced isolation shares the host's IPC namespace and /tmp: such runs
 * take turns, so they never see each other's named objects. */
static int acquire_reduced_lock(struct run *r, char *err, size_t errlen)
{
	char dir[256], path[320];
	int rc = lock_dir(dir, sizeof(dir));

	if (rc < 0)
		return hx_fail(err, errlen, rc, "cannot use the lock directory '%s'", dir);
	snprintf(path, sizeof(path), "%s/reduced.lock", dir);
	r->reduced_lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (r->reduced_lock_fd < 0)
		return hx_fail(err, errlen, errno, "cannot open '%s': %s", path, strerror(errno));
	while (flock(r->reduced_lock_fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno != EWOULDBLOCK)
			return hx_fail(err, errlen, errno, "cannot lock '%s'", path);
		if (r->cfg->cancel && *r->cfg->cancel)
			return -ECANCELED;
		usleep(5000);
	}
	return 0;
}

/* ---- the working directory --------------------------------------------- */

/* Give the box's user the working directory (root only; without root the
 * box runs as us). Symlinks are never followed. */
static int chown_tree(int dirfd, uid_t uid, gid_t gid, int depth)
{
	DIR *d;
	struct dirent *e;
	int fd = dup(dirfd);

	if (fd < 0)
		return -errno;
	if (fchown(dirfd, uid, gid) < 0) {
		close(fd);
		return -errno;
	}
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -errno;
	}
	while ((e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (fchownat(dirfd, e->d_name, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (e->d_type == DT_DIR && depth < 8) {
			int sub = openat(dirfd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

			if (sub >= 0) {
				chown_tree(sub, uid, gid, depth + 1);
				close(sub);
			}
		}
	}
	closedir(d);
	return 0;
}

/* ---- /tmp in reduced isolation ------------------------------------------ */

static void tmp_snapshot(struct run *r)
{
	DIR *d = opendir("/tmp");
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		char **grown = realloc(r->tmp_before, (r->ntmp_before + 1) * sizeof(*grown));

		if (!grown)
			break;
		r->tmp_before = grown;
		r->tmp_before[r->ntmp_before] = hx_strdup(e->d_name);
		if (r->tmp_before[r->ntmp_before])
			r->ntmp_before++;
	}
	closedir(d);
}

static void remove_tree_at(int dirfd, const char *name, int depth)
{
	if (unlinkat(dirfd, name, 0) == 0 || errno != EISDIR || depth > 16)
		return;
	int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd >= 0) {
		DIR *d = fdopendir(fd);
		struct dirent *e;

		if (d) {
			while ((e = readdir(d)))
				if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
					remove_tree_at(fd, e->d_name, depth + 1);
			closedir(d);
		} else {
			close(fd);
		}
	}
	unlinkat(dirfd, name, AT_REMOVEDIR);
}

/* Remove what the run put in the host's /tmp: new entries owned by the
 * box's own user. Only when that user is not ours (we run as root): then
 * nothing else can own them. Run as an ordinary user, the box is that
 * user, and deleting "their new files in /tmp" could hit files their
 * other programs made meanwhile: we leave /tmp alone then. */
static void tmp_cleanup(struct run *r)
{
	int dfd = open("/tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d;
	struct dirent *e;

	if (dfd < 0 || r->box_uid == getuid()) {
		if (dfd >= 0)
			close(dfd);
		return;
	}
	d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return;
	}
	while ((e = readdir(d))) {
		struct stat st;
		bool old = false;

		for (size_t i = 0; i < r->ntmp_before && !old; i++)
			old = strcmp(r->tmp_before[i], e->d_name) == 0;
		if (old)
			continue;
		if (fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || st.st_uid != r->box_uid)
			continue;
		remove_tree_at(dfd, e->d_name, 0);
	}
	closedir(d);
}

/* ---- messages ------------------------------------------------------------- */

static int send_msg(int fd, int type)
{
	struct hx_msg m = { .type = type };

	return send(fd, &m, sizeof(m), MSG_NOSIGNAL) == (ssize_t)sizeof(m) ? 0 : -errno;
}

static void add_leftover(struct run *r, const struct hx_msg *m)
{
	struct hx_leftover *arr = realloc(r->res->leftovers,
					  (r->res->nleftovers + 1) * sizeof(*arr));

	if (!arr)
		return;
	r->res->leftovers = arr;
	int bp = 0;

	/* m->pid is a pid of the box's namespace (the host's in reduced). */
	for (int i = 1; i < 100000; i++) {
		pid_t h = hx_tracer_host_pid(r->tracer, i);

		if (!h)
			break;
		if ((r->full ? hx_proc_nspid(h) : h) == m->pid) {
			bp = i;
			break;
		}
	}
	arr[r->res->nleftovers].pid = bp;
	arr[r->res->nleftovers].comm = hx_strdup(m->name);
	r->res->nleftovers++;
	r->res->leftover_processes++;
}

static void add_ipc_left(struct run *r, const char *kind, const char *name)
{
	struct hx_ipc_object *arr = realloc(r->res->ipc_left, (r->res->nipc_left + 1) * sizeof(*arr));

	if (!arr)
		return;
	r->res->ipc_left = arr;
	arr[r->res->nipc_left].kind = hx_strdup(kind);
	arr[r->res->nipc_left].name = hx_strdup(name);
	r->res->nipc_left++;
}

static void handle_ctl(struct run *r)
{
	struct hx_msg m;

	for (;;) {
		ssize_t n = recv(r->ctl[0], &m, sizeof(m), MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0) {
			r->done = true;		/* the init is gone */
			return;
		}
		if (n != (ssize_t)sizeof(m))
			continue;
		switch (m.type) {
		case HX_MSG_EXITED:
			if (!r->exited) {
				r->exited = true;
				r->status = m.status;
				r->end_us = hx_now_us();
				r->drain_deadline = r->end_us + DRAIN_US;
			}
			break;
		case HX_MSG_LEFTOVER:
			add_leftover(r, &m);
			break;
		case HX_MSG_IPC:
			add_ipc_left(r, m.kind, m.name);
			break;
		case HX_MSG_DONE:
			r->done = true;
			r->done_cpu_us = m.cpu_us;
			r->done_maxrss_kb = m.maxrss_kb;
			return;
		}
	}
}

static int receive_listener(struct run *r)
{
	char data;
	struct iovec iov = { .iov_base = &data, .iov_len = 1 };
	union {
		char buf[CMSG_SPACE(sizeof(int)) + CMSG_SPACE(sizeof(struct ucred))];
		struct cmsghdr align;
	} u;
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = u.buf, .msg_controllen = sizeof(u.buf),
	};
	ssize_t n = recvmsg(r->nfy[0], &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);

	if (n <= 0)
		return n < 0 && errno == EAGAIN ? 0 : -1;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
		if (c->cmsg_level != SOL_SOCKET)
			continue;
		if (c->cmsg_type == SCM_RIGHTS)
			memcpy(&r->listener, CMSG_DATA(c), sizeof(int));
		if (c->cmsg_type == SCM_CREDENTIALS) {
			struct ucred cred;

			memcpy(&cred, CMSG_DATA(c), sizeof(cred));
			r->first_pid = cred.pid;
		}
	}
	if (r->listener >= 0)
		hx_tracer_sync_wakeups(r->listener);
	if (r->listener >= 0 && r->first_pid > 0)
		hx_tracer_set_start(r->tracer, hx_now_us(), r->first_pid);
	return 1;
}

static void read_output(struct run *r, int fd, struct hx_str *buf, bool *eof)
{
	char chunk[65536];
	size_t cap = (size_t)r->lim.output_kb * 1024;

	for (int rounds = 0; rounds < 16; rounds++) {
		ssize_t n = read(fd, chunk, sizeof(chunk));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return;		/* EAGAIN */
		if (n == 0) {
			*eof = true;
			return;
		}
		size_t room = r->out_total < cap ? cap - r->out_total : 0;
		size_t keep = (size_t)n < room ? (size_t)n : room;

		if (keep)
			hx_str_add(buf, chunk, keep);
		r->out_total += (size_t)n;
		if (r->out_total > cap) {
			buf->toobig = true;
			if (r->kill_verdict == HX_VERDICT_OK && !r->exited) {
				r->kill_verdict = HX_VERDICT_OUTPUT_LIMIT;
				snprintf(r->kill_detail, sizeof(r->kill_detail),
					 "output limit of %u KB exceeded", r->lim.output_kb);
			}
		}
	}
}

static void tick(struct run *r, uint64_t now)
{
	hx_tracer_discover(r->tracer);
	bool deadlocked = hx_watchdog_sample(r->wd, r->tracer, now, r->out_total);
	long long cpu = hx_cgroup_cpu_us(&r->cg);

	if (cpu < 0)
		cpu = hx_watchdog_cpu_us(r->wd);
	if (cpu > (long long)r->lim.cpu_ms * 1000) {
		r->kill_verdict = HX_VERDICT_TIMEOUT;
		snprintf(r->kill_detail, sizeof(r->kill_detail), "CPU time limit of %u ms exceeded",
			 r->lim.cpu_ms);
		return;
	}
	if (deadlocked) {
		r->kill_verdict = HX_VERDICT_DEADLOCK;
		unsigned after = (unsigned)((now - r->start_us) / 1000);

		r->res->deadlock = hx_deadlock_explain(r->init_pid, r->tracer, after);
		snprintf(r->kill_detail, sizeof(r->kill_detail),
			 "every process blocked for %u ms", r->lim.deadlock_after_ms);
	}
}

static void stop_box(struct run *r)
{
	if (r->init_pid > 0 && !r->init_reaped)
		kill(r->init_pid, SIGKILL);
	hx_cgroup_destroy(&r->cg);
	/* Reduced isolation: the init may be gone before its descendants. */
	if (!r->full && r->init_pid > 0) {
		static pid_t pids[4096];

		for (int round = 0; round < 100; round++) {
			int n = hx_proc_descendants(r->init_pid, pids, (int)HX_ARRAY_SIZE(pids));

			if (n <= 0)
				break;
			for (int i = 0; i < n; i++)
				kill(pids[i], SIGKILL);
			usleep(1000);
		}
	}
}

static int event_loop(struct run *r)
{
	enum { P_OUT, P_ERR, P_CTL, P_NFY, P_CERR, P_LISTEN, P_COUNT };
	struct pollfd pfd[P_COUNT];
	bool cerr_open = true, nfy_open = true;

	r->start_us = hx_now_us();
	r->wall_deadline = r->start_us + (uint64_t)r->lim.wall_ms * 1000;
	r->next_tick = r->start_us + TICK_US;

	for (;;) {
		uint64_t now = hx_now_us();

		if (r->cfg->cancel && *r->cfg->cancel && !r->cancelled) {
			r->cancelled = true;
			if (r->kill_verdict == HX_VERDICT_OK)
				r->kill_verdict = HX_VERDICT_INTERNAL_ERROR;
		}
		if (!r->exited && r->kill_verdict == HX_VERDICT_OK) {
			if (now >= r->wall_deadline) {
				r->kill_verdict = HX_VERDICT_TIMEOUT;
				snprintf(r->kill_detail, sizeof(r->kill_detail),
					 "wall time limit of %u ms exceeded", r->lim.wall_ms);
			} else if (now >= r->next_tick) {
				tick(r, now);
				r->next_tick = now + TICK_US;
			}
		}
		if (r->kill_verdict != HX_VERDICT_OK && !r->exited && !r->end_us)
			r->end_us = now;
		/* Time to tell the init to wind up? */
		if (!r->finish_sent && (r->kill_verdict != HX_VERDICT_OK ||
		    (r->exited && ((r->out_eof && r->err_eof) || now >= r->drain_deadline)))) {
			if (send_msg(r->ctl[0], HX_MSG_FINISH) < 0)
				r->done = true;
			r->finish_sent = true;
			r->finish_deadline = now + FINISH_US;
		}
		if (r->finish_sent && r->done && r->out_eof && r->err_eof)
			break;
		/* The init died before its first process ended: setup failed
		 * (the error pipe says why) or something killed it. */
		if (r->done && !r->exited && !r->finish_sent && r->out_eof && r->err_eof)
			break;
		if (r->finish_sent && now >= r->finish_deadline) {
			stop_box(r);
			if (now >= r->finish_deadline + FINISH_US)
				break;	/* output held open by something unkillable */
		}

		uint64_t wake = r->next_tick;

		if (!r->exited && r->wall_deadline < wake)
			wake = r->wall_deadline;
		if (r->exited && !r->finish_sent && r->drain_deadline < wake)
			wake = r->drain_deadline;
		if (r->finish_sent && r->finish_deadline < wake)
			wake = r->finish_deadline;
		if (r->listener >= 0) {
			uint64_t due = hx_tracer_flush_due(r->tracer, r->listener, now);

			if (due && due < wake)
				wake = due;
		}
		/* To the microsecond: jitter delays are often below 1 ms. */
		uint64_t wait_us = wake > now ? wake - now : 0;
		struct timespec timeout = {
			.tv_sec = (time_t)(wait_us / 1000000),
			.tv_nsec = (long)(wait_us % 1000000) * 1000,
		};

		pfd[P_OUT] = (struct pollfd){ .fd = r->out_eof ? -1 : r->out[0], .events = POLLIN };
		pfd[P_ERR] = (struct pollfd){ .fd = r->err_eof ? -1 : r->err[0], .events = POLLIN };
		pfd[P_CTL] = (struct pollfd){ .fd = r->done ? -1 : r->ctl[0], .events = POLLIN };
		pfd[P_NFY] = (struct pollfd){ .fd = nfy_open ? r->nfy[0] : -1, .events = POLLIN };
		pfd[P_CERR] = (struct pollfd){ .fd = cerr_open ? r->cerr[0] : -1, .events = POLLIN };
		pfd[P_LISTEN] = (struct pollfd){ .fd = r->listener, .events = POLLIN };
		if (ppoll(pfd, P_COUNT, &timeout, NULL) < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (pfd[P_LISTEN].revents & POLLIN) {
			/* Several at once under load: take what is there. */
			for (int i = 0; i < 64; i++) {
				struct pollfd one = { .fd = r->listener, .events = POLLIN };

				if (hx_tracer_handle(r->tracer, r->listener) < 0)
					break;
				if (poll(&one, 1, 0) <= 0 || !(one.revents & POLLIN))
					break;
			}
		} else if (pfd[P_LISTEN].revents & (POLLHUP | POLLERR | POLLNVAL)) {
			/* No filtered task is left. */
			hx_tracer_flush_due(r->tracer, -1, now);
			close(r->listener);
			r->listener = -1;
		}
		if (pfd[P_OUT].revents)
			read_output(r, r->out[0], &r->outbuf, &r->out_eof);
		if (pfd[P_ERR].revents)
			read_output(r, r->err[0], &r->errbuf, &r->err_eof);
		if (pfd[P_NFY].revents) {
			if (receive_listener(r) != 0)
				nfy_open = false;
		}
		if (pfd[P_CERR].revents) {
			ssize_t n = read(r->cerr[0], &r->setup_err, sizeof(r->setup_err));

			if (n == (ssize_t)sizeof(r->setup_err))
				r->have_setup_err = true;
			if (n <= 0 || n == (ssize_t)sizeof(r->setup_err))
				cerr_open = false;
		}
		if (pfd[P_CTL].revents)
			handle_ctl(r);
	}
	return 0;
}

/* ---- verdict ---------------------------------------------------------------- */

static void decide(struct run *r)
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
		 * the program then dies in its own way. */
		if (!r->cg.has_memory && r->lim.memory_mb &&
		    hx_watchdog_vm_peak_kb(r->wd) * 10 >= (unsigned long)r->lim.memory_mb * 1024 * 9) {
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

/* ---- setup and teardown ----------------------------------------------------- */

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

static int write_maps(struct run *r)
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
	snprintf(text, sizeof(text), "%d %d 1\n", HX_INNER_UID, (int)r->box_uid);
	rc = hx_write_file(path, text);
	if (rc < 0)
		return rc;
	snprintf(path, sizeof(path), "/proc/%d/gid_map", (int)r->init_pid);
	snprintf(text, sizeof(text), "%d %d 1\n", HX_INNER_UID, (int)r->box_gid);
	return hx_write_file(path, text);
}

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

static void reduced_ipc_diff(struct run *r)
{
	struct hx_ipc_snapshot after;

	hx_ipc_snapshot(&after, geteuid() == 0 ? r->box_uid : (uid_t)-1);
	for (size_t i = 0; i < after.n; i++) {
		bool old = false;

		for (size_t j = 0; j < r->ipc_before.n && !old; j++)
			old = strcmp(after.names[i], r->ipc_before.names[j]) == 0;
		if (old)
			continue;
		char *tab = strchr(after.names[i], '\t');

		if (!tab)
			continue;
		*tab = '\0';
		add_ipc_left(r, after.names[i], tab + 1);
		hx_ipc_remove(after.names[i], tab + 1);
	}
	hx_ipc_snapshot_release(&after);
}

int hx_run(const struct hx_config *cfg, struct hx_result *res, char *err, size_t errlen)
{
	struct run run, *r = &run;
	const struct hx_caps *caps = hx_probe();
	struct hx_box_plan plan;
	const char *default_env[6];
	char env_home[300], env_tmp[300];
	int rc = 0;
	char errbuf[256] = "";

	memset(res, 0, sizeof(*res));
	memset(r, 0, sizeof(*r));
	res->exit_code = -1;
	r->cfg = cfg;
	r->res = res;
	r->lim = cfg->limits;
	hx_limits_fill_defaults(&r->lim);
	res->limits = r->lim;
	r->slot_fd = r->reduced_lock_fd = r->stdin_fd = r->workdir_fd = r->landlock_fd = -1;
	r->listener = -1;
	for (int i = 0; i < 2; i++)
		r->out[i] = r->err[i] = r->ctl[i] = r->nfy[i] = r->cerr[i] = -1;
	for (size_t i = 0; i < HX_ARRAY_SIZE(r->ro_fds); i++)
		r->ro_fds[i] = -1;
	hx_str_init(&r->outbuf, (size_t)r->lim.output_kb * 1024);
	hx_str_init(&r->errbuf, (size_t)r->lim.output_kb * 1024);

	if (!cfg->argv || !cfg->argv[0] || !cfg->workdir) {
		rc = hx_fail(errbuf, sizeof(errbuf), EINVAL, "no program or no working directory given");
		goto out;
	}
	if (!caps->seccomp_notify) {
		rc = hx_fail(errbuf, sizeof(errbuf), ENOSYS,
			     "this kernel lacks seccomp user notification (Linux 5.0+), which the "
			     "sandbox needs for its policy");
		goto out;
	}
	switch (cfg->isolation) {
	case HX_ISOLATION_FULL:
		if (!caps->namespaces) {
			rc = hx_fail(errbuf, sizeof(errbuf), EPERM,
				     "full isolation is not available here: %s", caps->namespaces_why);
			goto out;
		}
		r->full = true;
		break;
	case HX_ISOLATION_REDUCED:
		r->full = false;
		break;
	case HX_ISOLATION_AUTO:
		r->full = caps->namespaces;
		break;
	}
	r->userns = r->full && caps->user_namespaces;
	res->isolation = r->full ? HX_ISOLATION_FULL : HX_ISOLATION_REDUCED;

	/* The submission never runs as root: as root, a uid of its own per
	 * concurrent run (isolate's scheme); otherwise our own. */
	rc = acquire_slot(r, errbuf, sizeof(errbuf));
	if (rc < 0)
		goto out;
	if (geteuid() == 0) {
		r->box_uid = HX_UID_BASE + (uid_t)r->slot;
		r->box_gid = HX_UID_BASE + (gid_t)r->slot;
	} else {
		r->box_uid = getuid();
		r->box_gid = getgid();
	}
	if (!r->full) {
		rc = acquire_reduced_lock(r, errbuf, sizeof(errbuf));
		if (rc < 0)
			goto out;
		/* Same-user processes of the box must not read or write our
		 * memory through /proc. */
		prctl(PR_SET_DUMPABLE, 0);
	}

	unsigned pflags = hx_policy_flags(cfg, r->full);

	if (cfg->jitter_max_us) {
		/* Jitter delays are microseconds; the default 50 us timer
		 * slack of our waits would blur them. */
		r->old_slack = prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0);
		prctl(PR_SET_TIMERSLACK, 1000UL, 0, 0, 0);
	}
	r->policy = policy_for(pflags, errbuf, sizeof(errbuf), &rc);
	if (!r->policy)
		goto out;

	r->workdir_fd = open(cfg->workdir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (r->workdir_fd < 0) {
		rc = hx_fail(errbuf, sizeof(errbuf), errno, "cannot open working directory '%s': %s",
			     cfg->workdir, strerror(errno));
		goto out;
	}
	for (int i = 0; cfg->readonly_dirs && cfg->readonly_dirs[i]; i++) {
		if (i >= (int)HX_ARRAY_SIZE(r->ro_fds)) {
			rc = hx_fail(errbuf, sizeof(errbuf), E2BIG, "too many read-only directories");
			goto out;
		}
		r->ro_fds[i] = open(cfg->readonly_dirs[i], O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (r->ro_fds[i] < 0) {
			rc = hx_fail(errbuf, sizeof(errbuf), errno, "cannot open '%s': %s",
				     cfg->readonly_dirs[i], strerror(errno));
			goto out;
		}
	}
	if (geteuid() == 0) {
		int dfd = open(cfg->workdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		if (dfd < 0 || chown_tree(dfd, r->box_uid, r->box_gid, 0) < 0) {
			rc = hx_fail(errbuf, sizeof(errbuf), errno, "cannot give '%s' to the box's user: %s",
				     cfg->workdir, strerror(errno));
			if (dfd >= 0)
				close(dfd);
			goto out;
		}
		close(dfd);
	}
	if (!r->full && hx_landlock_available()) {
		r->landlock_fd = hx_landlock_prepare(cfg->workdir, cfg->readonly_dirs);
		if (r->landlock_fd < 0) {
			rc = hx_fail(errbuf, sizeof(errbuf), -r->landlock_fd,
				     "cannot prepare the landlock ruleset: %s", strerror(-r->landlock_fd));
			goto out;
		}
	}

	hx_cgroup_create(&r->cg, &r->lim, r->slot);
	if (pipe2(r->out, O_CLOEXEC) < 0 || pipe2(r->err, O_CLOEXEC) < 0 ||
	    pipe2(r->cerr, O_CLOEXEC) < 0 ||
	    socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, r->ctl) < 0 ||
	    socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, r->nfy) < 0) {
		rc = hx_fail(errbuf, sizeof(errbuf), errno, "cannot create pipes: %s", strerror(errno));
		goto out;
	}
	int one = 1;

	setsockopt(r->nfy[0], SOL_SOCKET, SO_PASSCRED, &one, sizeof(one));
	fcntl(r->out[0], F_SETFL, O_NONBLOCK);
	fcntl(r->err[0], F_SETFL, O_NONBLOCK);
	r->stdin_fd = make_stdin(cfg);
	if (r->stdin_fd < 0) {
		rc = hx_fail(errbuf, sizeof(errbuf), errno, "cannot prepare stdin: %s", strerror(errno));
		goto out;
	}

	/* What the init needs, so that it allocates nothing. */
	memset(&plan, 0, sizeof(plan));
	plan.full = r->full;
	plan.userns = r->userns;
	plan.drop_uid = !r->userns && geteuid() == 0;
	plan.uid = r->userns ? HX_INNER_UID : r->box_uid;
	plan.gid = r->userns ? HX_INNER_UID : r->box_gid;
	plan.workdir = cfg->workdir;
	plan.readonly_dirs = cfg->readonly_dirs;
	plan.argv = cfg->argv;
	if (cfg->envp) {
		plan.envp = cfg->envp;
	} else {
		snprintf(env_home, sizeof(env_home), "HOME=%s", r->full ? "/box" : cfg->workdir);
		snprintf(env_tmp, sizeof(env_tmp), "TMPDIR=%s", r->full ? "/tmp" : cfg->workdir);
		default_env[0] = "PATH=/usr/local/bin:/usr/bin:/bin";
		default_env[1] = env_home;
		default_env[2] = env_tmp;
		default_env[3] = "LANG=C.UTF-8";
		default_env[4] = NULL;
		plan.envp = default_env;
	}
	plan.limits = r->lim;
	plan.use_rlimit_as = !r->cg.has_memory;
	plan.use_rlimit_nproc = !r->cg.has_pids && geteuid() == 0;
	plan.cpus = cfg->cpus;
	plan.cpu_first = cfg->cpus ? ((unsigned)r->slot * cfg->cpus) % (unsigned)sysconf(_SC_NPROCESSORS_ONLN) : 0;
	plan.ctl_fd = r->ctl[1];
	plan.notify_fd = r->nfy[1];
	plan.err_fd = r->cerr[1];
	plan.stdin_fd = r->stdin_fd;
	plan.stdout_fd = r->out[1];
	plan.stderr_fd = r->err[1];
	plan.bpf = r->policy->bpf;
	plan.bpf_len = r->policy->bpf_len;
	plan.wait_killable = caps->seccomp_wait_killable;
	plan.workdir_fd = r->workdir_fd;
	memcpy(plan.ro_fds, r->ro_fds, sizeof(plan.ro_fds));
	plan.landlock_fd = r->landlock_fd;
	snprintf(plan.passwd, sizeof(plan.passwd),
		 "root:x:0:0:root:/root:/usr/sbin/nologin\nbox:x:%d:%d:box:/box:/bin/sh\n",
		 (int)plan.uid, (int)plan.gid);
	snprintf(plan.group, sizeof(plan.group), "root:x:0:\nbox:x:%d:\n", (int)plan.gid);

	if (!r->full) {
		hx_ipc_snapshot(&r->ipc_before, geteuid() == 0 ? r->box_uid : (uid_t)-1);
		tmp_snapshot(r);
	}

	unsigned long flags = SIGCHLD;

	if (r->full)
		flags |= CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWUTS |
			 (r->userns ? CLONE_NEWUSER : 0);
	fflush(NULL);	/* nothing buffered may be written twice */
	r->init_pid = (pid_t)syscall(SYS_clone, flags, NULL, NULL, NULL, NULL);
	if (r->init_pid < 0) {
		rc = hx_fail(errbuf, sizeof(errbuf), errno, "cannot create the box: clone: %s",
			     strerror(errno));
		goto out;
	}
	if (r->init_pid == 0)
		hx_box_init_main(&plan);

	/* Supervisor. The child's ends are the child's. */
	close_fd(&r->out[1]);
	close_fd(&r->err[1]);
	close_fd(&r->ctl[1]);
	close_fd(&r->nfy[1]);
	close_fd(&r->cerr[1]);
	close_fd(&r->stdin_fd);
	close_fd(&r->landlock_fd);

	r->tracer = hx_tracer_new(cfg, r->full, r->init_pid);
	r->wd = hx_watchdog_new(r->init_pid, r->lim.deadlock_after_ms,
				cfg->purpose == HX_PURPOSE_SUBMISSION);
	if (!r->tracer || !r->wd) {
		rc = hx_fail(errbuf, sizeof(errbuf), ENOMEM, "out of memory");
		goto out;
	}
	struct stat so, se;

	if (fstat(r->out[0], &so) == 0 && fstat(r->err[0], &se) == 0)
		hx_tracer_set_output_pipes(r->tracer, so.st_ino, se.st_ino);

	if (r->userns) {
		rc = write_maps(r);
		if (rc < 0) {
			hx_fail(errbuf, sizeof(errbuf), rc, "cannot map the box's user: %s", strerror(-rc));
			goto out;
		}
	}
	if (send_msg(r->ctl[0], HX_MSG_GO) < 0) {
		rc = hx_fail(errbuf, sizeof(errbuf), EPIPE, "the box's init died during setup");
		goto out;
	}
	/* While the init builds the box's root: a cgroup v1 move can wait
	 * a whole RCU grace period. The init starts nothing before START.
	 * If it died in setup, the event loop reads why. */
	hx_cgroup_attach(&r->cg, r->init_pid);
	send_msg(r->ctl[0], HX_MSG_START);

	rc = event_loop(r);
	if (rc < 0) {
		hx_fail(errbuf, sizeof(errbuf), rc, "event loop: %s", strerror(-rc));
		goto out;
	}
	if (r->listener >= 0)
		hx_tracer_flush_due(r->tracer, r->listener, UINT64_MAX);

	/* The init has reported (or was killed): collect it. */
	if (!r->done)
		stop_box(r);
	int st;

	while (waitpid(r->init_pid, &st, 0) < 0 && errno == EINTR)
		;
	r->init_reaped = true;

	if (r->have_setup_err) {
		if (r->setup_err.stage == HX_STAGE_EXEC &&
		    (r->setup_err.err == ENOENT || r->setup_err.err == EACCES ||
		     r->setup_err.err == ENOEXEC || r->setup_err.err == ENOTDIR)) {
			/* The program itself is missing or not executable: a result. */
			res->verdict = HX_VERDICT_RUNTIME_ERROR;
			res->exit_code = 127;
			snprintf(res->verdict_detail, sizeof(res->verdict_detail),
				 "cannot execute '%s': %s", cfg->argv[0], strerror(r->setup_err.err));
			r->exited = false;
		} else {
			rc = hx_fail(errbuf, sizeof(errbuf), r->setup_err.err, "box setup failed while %s%s%.0d%s: %s",
				     hx_stage_name(r->setup_err.stage), r->setup_err.line ? " (box_init.c:" : "",
				     r->setup_err.line, r->setup_err.line ? ")" : "", strerror(r->setup_err.err));
			goto out;
		}
	} else if (!r->exited && r->kill_verdict == HX_VERDICT_OK) {
		rc = hx_fail(errbuf, sizeof(errbuf), EIO, "the box's init died unexpectedly");
		goto out;
	} else {
		decide(r);
	}
	if (r->cancelled) {
		rc = hx_fail(errbuf, sizeof(errbuf), ECANCELED, "cancelled");
		goto out;
	}

	res->wall_ms = (unsigned long)(((r->end_us ? r->end_us : hx_now_us()) - r->start_us) / 1000);
	long long cpu = hx_cgroup_cpu_us(&r->cg);

	if (cpu < 0)
		cpu = r->done_cpu_us;
	res->cpu_ms = (unsigned long)(cpu / 1000);
	res->memory_peak_kb = hx_cgroup_memory_peak_kb(&r->cg);
	if (!res->memory_peak_kb)
		res->memory_peak_kb = (unsigned long)r->done_maxrss_kb;
	hx_limits_mechanisms(res->isolation, &res->limits_by);
	if (!r->cg.has_memory)
		res->limits_by.memory = "RLIMIT_AS per process";
	if (!r->cg.has_pids)
		res->limits_by.processes = geteuid() == 0 ? "RLIMIT_NPROC of the box's own uid" : "none";
	if (hx_cgroup_cpu_us(&r->cg) < 0)
		res->limits_by.cpu = "/proc sampling + RLIMIT_CPU per process";
	hx_tracer_export(r->tracer, res);
	if (res->deadlock && res->verdict != HX_VERDICT_DEADLOCK) {
		hx_deadlock_free(res->deadlock);
		res->deadlock = NULL;
	}
	rc = 0;
out:
	if (r->init_pid > 0 && !r->init_reaped) {
		stop_box(r);
		while (waitpid(r->init_pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	hx_cgroup_destroy(&r->cg);
	if (!r->full && r->slot_fd >= 0 && r->init_pid > 0) {
		reduced_ipc_diff(r);
		tmp_cleanup(r);
	}
	hx_ipc_snapshot_release(&r->ipc_before);
	for (size_t i = 0; i < r->ntmp_before; i++)
		free(r->tmp_before[i]);
	free(r->tmp_before);
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
	if (r->listener >= 0)
		close(r->listener);
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
	close_fd(&r->reduced_lock_fd);
	close_fd(&r->slot_fd);
	if (rc < 0) {
		res->verdict = HX_VERDICT_INTERNAL_ERROR;
		snprintf(res->error, sizeof(res->error), "%s", errbuf);
		if (err && errlen)
			snprintf(err, errlen, "%s", errbuf);
	}
	return rc;
}

/*
 * box_child.c - the submission child, from the init's fork to exec.
 *
 * In order: a session of its own; its fds at fixed numbers (0-2, the
 * listener socket, the error pipe, the landlock ruleset), every other fd
 * closed; signal dispositions and mask back to the defaults; rlimits;
 * the box's uid where no user namespace does it; no new privileges and
 * death with the init; landlock (reduced isolation); argv[0] looked up
 * in PATH; the seccomp filter, whose listener goes to the supervisor
 * with our pid; exec. Between fork and exec only async-signal-safe
 * calls (STYLE.md 8): a failed step writes a struct hx_child_err on the
 * error pipe and exits 127 (hx_box_fail, which the init uses too); EOF
 * on that O_CLOEXEC pipe tells the supervisor that exec succeeded.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "internal.h"

/* Fixed fd numbers in the submission child before exec. */
enum { CHILD_NOTIFY_FD = 3, CHILD_ERR_FD = 4, CHILD_LANDLOCK_FD = 5, CHILD_FIRST_FREE = 6 };

void hx_box_fail(int err_fd, int stage, int e, int line)
{
	struct hx_child_err ce = { .stage = stage, .err = e, .line = line };
	ssize_t n;

	do
		n = write(err_fd, &ce, sizeof(ce));
	while (n < 0 && errno == EINTR);
	_exit(127);
}

const char *hx_stage_name(int stage)
{
	switch (stage) {
	case HX_STAGE_GO: return "waiting for the supervisor";
	case HX_STAGE_MOUNT: return "mounting the box's filesystem";
	case HX_STAGE_PIVOT: return "changing the box's root";
	case HX_STAGE_NET: return "setting up the box's loopback network";
	case HX_STAGE_UID: return "switching to the box's user";
	case HX_STAGE_RLIMIT: return "setting resource limits";
	case HX_STAGE_SECCOMP: return "loading the seccomp policy";
	case HX_STAGE_SENDFD: return "handing the seccomp listener to the supervisor";
	case HX_STAGE_CHDIR: return "entering the working directory";
	case HX_STAGE_EXEC: return "executing the program";
	case HX_STAGE_FORK: return "starting the program";
	case HX_STAGE_LANDLOCK: return "restricting the filesystem (landlock)";
	case HX_STAGE_AFFINITY: return "pinning CPUs";
	}
	return "setting up the box";
}

/* Set soft and hard limit; never above the current hard limit, which only
 * a privileged process could raise. */
static int set_limit(int resource, rlim_t value)
{
	struct rlimit rl;

	if (getrlimit(resource, &rl) == 0 && rl.rlim_max != RLIM_INFINITY && rl.rlim_max < value)
		value = rl.rlim_max;
	rl.rlim_cur = rl.rlim_max = value;
	return setrlimit(resource, &rl) < 0 ? -errno : 0;
}

static int apply_rlimits(const struct hx_box_plan *p)
{
	const struct hx_limits *l = &p->limits;
	int rc = 0;

	/* No core dumps: they are large and nobody reads them. */
	rc |= set_limit(RLIMIT_CORE, 0);
	rc |= set_limit(RLIMIT_NOFILE, l->open_files);
	rc |= set_limit(RLIMIT_FSIZE, (rlim_t)l->file_size_kb * 1024);
	/* Per-process backstop; the run's total is watched by the supervisor. */
	rc |= set_limit(RLIMIT_CPU, (l->cpu_ms + 999) / 1000 + 1);
	/* POSIX queues count against this per user: keep a leak small. */
	rc |= set_limit(RLIMIT_MSGQUEUE, 1024 * 1024);
	rc |= set_limit(RLIMIT_MEMLOCK, 64 * 1024);
	/* No real-time scheduling, no raised priority. */
	rc |= set_limit(RLIMIT_RTPRIO, 0);
	rc |= set_limit(RLIMIT_NICE, 0);
	if (p->use_rlimit_as)
		rc |= set_limit(RLIMIT_AS, (rlim_t)l->memory_mb * 1024 * 1024);
	if (p->use_rlimit_nproc)
		rc |= set_limit(RLIMIT_NPROC, p->nproc_limit);
	return rc;
}

/* Resolve argv[0] through PATH now, so that exactly one execve happens
 * (the tracer does not count it as the submission's own exec). */
static const char *resolve_program(const struct hx_box_plan *p, char *buf, size_t size)
{
	const char *prog = p->argv[0];
	const char *path = "/usr/local/bin:/usr/bin:/bin";

	if (strchr(prog, '/'))
		return prog;
	for (int i = 0; p->envp && p->envp[i]; i++)
		if (strncmp(p->envp[i], "PATH=", 5) == 0)
			path = p->envp[i] + 5;
	while (*path) {
		const char *colon = strchr(path, ':');
		size_t len = colon ? (size_t)(colon - path) : strlen(path);

		if (snprintf(buf, size, "%.*s/%s", (int)len, path, prog) < (int)size &&
		    access(buf, X_OK) == 0)
			return buf;
		if (!colon)
			break;
		path = colon + 1;
	}
	return prog;
}

static int send_listener(int sock, int listener)
{
	char data = 'L';
	struct iovec iov = { .iov_base = &data, .iov_len = 1 };
	union {
		char buf[CMSG_SPACE(sizeof(int)) + CMSG_SPACE(sizeof(struct ucred))];
		struct cmsghdr align;
	} u;
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = u.buf, .msg_controllen = sizeof(u.buf),
	};
	struct cmsghdr *c;
	struct ucred cred = { .pid = getpid(), .uid = getuid(), .gid = getgid() };

	memset(u.buf, 0, sizeof(u.buf));
	c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &listener, sizeof(int));
	/* Our pid, translated by the kernel into the supervisor's pid
	 * namespace: that is how it learns the first process's host pid. */
	c = CMSG_NXTHDR(&msg, c);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_CREDENTIALS;
	c->cmsg_len = CMSG_LEN(sizeof(struct ucred));
	memcpy(CMSG_DATA(c), &cred, sizeof(cred));
	return sendmsg(sock, &msg, MSG_NOSIGNAL) < 0 ? -errno : 0;
}

/* Move fds to their fixed numbers without clobbering each other. */
static int place_fds(const struct hx_box_plan *p, int landlock_fd)
{
	int src[6] = { p->stdin_fd, p->stdout_fd, p->stderr_fd, p->notify_fd, p->err_fd, landlock_fd };
	int tmp[6];

	for (int i = 0; i < 6; i++) {
		tmp[i] = -1;
		if (src[i] >= 0 && (tmp[i] = fcntl(src[i], F_DUPFD_CLOEXEC, 100)) < 0)
			return -errno;
	}
	for (int i = 0; i < 6; i++) {
		if (tmp[i] < 0)
			continue;
		if (dup3(tmp[i], i, i == CHILD_ERR_FD ? O_CLOEXEC : 0) < 0)
			return -errno;
	}
	/* The error pipe must close on exec: its EOF tells exec succeeded. */
	if (syscall(SYS_close_range, CHILD_FIRST_FREE, ~0U, 0) < 0)
		for (int fd = CHILD_FIRST_FREE; fd < 1024; fd++)
			close(fd);
	return 0;
}

void hx_box_run_submission(const struct hx_box_plan *p, int landlock_fd)
{
	char progbuf[PATH_MAX];
	int err_fd = p->err_fd;
	int rc;

	hx_prof_mark("child: forked");
	/* A session and process group of its own: kill(0, ...) and job
	 * control stay inside the run; no controlling terminal. */
	setsid();
	rc = place_fds(p, landlock_fd);
	if (rc < 0)
		hx_box_fail(err_fd, HX_STAGE_FORK, -rc, 0);
	err_fd = CHILD_ERR_FD;
	/* Dispositions the grader ignores, and its signal mask, would be
	 * inherited across exec: a submission starts from the defaults. */
	for (int sig = 1; sig < NSIG; sig++)
		signal(sig, SIG_DFL);
	sigset_t none;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);

	if (apply_rlimits(p) < 0)
		hx_box_fail(err_fd, HX_STAGE_RLIMIT, errno, 0);
	if (p->drop_uid) {
		if (setgroups(0, NULL) < 0 && errno != EPERM)
			hx_box_fail(err_fd, HX_STAGE_UID, errno, 0);
		if (setresgid(p->gid, p->gid, p->gid) < 0 || setresuid(p->uid, p->uid, p->uid) < 0)
			hx_box_fail(err_fd, HX_STAGE_UID, errno, 0);
	}
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		hx_box_fail(err_fd, HX_STAGE_SECCOMP, errno, 0);
	if (landlock_fd >= 0) {
		if (hx_landlock_enforce(CHILD_LANDLOCK_FD) < 0)
			hx_box_fail(err_fd, HX_STAGE_LANDLOCK, errno, 0);
		close(CHILD_LANDLOCK_FD);
	}
	const char *prog = resolve_program(p, progbuf, sizeof(progbuf));

	struct sock_fprog fprog = {
		.len = (unsigned short)p->bpf_len,
		.filter = (struct sock_filter *)p->bpf,
	};
	unsigned long flags = SECCOMP_FILTER_FLAG_NEW_LISTENER;

	if (p->wait_killable)
		flags |= SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
	hx_prof_mark("child: loads the filter");
	int listener = (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &fprog);

	/* A kernel before 5.19 refuses the flag (and installs nothing):
	 * a run's probe does not try it first (probe.c). */
	if (listener < 0 && errno == EINVAL && (flags & SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV))
		listener = (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
					SECCOMP_FILTER_FLAG_NEW_LISTENER, &fprog);
	if (listener < 0)
		hx_box_fail(err_fd, HX_STAGE_SECCOMP, errno, 0);
	/* From here on the filter applies to us: only calls it lets through
	 * unnotified (sendmsg, close) until exec, which the supervisor can
	 * answer once it holds the listener. */
	rc = send_listener(CHILD_NOTIFY_FD, listener);
	if (rc < 0)
		hx_box_fail(err_fd, HX_STAGE_SENDFD, -rc, 0);
	close(listener);
	close(CHILD_NOTIFY_FD);

	execve(prog, (char *const *)p->argv, (char *const *)p->envp);
	hx_box_fail(err_fd, HX_STAGE_EXEC, errno, 0);
}

/*
 * box_init.c - the box's pid 1: builds the box's filesystem, starts the
 * submission, reaps, and kills everything when told or orphaned.
 *
 * Theory of operation (see also sandbox.c, the supervisor's side):
 *
 *   supervisor ──clone(NEWPID|NEWNS|NEWIPC|NEWNET|NEWUTS[|NEWUSER])──► init
 *   init ──fork──► submission (first process) ──fork──► its children ...
 *
 * fds the init receives (all set up by the supervisor before clone):
 *   ctl_fd      SOCK_SEQPACKET to the supervisor: GO in; EXITED, LEFTOVER,
 *               IPC and DONE out; FINISH in. EOF means the supervisor died:
 *               the init kills the box and exits.
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
 * hx_run), so the init may use the C library freely; it still allocates
 * nothing, since everything it needs is in the plan.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <linux/capability.h>
#include <linux/landlock.h>
#include <linux/seccomp.h>
#include <linux/filter.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "internal.h"

/* Fixed fd numbers in the submission child before exec. */
/* The line of the setup step that failed, reported to the supervisor. */
static int fail_line;

enum { CHILD_NOTIFY_FD = 3, CHILD_ERR_FD = 4, CHILD_LANDLOCK_FD = 5, CHILD_FIRST_FREE = 6 };

static void report_fail(int err_fd, int stage, int e)
{
	struct hx_child_err ce = { .stage = stage, .err = e, .line = fail_line };
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

/* ---- the box's filesystem (full isolation) ---------------------------- */

/*
 * Inside a fresh user namespace the init still has the kernel uid it was
 * cloned with (root's, when ipcgrade runs as root), which the namespace
 * does not map: files it creates would have no owner there (EOVERFLOW).
 * Become the mapped user, keeping the namespace's capabilities for the
 * mounts still to come.
 */
static int become_box_user(const struct hx_box_plan *p)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2];

	if (prctl(PR_SET_KEEPCAPS, 1) < 0)
		return -errno;
	if (setgroups(0, NULL) < 0 && errno != EPERM)
		return -errno;	/* EPERM: setgroups is denied (unprivileged map) */
	if (setresgid(p->gid, p->gid, p->gid) < 0 || setresuid(p->uid, p->uid, p->uid) < 0)
		return -errno;
	if (syscall(SYS_capget, &hdr, data) < 0)
		return -errno;
	data[0].effective = data[0].permitted;
	data[1].effective = data[1].permitted;
	if (syscall(SYS_capset, &hdr, data) < 0)
		return -errno;
	return 0;
}

/* MS_* flags a bind mount must keep when remounted read-only: inside a
 * user namespace the kernel refuses to clear locked flags. */
static unsigned long locked_flags(const char *path)
{
	struct statvfs sv;
	unsigned long f = 0;

	if (statvfs(path, &sv) < 0)
		return 0;
	if (sv.f_flag & ST_NOSUID)
		f |= MS_NOSUID;
	if (sv.f_flag & ST_NODEV)
		f |= MS_NODEV;
	if (sv.f_flag & ST_NOEXEC)
		f |= MS_NOEXEC;
	if (sv.f_flag & ST_NOATIME)
		f |= MS_NOATIME;
	if (sv.f_flag & ST_NODIRATIME)
		f |= MS_NODIRATIME;
	if (sv.f_flag & ST_RELATIME)
		f |= MS_RELATIME;
	return f;
}

static int bind_mount(const char *src, const char *dst, bool readonly, unsigned long extra)
{
	if (mount(src, dst, NULL, MS_BIND | MS_REC, NULL) < 0)
		return -errno;
	if (!readonly && !extra)
		return 0;
	unsigned long f = MS_REMOUNT | MS_BIND | locked_flags(dst) | extra;

	if (readonly)
		f |= MS_RDONLY;
	if (mount(NULL, dst, NULL, f, NULL) < 0)
		return -errno;
	return 0;
}

/* Make an empty file or directory at dst of the same kind as src. */
static int make_target(const char *src, const char *dst)
{
	struct stat st;

	if (stat(src, &st) < 0)
		return -errno;
	if (S_ISDIR(st.st_mode)) {
		if (mkdir(dst, 0755) < 0 && errno != EEXIST)
			return -errno;
		return 0;
	}
	int fd = open(dst, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);

	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

/* path is prefix or below it */
static bool is_under(const char *path, const char *prefix)
{
	size_t l = strlen(prefix);

	return strncmp(path, prefix, l) == 0 && (path[l] == '/' || path[l] == '\0');
}

/* mkdir -p for a path inside the new root. */
static int mkdirs(const char *path)
{
	char buf[PATH_MAX];

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return -ENAMETOOLONG;
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, 0755) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

static int write_text(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	size_t len = strlen(text);

	if (fd < 0)
		return -errno;
	if (write(fd, text, len) != (ssize_t)len) {
		close(fd);
		return -EIO;
	}
	close(fd);
	return 0;
}

#define MNT(expr) do { int r_ = (expr); if (r_ < 0) { fail_line = __LINE__; return r_; } } while (0)
#define SYS(expr) do { if ((expr) < 0) { fail_line = __LINE__; return -errno; } } while (0)

/*
 * Build the box's root on a fresh tmpfs: read-only system directories,
 * a minimal /etc and /dev, fresh /proc, /tmp, /dev/shm and mqueue, the
 * working directory at /box. The host's own root is detached at the end.
 */
static int setup_root(const struct hx_box_plan *p)
{
	char opts[64], path[PATH_MAX];
	int workdir_fd, ro_fds[16];
	static const char *const system_dirs[] = {
		"usr", "bin", "sbin", "lib", "lib32", "lib64", "libx32",
	};
	static const char *const etc_entries[] = {
		"ld.so.cache", "ld.so.conf", "ld.so.conf.d", "alternatives",
		"localtime", "nsswitch.conf", "hosts",
	};
	static const char *const dev_nodes[] = { "null", "zero", "full", "random", "urandom" };

	/* Nothing we mount may propagate back to the host. */
	SYS(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL));

	/* Host paths are opened now, in our mount namespace (a bind mount's
	 * source must be in the namespace doing the mount) and before /tmp
	 * is covered, since they may well live under /tmp. */
	SYS(workdir_fd = open(p->workdir, O_PATH | O_DIRECTORY | O_CLOEXEC));
	for (int i = 0; p->readonly_dirs && p->readonly_dirs[i] && i < 16; i++)
		SYS(ro_fds[i] = open(p->readonly_dirs[i], O_PATH | O_DIRECTORY | O_CLOEXEC));
	/* The host paths are open: become the namespace's own user before
	 * creating anything (see become_box_user). */
	if (p->userns) {
		int rc = become_box_user(p);

		if (rc < 0) {
			fail_line = __LINE__;
			return rc;
		}
	}

	/* The new root is a small tmpfs over /tmp: after pivot_root the
	 * host's /tmp shows again under /.oldroot/tmp (bubblewrap's trick). */
	SYS(mount("ipcgrade-root", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=0755"));
	SYS(mkdir("/tmp/box", 0755));
	/* The working directory is bound through its fd: its host path may
	 * have parents the box's user cannot search. */
	snprintf(path, sizeof(path), "/proc/self/fd/%d", workdir_fd);
	MNT(bind_mount(path, "/tmp/box", false, MS_NOSUID | MS_NODEV));
	close(workdir_fd);
	SYS(mkdir("/tmp/.oldroot", 0700));
	if (syscall(SYS_pivot_root, "/tmp", "/tmp/.oldroot") < 0)
		return -errno;
	SYS(chdir("/"));

	/* A fresh /proc of the box's pid namespace. It must be mounted
	 * while the host's /proc is still visible (the kernel checks that
	 * a user namespace does not reveal more than it already sees). */
	SYS(mkdir("/proc", 0555));
	SYS(mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL));
	/* Host-wide knobs stay read-only (where this kernel has them). */
	static const char *const proc_ro[] = { "/proc/sys", "/proc/sysrq-trigger", "/proc/irq", "/proc/bus" };

	for (size_t i = 0; i < HX_ARRAY_SIZE(proc_ro); i++)
		if (access(proc_ro[i], F_OK) == 0)
			MNT(bind_mount(proc_ro[i], proc_ro[i], true, 0));

	for (size_t i = 0; i < HX_ARRAY_SIZE(system_dirs); i++) {
		char src[64], dst[64], target[PATH_MAX];
		struct stat st;

		snprintf(src, sizeof(src), "/.oldroot/%s", system_dirs[i]);
		snprintf(dst, sizeof(dst), "/%s", system_dirs[i]);
		if (lstat(src, &st) < 0)
			continue;
		if (S_ISLNK(st.st_mode)) {
			ssize_t n = readlink(src, target, sizeof(target) - 1);

			if (n < 0)
				return -errno;
			target[n] = '\0';
			SYS(symlink(target, dst));
		} else if (S_ISDIR(st.st_mode)) {
			SYS(mkdir(dst, 0755));
			MNT(bind_mount(src, dst, true, MS_NOSUID | MS_NODEV));
		}
	}

	SYS(mkdir("/etc", 0755));
	for (size_t i = 0; i < HX_ARRAY_SIZE(etc_entries); i++) {
		char src[64], dst[64];

		snprintf(src, sizeof(src), "/.oldroot/etc/%s", etc_entries[i]);
		snprintf(dst, sizeof(dst), "/etc/%s", etc_entries[i]);
		if (make_target(src, dst) < 0)
			continue;	/* absent on this host: fine */
		MNT(bind_mount(src, dst, true, MS_NOSUID | MS_NODEV));
	}
	MNT(write_text("/etc/passwd", p->passwd, 0644));
	MNT(write_text("/etc/group", p->group, 0644));
	MNT(write_text("/etc/hostname", "box\n", 0644));

	SYS(mkdir("/dev", 0755));
	SYS(mount("ipcgrade-dev", "/dev", "tmpfs", MS_NOSUID | MS_NOEXEC, "size=64k,mode=0755"));
	for (size_t i = 0; i < HX_ARRAY_SIZE(dev_nodes); i++) {
		char src[64], dst[64];

		snprintf(src, sizeof(src), "/.oldroot/dev/%s", dev_nodes[i]);
		snprintf(dst, sizeof(dst), "/dev/%s", dev_nodes[i]);
		MNT(make_target(src, dst));
		MNT(bind_mount(src, dst, false, 0));
	}
	SYS(symlink("/proc/self/fd", "/dev/fd"));
	SYS(symlink("/proc/self/fd/0", "/dev/stdin"));
	SYS(symlink("/proc/self/fd/1", "/dev/stdout"));
	SYS(symlink("/proc/self/fd/2", "/dev/stderr"));
	snprintf(opts, sizeof(opts), "size=%um,mode=1777", p->limits.tmpfs_mb);
	SYS(mkdir("/dev/shm", 01777));
	SYS(mount("ipcgrade-shm", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, opts));
	SYS(mkdir("/dev/mqueue", 01777));
	SYS(mount("mqueue", "/dev/mqueue", "mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL));

	SYS(mkdir("/tmp", 01777));
	SYS(mount("ipcgrade-tmp", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, opts));

	/* Read-only folders (a checker's) at their host paths. Only now: one
	 * may well live under /tmp or /etc, which the box has just made
	 * afresh, and before the old root goes, since a bind mount's source
	 * must still be attached. The box's /proc/self/fd reaches them
	 * however private their host parents are. */
	for (int i = 0; p->readonly_dirs && p->readonly_dirs[i]; i++) {
		const char *dir = p->readonly_dirs[i];
		/* Inside a system folder: visible, read-only, through its bind
		 * mount already. */
		bool in_system = false;

		for (size_t k = 0; k < HX_ARRAY_SIZE(system_dirs); k++) {
			char sys[16];

			snprintf(sys, sizeof(sys), "/%s", system_dirs[k]);
			in_system |= is_under(dir, sys);
		}
		if (in_system) {
			close(ro_fds[i]);
			continue;
		}
		/* Never over the box's own mounts, nor into the working folder. */
		if (dir[0] != '/' || strcmp(dir, "/") == 0 || strcmp(dir, "/tmp") == 0 ||
		    is_under(dir, "/proc") || is_under(dir, "/box")) {
			fail_line = __LINE__;
			return -EINVAL;
		}
		MNT(mkdirs(dir));
		snprintf(path, sizeof(path), "/proc/self/fd/%d", ro_fds[i]);
		MNT(bind_mount(path, dir, true, MS_NOSUID | MS_NODEV));
		close(ro_fds[i]);
	}

	/* /box was bound before pivot_root, so it moved along with the root. */
	SYS(umount2("/.oldroot", MNT_DETACH));
	SYS(rmdir("/.oldroot"));
	/* The root itself becomes read-only; /tmp, /dev/shm and /box stay
	 * writable as their own mounts. */
	SYS(mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV, NULL));
	return 0;
}

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

/* ---- the submission child --------------------------------------------- */

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
		rc |= set_limit(RLIMIT_NPROC, l->processes);
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

static void run_submission(const struct hx_box_plan *p, int landlock_fd)
{
	char progbuf[PATH_MAX];
	int err_fd = p->err_fd;
	int rc;

	/* A session and process group of its own: kill(0, ...) and job
	 * control stay inside the run; no controlling terminal. */
	setsid();
	rc = place_fds(p, landlock_fd);
	if (rc < 0)
		report_fail(err_fd, HX_STAGE_FORK, -rc);
	err_fd = CHILD_ERR_FD;
	/* Dispositions the grader ignores, and its signal mask, would be
	 * inherited across exec: a submission starts from the defaults. */
	for (int sig = 1; sig < NSIG; sig++)
		signal(sig, SIG_DFL);
	sigset_t none;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);

	if (apply_rlimits(p) < 0)
		report_fail(err_fd, HX_STAGE_RLIMIT, errno);
	if (p->drop_uid) {
		if (setgroups(0, NULL) < 0 && errno != EPERM)
			report_fail(err_fd, HX_STAGE_UID, errno);
		if (setresgid(p->gid, p->gid, p->gid) < 0 || setresuid(p->uid, p->uid, p->uid) < 0)
			report_fail(err_fd, HX_STAGE_UID, errno);
	}
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		report_fail(err_fd, HX_STAGE_SECCOMP, errno);
	if (landlock_fd >= 0) {
		if (hx_landlock_enforce(CHILD_LANDLOCK_FD) < 0)
			report_fail(err_fd, HX_STAGE_LANDLOCK, errno);
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
	int listener = (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &fprog);

	if (listener < 0)
		report_fail(err_fd, HX_STAGE_SECCOMP, errno);
	/* From here on the filter applies to us: only calls it lets through
	 * unnotified (sendmsg, close) until exec, which the supervisor can
	 * answer once it holds the listener. */
	rc = send_listener(CHILD_NOTIFY_FD, listener);
	if (rc < 0)
		report_fail(err_fd, HX_STAGE_SENDFD, -rc);
	close(listener);
	close(CHILD_NOTIFY_FD);

	execve(prog, (char *const *)p->argv, (char *const *)p->envp);
	report_fail(err_fd, HX_STAGE_EXEC, errno);
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

/* The box's live processes, init excluded. Full isolation: every pid of
 * our /proc but 1. Reduced: our descendants (we are their subreaper). */
static int live_processes(const struct hx_box_plan *p, pid_t *out, int max)
{
	if (!p->full)
		return hx_proc_descendants(getpid(), out, max);

	int fd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	char buf[4096];
	int n = 0;
	long got;

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

			if (*end == '\0' && v > 1 && n < max)
				out[n++] = (pid_t)v;
			off += d->reclen;
		}
	}
	close(fd);
	return n;
}

static bool is_zombie(pid_t pid)
{
	struct hx_proc_stat st;

	return hx_proc_stat(pid, 0, &st) < 0 || st.state == 'Z' || st.state == 'X';
}

/* Report (when ctl >= 0) and kill every live process of the box. */
static int kill_box(const struct hx_box_plan *p, int ctl, bool report)
{
	static pid_t pids[8192];
	int counted = 0;

	for (int round = 0; round < 1000; round++) {
		int n = live_processes(p, pids, (int)HX_ARRAY_SIZE(pids));
		int alive = 0;

		for (int i = 0; i < n; i++) {
			if (is_zombie(pids[i]))
				continue;
			alive++;
			if (report && round == 0) {
				struct hx_msg m = { .type = HX_MSG_LEFTOVER, .pid = pids[i] };
				struct hx_proc_stat st;

				if (hx_proc_stat(pids[i], 0, &st) == 0)
					snprintf(m.name, sizeof(m.name), "%s", st.comm);
				if (ctl >= 0)
					send_msg(ctl, &m);
				counted++;
			}
			kill(pids[i], SIGKILL);
		}
		if (p->full)
			kill(-1, SIGKILL);	/* every process of our namespace but us */
		int status;

		while (waitpid(-1, &status, WNOHANG | __WALL) > 0)
			;
		if (alive == 0)
			break;
		if (round > 0)
			usleep(1000);
	}
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
	send_msg(ctl, &m);
	_exit(0);
}

/* Close every inherited fd but the plan's: a copy of the supervisor's end
 * of a pipe or socket held here would hide its death from us, and its
 * other open files are none of the box's business. */
static void close_other_fds(const struct hx_box_plan *p)
{
	int keep[] = { p->ctl_fd, p->notify_fd, p->err_fd, p->stdin_fd, p->stdout_fd,
		       p->stderr_fd, p->landlock_fd, p->workdir_fd };
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

/* Blocks until the supervisor's next message, which must be `type`. */
static void wait_for(int ctl, int type, int err_fd)
{
	struct hx_msg m;
	ssize_t n;

	do
		n = recv(ctl, &m, sizeof(m), 0);
	while (n < 0 && errno == EINTR);
	if (n != (ssize_t)sizeof(m) || m.type != type)
		report_fail(err_fd, HX_STAGE_GO, n < 0 ? errno : EPIPE);
}

void hx_box_init_main(const struct hx_box_plan *p)
{
	int ctl = p->ctl_fd, err_fd = p->err_fd;
	struct hx_msg m;
	sigset_t mask;
	int sfd, rc;
	int landlock_fd = p->landlock_fd;

	pid_t supervisor = getppid();

	close_other_fds(p);
	/* Die with the supervisor (full isolation: the whole box dies with
	 * us). Set again after every change of user, which clears it. In
	 * reduced isolation our EOF handling of ctl takes the box down. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (!p->full && getppid() != supervisor)
		_exit(1);	/* supervisor already gone */

	/* Wait for the supervisor to set our uid map. */
	wait_for(ctl, HX_MSG_GO, err_fd);

	if (p->full) {
		if (sethostname("box", 3) < 0)
			report_fail(err_fd, HX_STAGE_MOUNT, errno);
		rc = setup_root(p);
		if (rc < 0)
			report_fail(err_fd, HX_STAGE_MOUNT, -rc);
		prctl(PR_SET_PDEATHSIG, SIGKILL);	/* cleared by become_box_user */
		/* Did the supervisor die meanwhile? (getppid() is 0 here: our
		 * parent is outside our pid namespace.) */
		struct pollfd hup = { .fd = ctl, .events = 0 };

		if (poll(&hup, 1, 0) > 0 && (hup.revents & (POLLHUP | POLLERR)))
			_exit(1);
		rc = loopback_up();
		if (rc < 0)
			report_fail(err_fd, HX_STAGE_NET, -rc);
	} else {
		/* Orphans of the box come to us, and our session holds them. */
		if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
			report_fail(err_fd, HX_STAGE_FORK, errno);
		setsid();
	}
	/* The submission inherits the init's working directory. */
	if ((p->full ? chdir("/box") : fchdir(p->workdir_fd)) < 0)
		report_fail(err_fd, HX_STAGE_CHDIR, errno);
	close(p->workdir_fd);
	for (int i = 0; p->readonly_dirs && p->readonly_dirs[i] && i < 16; i++)
		close(p->ro_fds[i]);

	if (p->cpus > 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		for (unsigned i = 0; i < p->cpus; i++)
			CPU_SET((int)((p->cpu_first + i) % CPU_SETSIZE), &set);
		if (sched_setaffinity(0, sizeof(set), &set) < 0)
			report_fail(err_fd, HX_STAGE_AFFINITY, errno);
	}

	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0)
		report_fail(err_fd, HX_STAGE_FORK, errno);

	/* The supervisor moved us into the run's cgroup while we set up
	 * (on cgroup v1 a move waits for an RCU grace period, ~13 ms here);
	 * the program must start inside it. */
	wait_for(ctl, HX_MSG_START, err_fd);
	pid_t first = fork();

	if (first < 0)
		report_fail(err_fd, HX_STAGE_FORK, errno);
	if (first == 0) {
		sigprocmask(SIG_UNBLOCK, &mask, NULL);
		close(sfd);
		close(ctl);
		run_submission(p, landlock_fd);
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
				leftovers = kill_box(p, ctl, true);
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

/*
 * probe.c - what this machine offers the sandbox, found by trying.
 *
 * Every feature is probed by using it in a throw-away child, never by
 * reading version numbers: Docker's seccomp profile, Ubuntu's AppArmor
 * user-namespace restriction and a masked /proc all pass version checks
 * and then fail at the first real call.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "internal.h"

/* Exit codes of the namespace probe child: which step failed. */
enum { NS_OK = 0, NS_GO, NS_PRIVATE, NS_TMPFS, NS_PROC, NS_MQUEUE };

static const char *ns_step(int code)
{
	switch (code) {
	case NS_GO: return "setting up the user namespace";
	case NS_PRIVATE: return "making mounts private";
	case NS_TMPFS: return "mounting a tmpfs";
	case NS_PROC: return "mounting /proc (is /proc masked, as in a container?)";
	case NS_MQUEUE: return "mounting an mqueue filesystem";
	}
	return "an unknown step";
}

static int write_maps(pid_t pid, uid_t uid, gid_t gid)
{
	char path[64], text[64];
	int rc;

	snprintf(path, sizeof(path), "/proc/%d/setgroups", (int)pid);
	hx_write_file(path, "deny");	/* absent on old kernels */
	snprintf(path, sizeof(path), "/proc/%d/uid_map", (int)pid);
	snprintf(text, sizeof(text), "%d %d 1\n", HX_INNER_UID, (int)uid);
	rc = hx_write_file(path, text);
	if (rc < 0)
		return rc;
	snprintf(path, sizeof(path), "/proc/%d/gid_map", (int)pid);
	snprintf(text, sizeof(text), "%d %d 1\n", HX_INNER_UID, (int)gid);
	return hx_write_file(path, text);
}

/* A namespace probe under way: its child, and why it failed so far. */
struct ns_probe {
	pid_t pid;		/* -1: failed before the child ran */
	int rc;			/* writing the maps: 0 or -errno */
};

/* Starts trying the namespaces a full box needs, as the box's init
 * would; ns_finish says how it went. The other probes run meanwhile. */
static void ns_start(struct ns_probe *np, bool userns, char *why, size_t whylen)
{
	int sync[2];
	unsigned long flags = CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWNET |
			      CLONE_NEWUTS | SIGCHLD;

	if (userns)
		flags |= CLONE_NEWUSER;
	np->pid = -1;
	np->rc = 0;
	if (pipe2(sync, O_CLOEXEC) < 0) {
		snprintf(why, whylen, "pipe: %s", strerror(errno));
		return;
	}
	pid_t pid = (pid_t)syscall(SYS_clone, flags, NULL, NULL, NULL, NULL);

	if (pid < 0) {
		int e = errno;

		close(sync[0]);
		close(sync[1]);
		snprintf(why, whylen, "clone(%s): %s",
			 userns ? "CLONE_NEWUSER|CLONE_NEWPID|..." : "CLONE_NEWPID|CLONE_NEWNS|...",
			 strerror(e));
		return;
	}
	if (pid == 0) {
		char c;

		close(sync[1]);
		if (read(sync[0], &c, 1) != 1)
			_exit(NS_GO);
		if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
			_exit(NS_PRIVATE);
		if (mount("probe", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "size=64k") < 0)
			_exit(NS_TMPFS);
		if (mkdir("/tmp/proc", 0755) < 0 ||
		    mount("proc", "/tmp/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
			_exit(NS_PROC);
		if (mkdir("/tmp/mq", 0755) < 0 || mount("mqueue", "/tmp/mq", "mqueue", 0, NULL) < 0)
			_exit(NS_MQUEUE);
		_exit(NS_OK);
	}
	close(sync[0]);
	int rc = userns ? write_maps(pid, getuid(), getgid()) : 0;

	if (rc == 0 && write(sync[1], "g", 1) != 1)
		rc = -errno;
	close(sync[1]);
	np->pid = pid;
	np->rc = rc;
}

/* Reaps the namespace probe's child; whether the namespaces worked. */
static bool ns_finish(const struct ns_probe *np, char *why, size_t whylen)
{
	int status = 0, rc = np->rc;

	if (np->pid < 0)
		return false;
	while (waitpid(np->pid, &status, 0) < 0 && errno == EINTR)
		;
	if (rc < 0) {
		snprintf(why, whylen, "writing the user namespace's uid map: %s", strerror(-rc));
		return false;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != NS_OK) {
		snprintf(why, whylen, "%s failed inside new namespaces",
			 WIFEXITED(status) ? ns_step(WEXITSTATUS(status)) : "the probe child was killed");
		return false;
	}
	return true;
}

/* What a child could do with a one-rule notify filter: its exit status,
 * a bit each. */
enum notify_probe {
	NOTIFY_YES = 1 << 0,
	NOTIFY_SYNC_WAKEUP = 1 << 1,	/* the listener hands wake-ups over */
	NOTIFY_WAIT_KILLABLE = 1 << 2,	/* SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV */
};

/* Starts the child; notify_finish reaps it. -1 when it could not start. */
static pid_t notify_start(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		struct sock_filter insns[] = {
			BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		};
		struct sock_fprog prog = { .len = 1, .filter = insns };

		int got = NOTIFY_WAIT_KILLABLE;

		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
			_exit(0);
		/* With the flag first: where it is refused, nothing was
		 * installed, and the plain listener is tried. */
		long fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
				  SECCOMP_FILTER_FLAG_NEW_LISTENER |
				  SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, &prog);
		if (fd < 0) {
			got = 0;
			fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
				     SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
		}
		if (fd < 0)
			_exit(0);
		/* The same listener tells whether it can hand wake-ups over. */
		got |= NOTIFY_YES | (hx_tracer_sync_wakeups((int)fd) ? NOTIFY_SYNC_WAKEUP : 0);
		_exit(got);
	}
	return pid;
}

static int notify_finish(pid_t pid)
{
	int status = 0;

	if (pid < 0)
		return 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 0;
}

/* How reduced boxes get message queues: Landlock fences them unless it
 * has a queue file system to allow (ipc_objects.c, landlock.c). */
static void probe_mqueue(struct hx_caps *caps)
{
	struct statfs sf;
	const char *how;

	caps->reduced_mqueue = true;
	if (statfs("/dev/mqueue", &sf) == 0 && sf.f_type == 0x19800202) {
		how = "through /dev/mqueue";
	} else if (!hx_landlock_available()) {
		how = "not fenced (no Landlock here)";
	} else {
		int fd = hx_ipc_mqueue_dir();

		caps->reduced_mqueue = fd >= 0;
		if (fd >= 0)
			close(fd);
		how = fd >= 0 ? "through a private mount of the queue file system (/dev/mqueue is not mounted)"
			      : "refused: /dev/mqueue is not mounted, and only root can mount the queue file "
				"system privately (as root: mount -t mqueue none /dev/mqueue)";
	}
	snprintf(caps->reduced_mqueue_how, sizeof(caps->reduced_mqueue_how), "%s", how);
}

bool hx_probe_wait_killable(void)
{
	return hx_probe_base()->seccomp_wait_killable;
}

static struct hx_caps caps;
static bool base_done, ns_done, host_done, notify_done;

/* The listener probe's child, reaped: its findings into caps. */
static void notify_record(pid_t pid)
{
	int notify = notify_finish(pid);

	caps.seccomp_notify = notify & NOTIFY_YES;
	caps.seccomp_sync_wakeup = notify & NOTIFY_SYNC_WAKEUP;
	caps.seccomp_wait_killable = notify & NOTIFY_WAIT_KILLABLE;
	notify_done = true;
}

/* Where the user namespace could not be had: as root, the other
 * namespaces alone (the box then drops to a uid of its own). */
static void namespaces_without_userns(struct ns_probe *np)
{
	if (caps.user_namespaces)
		caps.namespaces = true;
	else if (caps.running_as_root) {
		ns_start(np, false, caps.namespaces_why, sizeof(caps.namespaces_why));
		caps.namespaces = ns_finish(np, caps.namespaces_why, sizeof(caps.namespaces_why));
	} else
		snprintf(caps.namespaces_why, sizeof(caps.namespaces_why),
			 "not root, and no user namespace: %.120s", caps.user_namespaces_why);
	ns_done = true;
}

static void set_best(void)
{
	caps.best = caps.namespaces && caps.seccomp_notify ? HX_ISOLATION_FULL : HX_ISOLATION_REDUCED;
}

/* What doctor shows beyond what a run needs: the cgroups (a run makes
 * its own and says what it got) and queues in reduced isolation. */
static void probe_host(void)
{
	hx_cgroup_probe(&caps);
	hx_prof_mark("probe: cgroups tried");
	probe_mqueue(&caps);
	host_done = true;
}

/* What every run needs, the namespaces excepted; with np, the namespace
 * probe's child (already started) runs meanwhile, with the host's
 * probes here, and is reaped here. */
static void probe_base(struct ns_probe *np)
{
	struct utsname u;

	hx_prof_init();
	hx_prof_mark("probe");
	if (uname(&u) == 0)
		snprintf(caps.kernel, sizeof(caps.kernel), "%.80s %.32s", u.release, u.machine);
	const struct scmp_version *v = seccomp_version();

	snprintf(caps.libseccomp, sizeof(caps.libseccomp), "%u.%u.%u",
		 v->major, v->minor, v->micro);
	caps.running_as_root = geteuid() == 0;

	/* A run (np NULL) forks no listener probe: the kernel's answer to
	 * libseccomp's flag checks (API level 5: user notification) is
	 * enough to go on, the box's child tries WAIT_KILLABLE_RECV and
	 * falls back without it, and the supervisor asks the listener it
	 * gets for synchronous wake-ups. The child was up to 3 ms of a
	 * run's start (a fork, scheduled on a loaded machine). */
	if (!np) {
		caps.seccomp_notify = seccomp_api_get() >= 5;
		caps.seccomp_wait_killable = caps.seccomp_notify;	/* tried by the box */
		base_done = true;
		set_best();
		hx_prof_mark("probe: done");
		return;
	}
	/* The children run side by side: the namespace probe's (whose
	 * clone and teardown are most of the probe's time), the listener's,
	 * and the cgroup and queue probes here meanwhile. */
	pid_t notify_pid = seccomp_api_get() >= 5 ? notify_start() : -1;

	probe_host();
	caps.user_namespaces = ns_finish(np, caps.user_namespaces_why,
					 sizeof(caps.user_namespaces_why));
	namespaces_without_userns(np);
	hx_prof_mark("probe: namespaces tried");
	notify_record(notify_pid);
	base_done = true;
	set_best();
	hx_prof_mark("probe: done");
}

const struct hx_caps *hx_probe(void)
{
	struct ns_probe np;

	if (!base_done) {
		ns_start(&np, true, caps.user_namespaces_why, sizeof(caps.user_namespaces_why));
		probe_base(&np);
		return &caps;
	}
	if (!ns_done) {
		ns_start(&np, true, caps.user_namespaces_why, sizeof(caps.user_namespaces_why));
		if (!host_done)
			probe_host();
		caps.user_namespaces = ns_finish(&np, caps.user_namespaces_why,
						 sizeof(caps.user_namespaces_why));
		namespaces_without_userns(&np);
		set_best();
	}
	if (!host_done)
		probe_host();
	if (!notify_done) {
		notify_record(seccomp_api_get() >= 5 ? notify_start() : -1);
		set_best();
	}
	return &caps;
}

const struct hx_caps *hx_probe_base(void)
{
	if (!base_done)
		probe_base(NULL);
	return &caps;
}

bool hx_probe_namespaces_known(void)
{
	return ns_done;
}

void hx_probe_namespaces_worked(bool userns)
{
	if (ns_done || !base_done)
		return;
	caps.namespaces = true;
	caps.user_namespaces = userns;
	if (!userns)
		return;	/* whether a user namespace would work is still unknown */
	ns_done = true;
	set_best();
}

void hx_limits_mechanisms(enum hx_isolation iso, struct hx_limits_by *by)
{
	const struct hx_caps *c = hx_probe();
	(void)iso;

	by->wall = "supervisor timer";
	by->output = "supervisor byte count";
	if (c->cgroup_memory)
		by->memory = c->cgroup_v1_memory ? "cgroup v1 memory" : "cgroup v2 memory";
	else
		by->memory = "RLIMIT_AS per process";
	if (c->cgroup_pids)
		by->processes = c->cgroup_v1_pids ? "cgroup v1 pids" : "cgroup v2 pids";
	else
		by->processes = c->running_as_root ? "RLIMIT_NPROC of the box's own uid"
						   : "RLIMIT_NPROC (shared with your other processes)";
	if (c->cgroup_v1_cpuacct || (c->cgroup_v2 && (c->cgroup_memory || c->cgroup_pids)))
		by->cpu = c->cgroup_v1_cpuacct ? "cgroup v1 cpuacct" : "cgroup v2 cpu.stat";
	else
		by->cpu = "/proc sampling + RLIMIT_CPU per process";
}

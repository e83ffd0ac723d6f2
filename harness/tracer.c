/*
 * tracer.c - the supervisor's side of seccomp user notification.
 *
 * Every notification is one system call of a box process, stopped
 * before it runs. We decide (deny, check a kill target, or trace), record
 * what the call means at the level the student wrote it (glibc's
 * sem_open is an openat, an mmap, a link and an unlink: one `sem_open`
 * event), and answer. Answers to traced calls can be delayed by a seeded
 * random jitter to widen race windows; they wait in a small queue so the
 * event loop never sleeps.
 *
 * Pids: the kernel gives us host pids (thread ids, in fact). Reports use
 * box pids, numbered in creation order with the first process as 1. New
 * processes are discovered by walking the box's process tree from the
 * init whenever an unknown pid shows up, a process with unanswered forks
 * calls again, or the watchdog ticks.
 *
 * Facts of the kernel ABI this relies on (kernel 6.x, libseccomp 2.5):
 *  - the request must be zeroed before every receive (else EINVAL);
 *  - after reading a tracee's memory, seccomp_notify_id_valid() tells
 *    whether the pid still belongs to the notifying task;
 *  - answering a notification whose task died fails with ENOENT: fine.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/futex.h>
#include <linux/openat2.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <mqueue.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "internal.h"

#define MAX_EVENTS 100000
#define MAX_PENDING_FORKS 16
#define MAX_FD_DIRS 64
#define FD_CACHE 64

/* What a low fd of a process is, learnt while it stays open. */
enum fd_kind { FD_UNKNOWN, FD_NOT_IPC, FD_PIPE, FD_SOCKET };

struct proc {
	pid_t host_pid;
	pid_t ns_pid;
	int box_pid;
	int parent_box;
	/* fork events whose child we have not seen yet, oldest first */
	size_t fork_events[MAX_PENDING_FORKS];
	pid_t fork_tids[MAX_PENDING_FORKS];
	unsigned nforks;
	/* /proc/PID/fd, open while the process lives: naming the pipe
	 * behind a read or write is then one short readlinkat. */
	int fd_dir;
	/*
	 * Hot tracing: what each fd below FD_CACHE is, so that a loop of
	 * reads costs no readlinkat each. An open fd keeps its file until
	 * close, close_range, dup2/dup3 onto it or exec, which are notified
	 * in hot mode and forget it. Off once the process has threads: one
	 * could close the fd between our look and another's call.
	 */
	unsigned char fd_kind[FD_CACHE];
	unsigned long fd_ino[FD_CACHE];
	bool fd_cache_off;
	/* glibc's sem_open in progress: the name it probed, its temp file */
	char sem_probe[64];
	char sem_tmp[64];
	/* execvp tries one execve per PATH entry: the same argv and envp,
	 * nothing in between. They are one exec. */
	uint64_t exec_argv, exec_envp;
	size_t exec_event;
	bool exec_open;
	/* Its last fork- or wait-class call, to fold kernel restarts. */
	bool last_valid;
	pid_t last_tid;
	int last_nr;
	uint64_t last_args[6];
	int last_children;
	/* Start gate: its last call was not a fork, so its newborn
	 * children need not wait for siblings. */
	bool gate_open;
};

struct thread {
	pid_t tid;
	size_t proc;
};

struct pending {
	uint64_t id;
	uint64_t due_us;
	pid_t tid;
	pid_t gated_by;		/* start gate: the parent whose next call releases it */
};

/* How long the start gate holds a newborn process at most. */
#define GATE_MAX_US 5000

struct denial {
	char name[64];
	unsigned count;
};

struct hx_tracer {
	unsigned trace;
	pid_t cur_tid;		/* the task whose call is being handled */
	unsigned nfd_dirs;	/* open /proc/PID/fd directories (bounded) */
	bool full;
	unsigned policy;	/* the flags of the box's seccomp policy */
	pid_t init_pid;
	uint64_t start_us;
	unsigned jitter_max_us;
	uint64_t seed, rng;
	unsigned long out_ino, err_ino;
	bool first_exec_seen;
	/* Some process shares its fd table with another (clone CLONE_FILES
	 * without CLONE_THREAD): no fd cache can see the other's closes. */
	bool fd_cache_off;
	/* The event being added came from the call's registers or the fd
	 * cache alone, nothing read from /proc or the tracee's memory that
	 * could belong to another task by now: no need to validate it. */
	bool event_args_only;

	struct proc *procs;
	size_t nprocs, cprocs;
	int next_box_pid;
	struct thread *threads;
	size_t nthreads, cthreads;

	struct hx_event *events;
	size_t nevents, cevents;
	bool events_truncated;
	unsigned counts[HX_GROUP_COUNT];

	struct denial *denied;
	size_t ndenied;

	struct pending *pending;
	size_t npending, cpending;

	struct seccomp_notif *req;
	struct seccomp_notif_resp *resp;
};

static uint64_t splitmix64(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

struct hx_tracer *hx_tracer_new(const struct hx_config *cfg, bool full, pid_t init_pid)
{
	struct hx_tracer *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	if (seccomp_notify_alloc(&t->req, &t->resp) < 0) {
		free(t);
		return NULL;
	}
	t->trace = cfg->trace;
	t->full = full;
	t->policy = hx_policy_flags(cfg, full);
	t->init_pid = init_pid;
	t->jitter_max_us = cfg->jitter_max_us;
	t->seed = cfg->seed;
	while (t->seed == 0 && getrandom(&t->seed, sizeof(t->seed), 0) < 0 && errno == EINTR)
		;
	if (t->seed == 0)
		t->seed = hx_now_us() ^ ((uint64_t)getpid() << 32);
	t->rng = t->seed;
	t->next_box_pid = 1;
	return t;
}

void hx_tracer_free(struct hx_tracer *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->nevents; i++)
		free(t->events[i].detail);
	for (size_t i = 0; i < t->nprocs; i++)
		if (t->procs[i].fd_dir >= 0)
			close(t->procs[i].fd_dir);
	free(t->events);
	free(t->procs);
	free(t->threads);
	free(t->denied);
	free(t->pending);
	seccomp_notify_free(t->req, t->resp);
	free(t);
}

#ifndef SECCOMP_IOCTL_NOTIF_SET_FLAGS
#define SECCOMP_IOCTL_NOTIF_SET_FLAGS SECCOMP_IOW(4, __u64)
#endif
#ifndef SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
#define SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (1UL << 0)
#endif

bool hx_tracer_sync_wakeups(int listener)
{
	/* Linux 6.6+: a notification wakes the supervisor, and its answer
	 * wakes the task, on the waker's own CPU, like a direct hand-off,
	 * instead of an inter-processor wake-up each way. Older kernels
	 * refuse the ioctl; tracing works the same, only slower. */
	return ioctl(listener, SECCOMP_IOCTL_NOTIF_SET_FLAGS,
		     SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP) == 0;
}

void hx_tracer_set_output_pipes(struct hx_tracer *t, unsigned long out_ino, unsigned long err_ino)
{
	t->out_ino = out_ino;
	t->err_ino = err_ino;
}

/* ---- processes ------------------------------------------------------------ */

static void *grow(void *arr, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return arr;
	size_t c = *cap ? *cap * 2 : 16;

	while (c < need)
		c *= 2;
	void *p = realloc(arr, c * elem);

	if (p)
		*cap = c;
	return p;
}

static struct proc *find_proc(struct hx_tracer *t, pid_t host_pid)
{
	for (size_t i = 0; i < t->nprocs; i++)
		if (t->procs[i].host_pid == host_pid)
			return &t->procs[i];
	return NULL;
}

static struct proc *add_proc(struct hx_tracer *t, pid_t host_pid, pid_t ppid_host)
{
	struct proc *arr = grow(t->procs, &t->cprocs, t->nprocs + 1, sizeof(*arr));

	if (!arr)
		return NULL;
	t->procs = arr;
	struct proc *p = &t->procs[t->nprocs++];

	memset(p, 0, sizeof(*p));
	p->fd_dir = -1;
	p->host_pid = host_pid;
	p->ns_pid = t->full ? hx_proc_nspid(host_pid) : host_pid;
	p->box_pid = t->next_box_pid++;

	struct proc *parent = ppid_host > 0 ? find_proc(t, ppid_host) : NULL;

	if (parent) {
		p->parent_box = parent->box_pid;
		/* This child answers its parent's oldest unanswered fork. */
		if (parent->nforks > 0) {
			size_t ev = parent->fork_events[0];

			if (ev < t->nevents)
				t->events[ev].child = p->box_pid;
			memmove(parent->fork_events, parent->fork_events + 1,
				(parent->nforks - 1) * sizeof(size_t));
			memmove(parent->fork_tids, parent->fork_tids + 1,
				(parent->nforks - 1) * sizeof(pid_t));
			parent->nforks--;
		}
	}
	return p;
}

static bool is_fork_call(int nr)
{
	return nr == SYS_clone || nr == SYS_fork || nr == SYS_vfork;
}

/*
 * A task's fork has returned by the time it makes its next call, so
 * discovery has seen the child if there was one. A fork that failed
 * (EAGAIN at the pids limit) would otherwise stay pending, and every
 * later call of the process would walk /proc again.
 */
static void forget_failed_forks(struct proc *p, pid_t tid)
{
	unsigned j = 0;

	for (unsigned i = 0; i < p->nforks; i++) {
		if (p->fork_tids[i] == tid)
			continue;
		p->fork_events[j] = p->fork_events[i];
		p->fork_tids[j++] = p->fork_tids[i];
	}
	p->nforks = j;
}

struct candidate {
	pid_t host;
	pid_t key;
	pid_t ppid;
};

static int by_key(const void *a, const void *b)
{
	const struct candidate *x = a, *y = b;

	return (x->key > y->key) - (x->key < y->key);
}

/* Adds the processes of pids[] not known yet, in the order they were created. */
static void adopt(struct hx_tracer *t, const pid_t *pids, int n)
{
	static struct candidate cand[4096];
	int nc = 0;

	for (int i = 0; i < n; i++) {
		struct hx_proc_stat st;

		if (find_proc(t, pids[i]) || hx_proc_stat(pids[i], 0, &st) < 0)
			continue;
		cand[nc].host = pids[i];
		cand[nc].ppid = st.ppid;
		/* Pids of a fresh pid namespace are handed out in order; host
		 * pids almost always are. */
		cand[nc].key = t->full ? hx_proc_nspid(pids[i]) : pids[i];
		nc++;
	}
	qsort(cand, (size_t)nc, sizeof(cand[0]), by_key);
	for (int i = 0; i < nc; i++)
		add_proc(t, cand[i].host, cand[i].ppid);
}

void hx_tracer_discover(struct hx_tracer *t)
{
	static pid_t pids[4096];
	int n = hx_proc_descendants(t->init_pid, pids, (int)HX_ARRAY_SIZE(pids));

	adopt(t, pids, n);
}

/*
 * After a fork: the new process is a child of the one that forked. Looking
 * there only keeps a fork's cost constant; walking the whole box made a
 * program that forks N children cost O(N^2) reads of /proc.
 */
static void discover_children(struct hx_tracer *t, pid_t host_pid)
{
	static pid_t pids[4096];
	int n = hx_proc_children(host_pid, pids, (int)HX_ARRAY_SIZE(pids));

	adopt(t, pids, n);
}

void hx_tracer_set_start(struct hx_tracer *t, uint64_t start_us, pid_t first_pid)
{
	t->start_us = start_us;
	if (!find_proc(t, first_pid))
		add_proc(t, first_pid, 0);
}

static struct proc *proc_of_tid(struct hx_tracer *t, pid_t tid)
{
	for (size_t i = 0; i < t->nthreads; i++)
		if (t->threads[i].tid == tid)
			return &t->procs[t->threads[i].proc];

	pid_t tgid = hx_proc_tgid(tid);

	if (tgid <= 0)
		return NULL;
	struct proc *p = find_proc(t, tgid);

	if (!p) {
		hx_tracer_discover(t);
		p = find_proc(t, tgid);
	}
	if (!p)
		return NULL;
	struct thread *arr = grow(t->threads, &t->cthreads, t->nthreads + 1, sizeof(*arr));

	if (arr) {
		t->threads = arr;
		t->threads[t->nthreads].tid = tid;
		t->threads[t->nthreads].proc = (size_t)(p - t->procs);
		t->nthreads++;
	}
	return p;
}

int hx_tracer_box_pid(struct hx_tracer *t, pid_t host_pid)
{
	struct proc *p = find_proc(t, host_pid);

	return p ? p->box_pid : 0;
}

pid_t hx_tracer_host_pid(const struct hx_tracer *t, int box_pid)
{
	for (size_t i = 0; i < t->nprocs; i++)
		if (t->procs[i].box_pid == box_pid)
			return t->procs[i].host_pid;
	return 0;
}

/* A pid as the tracee names it (its own namespace) to a box pid. */
static int box_pid_of_ns(struct hx_tracer *t, pid_t ns_pid)
{
	for (size_t i = 0; i < t->nprocs; i++)
		if (t->procs[i].ns_pid == ns_pid)
			return t->procs[i].box_pid;
	return 0;
}

/* ---- events ----------------------------------------------------------------- */

static void add_event(struct hx_tracer *t, struct proc *p, const char *call,
		      enum hx_group g, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void add_event(struct hx_tracer *t, struct proc *p, const char *call,
		      enum hx_group g, const char *fmt, ...)
{
	va_list ap;
	char *detail = NULL;

	t->counts[g]++;
	if (p) {
		/* Anything else this process does ends a sem_open sequence,
		 * and an execvp's run of attempts. */
		if (g != HX_GROUP_SEM)
			p->sem_probe[0] = '\0';
		p->exec_open = false;
	}
	if (t->nevents >= MAX_EVENTS) {
		t->events_truncated = true;
		return;
	}
	struct hx_event *arr = grow(t->events, &t->cevents, t->nevents + 1, sizeof(*arr));

	if (!arr)
		return;
	t->events = arr;
	va_start(ap, fmt);
	if (vasprintf(&detail, fmt, ap) < 0)
		detail = NULL;
	va_end(ap);
	struct hx_event *e = &t->events[t->nevents++];
	uint64_t now = hx_now_us();

	memset(e, 0, sizeof(*e));
	e->t_us = now > t->start_us ? now - t->start_us : 0;
	e->pid = p ? p->box_pid : 0;
	e->ppid = p ? p->parent_box : 0;
	e->call = call;
	e->group = g;
	e->detail = detail;
	if (p && (g == HX_GROUP_FORK) && p->nforks < MAX_PENDING_FORKS) {
		p->fork_events[p->nforks] = t->nevents - 1;
		p->fork_tids[p->nforks++] = t->cur_tid;
	}
}

/* ---- argument decoding ----------------------------------------------------- */

struct flag_name {
	unsigned long bit;
	const char *name;
};

static void format_flags(unsigned long v, const struct flag_name *names, size_t n,
			 char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		if (names[i].bit && (v & names[i].bit) == names[i].bit) {
			len += (size_t)snprintf(buf + len, len < size ? size - len : 0, "%s%s",
						len ? "|" : "", names[i].name);
			v &= ~names[i].bit;
		}
	}
	if (v || len == 0)
		snprintf(buf + len, len < size ? size - len : 0, "%s%#lx", len ? "|" : "", v);
}

void hx_format_clone_flags(unsigned long flags, char *buf, size_t size)
{
	static const struct flag_name names[] = {
		{ CLONE_VM, "CLONE_VM" }, { CLONE_FS, "CLONE_FS" }, { CLONE_FILES, "CLONE_FILES" },
		{ CLONE_SIGHAND, "CLONE_SIGHAND" }, { CLONE_PIDFD, "CLONE_PIDFD" },
		{ CLONE_PTRACE, "CLONE_PTRACE" }, { CLONE_VFORK, "CLONE_VFORK" },
		{ CLONE_PARENT, "CLONE_PARENT" }, { CLONE_THREAD, "CLONE_THREAD" },
		{ CLONE_NEWNS, "CLONE_NEWNS" }, { CLONE_SYSVSEM, "CLONE_SYSVSEM" },
		{ CLONE_SETTLS, "CLONE_SETTLS" }, { CLONE_PARENT_SETTID, "CLONE_PARENT_SETTID" },
		{ CLONE_CHILD_CLEARTID, "CLONE_CHILD_CLEARTID" },
		{ CLONE_CHILD_SETTID, "CLONE_CHILD_SETTID" }, { CLONE_NEWCGROUP, "CLONE_NEWCGROUP" },
		{ CLONE_NEWUTS, "CLONE_NEWUTS" }, { CLONE_NEWIPC, "CLONE_NEWIPC" },
		{ CLONE_NEWUSER, "CLONE_NEWUSER" }, { CLONE_NEWPID, "CLONE_NEWPID" },
		{ CLONE_NEWNET, "CLONE_NEWNET" }, { CLONE_IO, "CLONE_IO" },
	};
	unsigned long sig = flags & 0xff;
	char f[256];

	format_flags(flags & ~0xfful, names, HX_ARRAY_SIZE(names), f, sizeof(f));
	if (sig && (flags & ~0xfful))
		snprintf(buf, size, "%s|%s", f, hx_signal_name((int)sig));
	else if (sig)
		snprintf(buf, size, "%s", hx_signal_name((int)sig));
	else
		snprintf(buf, size, "%s", f);
}

static void format_open_flags(unsigned long v, char *buf, size_t size)
{
	static const struct flag_name names[] = {
		{ O_CREAT, "O_CREAT" }, { O_EXCL, "O_EXCL" }, { O_TRUNC, "O_TRUNC" },
		{ O_APPEND, "O_APPEND" }, { O_NONBLOCK, "O_NONBLOCK" }, { O_NOFOLLOW, "O_NOFOLLOW" },
		{ O_CLOEXEC, "O_CLOEXEC" }, { O_DIRECTORY, "O_DIRECTORY" },
	};
	const char *acc = (v & O_ACCMODE) == O_RDWR ? "O_RDWR" :
			  (v & O_ACCMODE) == O_WRONLY ? "O_WRONLY" : "O_RDONLY";
	char rest[160];

	v &= ~(unsigned long)O_ACCMODE;
	v &= ~(unsigned long)O_LARGEFILE;
	if (!v) {
		snprintf(buf, size, "%s", acc);
		return;
	}
	format_flags(v, names, HX_ARRAY_SIZE(names), rest, sizeof(rest));
	snprintf(buf, size, "%s|%s", rest, acc);
}

static void format_ipc_flags(unsigned long v, char *buf, size_t size)
{
	snprintf(buf, size, "%s%s0%lo", v & IPC_CREAT ? "IPC_CREAT|" : "",
		 v & IPC_EXCL ? "IPC_EXCL|" : "", v & 0777);
}

static const char *ipc_key(unsigned long key, char *buf, size_t size)
{
	if ((key_t)key == IPC_PRIVATE)
		return "IPC_PRIVATE";
	snprintf(buf, size, "0x%08x", (unsigned)key);
	return buf;
}

static const char *ipc_cmd(unsigned long cmd)
{
	switch (cmd & 0xff) {
	case IPC_RMID: return "IPC_RMID";
	case IPC_SET: return "IPC_SET";
	case IPC_STAT: return "IPC_STAT";
	case IPC_INFO: return "IPC_INFO";
	case GETVAL: return "GETVAL";
	case SETVAL: return "SETVAL";
	case GETALL: return "GETALL";
	case SETALL: return "SETALL";
	case GETPID: return "GETPID";
	case GETNCNT: return "GETNCNT";
	case GETZCNT: return "GETZCNT";
	}
	return "?";
}

/* "a,b" -> "\"a\"" with control characters escaped, for details. */
static void quote(const char *s, char *buf, size_t size)
{
	size_t j = 0;

	if (size < 4) {
		if (size)
			buf[0] = '\0';
		return;
	}
	buf[j++] = '"';
	for (size_t i = 0; s[i] && j + 5 < size; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\') {
			buf[j++] = '\\';
			buf[j++] = (char)c;
		} else if (c < 0x20 || c == 0x7f) {
			j += (size_t)snprintf(buf + j, size - j, "\\x%02x", c);
		} else {
			buf[j++] = (char)c;
		}
	}
	buf[j++] = '"';
	buf[j] = '\0';
}

static bool read_path(pid_t tid, uint64_t addr, char *buf, size_t size)
{
	return addr && hx_proc_read_string(tid, addr, buf, size) >= 0;
}

/* ---- what each traced call means ----------------------------------------- */

#define SHM_DIR "/dev/shm/"
#define SHM_DIR_LEN (sizeof(SHM_DIR) - 1)

/* glibc's sem_open opens an existing "sem.NAME" without O_CREAT; it makes a
 * new one as a temp file "sem.XXXXXX" (always with O_CREAT), then links it
 * to "sem.NAME". So an O_CREAT open under sem.* is never the event. */
static bool is_sem_temp(unsigned long flags)
{
	return (flags & O_CREAT) != 0;
}

static void trace_open(struct hx_tracer *t, struct proc *p, const char *path, unsigned long flags)
{
	char q[300], f[160];

	if (strncmp(path, SHM_DIR, SHM_DIR_LEN) != 0)
		return;
	const char *name = path + SHM_DIR_LEN;

	format_open_flags(flags, f, sizeof(f));
	if (strncmp(name, "sem.", 4) == 0) {
		if (is_sem_temp(flags)) {
			snprintf(p->sem_tmp, sizeof(p->sem_tmp), "%s", name);
			return;
		}
		char full[80];

		snprintf(full, sizeof(full), "/%s", name + 4);
		quote(full, q, sizeof(q));
		add_event(t, p, "sem_open", HX_GROUP_SEM, "%s, %s", q, f);
		snprintf(p->sem_probe, sizeof(p->sem_probe), "%s", name);
		return;
	}
	char full[300];

	snprintf(full, sizeof(full), "/%s", name);
	quote(full, q, sizeof(q));
	add_event(t, p, "shm_open", HX_GROUP_SHM, "%s, %s", q, f);
}

static void trace_unlink(struct hx_tracer *t, struct proc *p, const char *path)
{
	char q[300], full[300];

	if (strncmp(path, SHM_DIR, SHM_DIR_LEN) != 0)
		return;
	const char *name = path + SHM_DIR_LEN;

	if (p->sem_tmp[0] && strcmp(name, p->sem_tmp) == 0) {
		p->sem_tmp[0] = '\0';	/* glibc's sem_open cleaning up */
		return;
	}
	bool sem = strncmp(name, "sem.", 4) == 0;

	snprintf(full, sizeof(full), "/%s", sem ? name + 4 : name);
	quote(full, q, sizeof(q));
	add_event(t, p, sem ? "sem_unlink" : "shm_unlink", sem ? HX_GROUP_SEM : HX_GROUP_SHM, "%s", q);
}

static void trace_link(struct hx_tracer *t, struct proc *p, const char *newpath)
{
	char q[300], full[80];

	if (strncmp(newpath, SHM_DIR "sem.", SHM_DIR_LEN + 4) != 0)
		return;
	const char *name = newpath + SHM_DIR_LEN;

	/* The create path of a sem_open whose probe we already counted. */
	if (p->sem_probe[0] && strcmp(p->sem_probe, name) == 0) {
		p->sem_probe[0] = '\0';
		return;
	}
	snprintf(full, sizeof(full), "/%s", name + 4);
	quote(full, q, sizeof(q));
	add_event(t, p, "sem_open", HX_GROUP_SEM, "%s, O_CREAT|O_EXCL", q);
}

static unsigned long pipe_inode(const char *link)
{
	unsigned long ino = 0;

	if (sscanf(link, "pipe:[%lu]", &ino) == 1 || sscanf(link, "socket:[%lu]", &ino) == 1)
		return ino;
	return 0;
}

/* Hot IPC calls whose events say only what their registers hold. */
static bool described_by_registers(int nr)
{
	switch (nr) {
	case SYS_futex: case SYS_semop: case SYS_semtimedop: case SYS_mq_timedsend:
	case SYS_mq_timedreceive: case SYS_msgsnd: case SYS_msgrcv:
		return true;
	default:
		return false;
	}
}

static bool fd_cacheable(const struct hx_tracer *t, const struct proc *p, pid_t tid, int fd)
{
	return !t->fd_cache_off && !p->fd_cache_off && tid == p->host_pid && fd >= 0 && fd < FD_CACHE;
}

/* Forgets what the fds a call is about to close or replace were. */
static void forget_fds(struct hx_tracer *t, struct proc *p, int nr, const uint64_t *a)
{
	switch (nr) {
	case SYS_close:
		if (a[0] < FD_CACHE)
			p->fd_kind[a[0]] = FD_UNKNOWN;
		break;
	case SYS_dup2:
	case SYS_dup3:
		if (a[1] < FD_CACHE)
			p->fd_kind[a[1]] = FD_UNKNOWN;
		break;
	case SYS_close_range:
		for (uint64_t fd = a[0]; fd <= a[1] && fd < FD_CACHE; fd++)
			p->fd_kind[fd] = FD_UNKNOWN;
		break;
	case SYS_execve:
	case SYS_execveat:
		/* close-on-exec */
		memset(p->fd_kind, FD_UNKNOWN, sizeof(p->fd_kind));
		break;
	case SYS_clone:
		if (a[0] & CLONE_THREAD)
			p->fd_cache_off = true;
		else if (a[0] & CLONE_FILES)
			t->fd_cache_off = true;
		break;
	default:
		break;
	}
}

static void trace_io(struct hx_tracer *t, struct proc *p, pid_t tid, const char *call,
		     int fd, unsigned long len)
{
	char link[300], name[16];
	ssize_t n = -1;
	bool cacheable = fd_cacheable(t, p, tid, fd);

	if (cacheable && p->fd_kind[fd] != FD_UNKNOWN) {
		if (p->fd_kind[fd] == FD_NOT_IPC)
			return;
		t->event_args_only = true;
		add_event(t, p, call, HX_GROUP_IO, "fd %d (%s:[%lu]), %lu bytes", fd,
			  p->fd_kind[fd] == FD_PIPE ? "pipe" : "socket", p->fd_ino[fd], len);
		return;
	}
	/* The main thread's /proc/PID/fd stays open for its process's later
	 * calls; another thread (perhaps with a file table of its own) is
	 * asked by its tid. */
	if (p->fd_dir < 0 && tid == p->host_pid && t->nfd_dirs < MAX_FD_DIRS) {
		char path[40];

		snprintf(path, sizeof(path), "/proc/%d/fd", (int)p->host_pid);
		p->fd_dir = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		t->nfd_dirs += p->fd_dir >= 0;
	}
	snprintf(name, sizeof(name), "%d", fd);
	if (p->fd_dir >= 0 && tid == p->host_pid)
		n = readlinkat(p->fd_dir, name, link, sizeof(link) - 1);
	if (n < 0 && hx_proc_fd_link(tid, fd, link, sizeof(link)) < 0)
		return;
	if (n >= 0)
		link[n] = '\0';
	unsigned long ino = pipe_inode(link);
	/* Only pipes and sockets between box processes are IPC; our own
	 * stdout/stderr pipes are not. */
	bool ipc = ino && ino != t->out_ino && ino != t->err_ino;

	if (cacheable) {
		p->fd_kind[fd] = !ipc ? FD_NOT_IPC : link[0] == 'p' ? FD_PIPE : FD_SOCKET;
		p->fd_ino[fd] = ino;
	}
	if (ipc)
		add_event(t, p, call, HX_GROUP_IO, "fd %d (%s), %lu bytes", fd, link, len);
}

static void trace_call(struct hx_tracer *t, struct proc *p, pid_t tid, int nr, const uint64_t *a)
{
	char path[PATH_MAX], q[PATH_MAX + 8], f[256], k[32];

	forget_fds(t, p, nr, a);
	switch (nr) {
	case SYS_clone:
		hx_format_clone_flags(a[0], f, sizeof(f));
		/* Named as the student wrote it: glibc's fork() is clone with
		 * exactly these flags; posix_spawn/system use CLONE_VFORK. */
		if (a[0] & CLONE_THREAD)
			add_event(t, p, "pthread_create", HX_GROUP_THREAD, "clone(%s)", f);
		else if (a[0] & CLONE_VFORK)
			add_event(t, p, "vfork", HX_GROUP_FORK, "clone(%s)", f);
		else if ((a[0] & ~0xfful) == (CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID))
			add_event(t, p, "fork", HX_GROUP_FORK, "clone(%s)", f);
		else
			add_event(t, p, "clone", HX_GROUP_FORK, "clone(%s)", f);
		break;
	case SYS_fork:
		add_event(t, p, "fork", HX_GROUP_FORK, "%s", "");
		break;
	case SYS_vfork:
		add_event(t, p, "vfork", HX_GROUP_FORK, "%s", "");
		break;
	case SYS_execve:
	case SYS_execveat: {
		uint64_t addr = nr == SYS_execve ? a[0] : a[1];

		if (!read_path(tid, addr, path, sizeof(path)))
			snprintf(path, sizeof(path), "?");
		/* The first process's own exec is the harness's doing. */
		if (!t->first_exec_seen && p->box_pid == 1) {
			t->first_exec_seen = true;
			return;
		}
		quote(path, q, sizeof(q));
		if (p->exec_open && p->exec_argv == a[nr == SYS_execve ? 1 : 2] &&
		    p->exec_envp == a[nr == SYS_execve ? 2 : 3] && p->exec_event < t->nevents) {
			/* The previous attempt failed; this one is the same call. */
			free(t->events[p->exec_event].detail);
			t->events[p->exec_event].detail = hx_strdup(q);
			break;
		}
		size_t before = t->nevents;

		add_event(t, p, "execve", HX_GROUP_EXEC, "%s", q);
		p->exec_open = t->nevents > before;
		p->exec_argv = a[nr == SYS_execve ? 1 : 2];
		p->exec_envp = a[nr == SYS_execve ? 2 : 3];
		p->exec_event = t->nevents - 1;
		break;
	}
	case SYS_wait4: {
		int pid = (int)a[0];

		if (pid == -1)
			add_event(t, p, "wait4", HX_GROUP_WAIT, "any child");
		else if (pid > 0)
			add_event(t, p, "wait4", HX_GROUP_WAIT, "pid %d", box_pid_of_ns(t, pid));
		else
			add_event(t, p, "wait4", HX_GROUP_WAIT, "process group %d", -pid);
		break;
	}
	case SYS_waitid:
		add_event(t, p, "waitid", HX_GROUP_WAIT, "%s",
			  a[0] == P_ALL ? "any child" : a[0] == P_PID ? "one child" : "a group");
		break;
	case SYS_kill: {
		int pid = (int)a[0];

		if (pid > 0)
			add_event(t, p, "kill", HX_GROUP_KILL, "pid %d, %s", box_pid_of_ns(t, pid),
				  hx_signal_name((int)a[1]));
		else
			add_event(t, p, "kill", HX_GROUP_KILL, "%d, %s", pid, hx_signal_name((int)a[1]));
		break;
	}
	case SYS_tgkill:
		add_event(t, p, "tgkill", HX_GROUP_KILL, "pid %d, %s", box_pid_of_ns(t, (pid_t)a[0]),
			  hx_signal_name((int)a[2]));
		break;
	case SYS_tkill:
		add_event(t, p, "tkill", HX_GROUP_KILL, "tid %d, %s", (int)a[0],
			  hx_signal_name((int)a[1]));
		break;
	case SYS_pipe:
		add_event(t, p, "pipe", HX_GROUP_PIPE, "%s", "");
		break;
	case SYS_pipe2:
		if (a[1])
			format_open_flags(a[1], f, sizeof(f));
		add_event(t, p, "pipe2", HX_GROUP_PIPE, "%s", a[1] ? f : "0");
		break;
	case SYS_mknod:
	case SYS_mknodat: {
		uint64_t addr = nr == SYS_mknod ? a[0] : a[1];

		if (!read_path(tid, addr, path, sizeof(path)))
			snprintf(path, sizeof(path), "?");
		quote(path, q, sizeof(q));
		add_event(t, p, "mkfifo", HX_GROUP_PIPE, "%s, 0%lo", q,
			  (unsigned long)(nr == SYS_mknod ? a[1] : a[2]) & 0777);
		break;
	}
	case SYS_shmget:
		format_ipc_flags(a[2], f, sizeof(f));
		add_event(t, p, "shmget", HX_GROUP_SHM, "%s, %lu bytes, %s",
			  ipc_key(a[0], k, sizeof(k)), (unsigned long)a[1], f);
		break;
	case SYS_shmat:
		add_event(t, p, "shmat", HX_GROUP_SHM, "id %d", (int)a[0]);
		break;
	case SYS_shmdt:
		add_event(t, p, "shmdt", HX_GROUP_SHM, "%#lx", (unsigned long)a[0]);
		break;
	case SYS_shmctl:
		add_event(t, p, "shmctl", HX_GROUP_SHM, "id %d, %s", (int)a[0], ipc_cmd(a[1]));
		break;
	case SYS_semget:
		format_ipc_flags(a[2], f, sizeof(f));
		add_event(t, p, "semget", HX_GROUP_SEM, "%s, %d semaphores, %s",
			  ipc_key(a[0], k, sizeof(k)), (int)a[1], f);
		break;
	case SYS_semctl:
		add_event(t, p, "semctl", HX_GROUP_SEM, "id %d, semaphore %d, %s", (int)a[0], (int)a[1],
			  ipc_cmd(a[2]));
		break;
	case SYS_msgget:
		format_ipc_flags(a[1], f, sizeof(f));
		add_event(t, p, "msgget", HX_GROUP_MQ, "%s, %s", ipc_key(a[0], k, sizeof(k)), f);
		break;
	case SYS_msgctl:
		add_event(t, p, "msgctl", HX_GROUP_MQ, "id %d, %s", (int)a[0], ipc_cmd(a[1]));
		break;
	case SYS_mq_open: {
		char name[300];

		if (!read_path(tid, a[0], path, sizeof(path)))
			snprintf(path, sizeof(path), "?");
		/* glibc passes the name without its leading slash */
		snprintf(name, sizeof(name), "/%s", path);
		quote(name, q, sizeof(q));
		format_open_flags(a[1], f, sizeof(f));
		add_event(t, p, "mq_open", HX_GROUP_MQ, "%s, %s", q, f);
		break;
	}
	case SYS_mq_unlink: {
		char name[300];

		if (!read_path(tid, a[0], path, sizeof(path)))
			snprintf(path, sizeof(path), "?");
		snprintf(name, sizeof(name), "/%s", path);
		quote(name, q, sizeof(q));
		add_event(t, p, "mq_unlink", HX_GROUP_MQ, "%s", q);
		break;
	}
	case SYS_socketpair:
		add_event(t, p, "socketpair", HX_GROUP_SOCKET, "AF_UNIX, %s",
			  (a[1] & 0xf) == SOCK_STREAM ? "SOCK_STREAM" :
			  (a[1] & 0xf) == SOCK_DGRAM ? "SOCK_DGRAM" : "SOCK_SEQPACKET");
		break;
	case SYS_socket:
		add_event(t, p, "socket", HX_GROUP_SOCKET, "AF_UNIX");
		break;
	case SYS_open:
	case SYS_creat:
	case SYS_openat:
	case SYS_openat2: {
		uint64_t addr = (nr == SYS_open || nr == SYS_creat) ? a[0] : a[1];
		unsigned long flags = nr == SYS_open ? a[1] : nr == SYS_openat ? a[2] :
				      nr == SYS_creat ? (O_CREAT | O_WRONLY | O_TRUNC) : 0;

		if (nr == SYS_openat2) {
			struct open_how how;

			if (hx_proc_read_mem(tid, a[2], &how, sizeof(how.flags)) == sizeof(how.flags))
				flags = (unsigned long)how.flags;
		}
		if (read_path(tid, addr, path, sizeof(path)))
			trace_open(t, p, path, flags);
		break;
	}
	case SYS_unlink:
	case SYS_unlinkat:
		if (read_path(tid, nr == SYS_unlink ? a[0] : a[1], path, sizeof(path)))
			trace_unlink(t, p, path);
		break;
	case SYS_link:
	case SYS_linkat:
		if (read_path(tid, nr == SYS_link ? a[1] : a[3], path, sizeof(path)))
			trace_link(t, p, path);
		break;
	case SYS_mmap: {
		unsigned long len = (unsigned long)a[1], flags = (unsigned long)a[3];
		int fd = (int)a[4];

		if (flags & MAP_ANONYMOUS) {
			add_event(t, p, "mmap", HX_GROUP_SHM, "MAP_SHARED|MAP_ANONYMOUS, %lu bytes", len);
			break;
		}
		if (hx_proc_fd_link(tid, fd, path, sizeof(path)) < 0)
			snprintf(path, sizeof(path), "?");
		/* A named semaphore's mapping is part of its sem_open. */
		if (strncmp(path, SHM_DIR "sem.", SHM_DIR_LEN + 4) == 0)
			break;
		quote(path, q, sizeof(q));
		add_event(t, p, "mmap", HX_GROUP_SHM, "MAP_SHARED, fd %d (%s), %lu bytes", fd, q, len);
		break;
	}
	/* Hot calls (HX_TRACE_HOT only). */
	case SYS_read:
	case SYS_readv:
		trace_io(t, p, tid, nr == SYS_read ? "read" : "readv", (int)a[0], (unsigned long)a[2]);
		break;
	case SYS_write:
	case SYS_writev:
		trace_io(t, p, tid, nr == SYS_write ? "write" : "writev", (int)a[0], (unsigned long)a[2]);
		break;
	case SYS_futex: {
		int op = (int)a[1] & FUTEX_CMD_MASK;

		add_event(t, p, "futex", HX_GROUP_FUTEX, "%#lx, %s", (unsigned long)a[0],
			  op == FUTEX_WAIT ? "FUTEX_WAIT" : op == FUTEX_WAKE ? "FUTEX_WAKE" :
			  op == FUTEX_WAIT_BITSET ? "FUTEX_WAIT_BITSET" :
			  op == FUTEX_WAKE_BITSET ? "FUTEX_WAKE_BITSET" : "other");
		break;
	}
	case SYS_semop:
	case SYS_semtimedop:
		add_event(t, p, "semop", HX_GROUP_SEM, "id %d, %d operations", (int)a[0], (int)a[2]);
		break;
	case SYS_mq_timedsend:
		add_event(t, p, "mq_send", HX_GROUP_MQ, "mqd %d, %lu bytes", (int)a[0], (unsigned long)a[2]);
		break;
	case SYS_mq_timedreceive:
		add_event(t, p, "mq_receive", HX_GROUP_MQ, "mqd %d", (int)a[0]);
		break;
	case SYS_msgsnd:
		add_event(t, p, "msgsnd", HX_GROUP_MQ, "id %d, %lu bytes", (int)a[0], (unsigned long)a[2]);
		break;
	case SYS_msgrcv:
		add_event(t, p, "msgrcv", HX_GROUP_MQ, "id %d", (int)a[0]);
		break;
	default:
		break;
	}
}

/*
 * A call interrupted by a signal may be restarted by the kernel (fork
 * fails with ERESTARTNOINTR when SIGCHLD is pending; wait4 restarts after
 * a SA_RESTART handler), and the restart is notified again. Such a call is
 * the same thread's next traced call, with the same arguments, and the
 * process's children have not changed since: a fork that worked would
 * have added one, a wait that reaped would have removed one.
 */
static bool restarted(struct proc *p, pid_t tid, int nr, const uint64_t *a)
{
	bool foldable = nr == SYS_clone || nr == SYS_fork || nr == SYS_vfork || nr == SYS_wait4 ||
			nr == SYS_waitid;
	pid_t kids[512];
	int nkids;
	bool same;

	if (!foldable) {
		p->last_valid = false;
		return false;
	}
	nkids = hx_proc_children(p->host_pid, kids, (int)HX_ARRAY_SIZE(kids));
	same = p->last_valid && p->last_tid == tid && p->last_nr == nr &&
	       memcmp(p->last_args, a, sizeof(p->last_args)) == 0 && p->last_children == nkids;
	p->last_valid = true;
	p->last_tid = tid;
	p->last_nr = nr;
	memcpy(p->last_args, a, sizeof(p->last_args));
	p->last_children = nkids;
	return same;
}

/* ---- kill targets (reduced isolation) --------------------------------------- */

/* Whether pid is a process of this run (a descendant of the init). */
static bool in_run(const struct hx_tracer *t, pid_t pid)
{
	if (pid <= 0 || pid == t->init_pid)
		return false;
	for (int depth = 0; depth < 4096; depth++) {
		struct hx_proc_stat st;

		if (hx_proc_stat(pid, 0, &st) < 0)
			return false;
		if (st.ppid == t->init_pid)
			return true;
		if (st.ppid <= 1)
			return false;
		pid = st.ppid;
	}
	return false;
}

static bool group_in_run(const struct hx_tracer *t, pid_t pgrp)
{
	static pid_t pids[4096];
	int n = hx_proc_descendants(t->init_pid, pids, (int)HX_ARRAY_SIZE(pids));

	for (int i = 0; i < n; i++) {
		struct hx_proc_stat st;

		if (hx_proc_stat(pids[i], 0, &st) == 0 && st.pgrp == pgrp)
			return true;
	}
	return false;
}

static bool kill_target_ok(const struct hx_tracer *t, int nr, const uint64_t *a)
{
	pid_t target = (pid_t)a[0];

	switch (nr) {
	case SYS_kill:
		if (target == 0)
			return true;	/* the caller's own group: inside the run */
		if (target == -1)
			return false;	/* every process the user may signal */
		if (target < 0)
			return group_in_run(t, -target);
		return in_run(t, target);
	case SYS_tkill: {
		pid_t tgid = hx_proc_tgid(target);

		return tgid > 0 && in_run(t, tgid);
	}
	default:		/* tgkill, rt_(tg)sigqueueinfo, pidfd_open: a tgid */
		return in_run(t, target);
	}
}

/* ---- answering ----------------------------------------------------------- */

static void deny(struct hx_tracer *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->ndenied; i++)
		if (strcmp(t->denied[i].name, name) == 0)
			break;
	if (i == t->ndenied) {
		struct denial *arr = realloc(t->denied, (t->ndenied + 1) * sizeof(*arr));

		if (!arr)
			return;
		t->denied = arr;
		memset(&arr[i], 0, sizeof(arr[i]));
		snprintf(arr[i].name, sizeof(arr[i].name), "%s", name);
		t->ndenied++;
	}
	t->denied[i].count++;
}

static void respond(struct hx_tracer *t, int fd, uint64_t id, int error)
{
	memset(t->resp, 0, sizeof(*t->resp));
	t->resp->id = id;
	if (error) {
		t->resp->error = -error;
	} else {
		t->resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
	}
	/* ENOENT: the task died (or was signalled) meanwhile: nothing to do. */
	seccomp_notify_respond(fd, t->resp);
}

static uint64_t jitter_delay(struct hx_tracer *t)
{
	return splitmix64(&t->rng) % ((uint64_t)t->jitter_max_us + 1);
}

static void respond_later(struct hx_tracer *t, int fd, uint64_t id, pid_t tid, pid_t gated_by)
{
	uint64_t delay = gated_by ? GATE_MAX_US : jitter_delay(t);
	struct pending *arr = grow(t->pending, &t->cpending, t->npending + 1, sizeof(*arr));

	if (!arr || delay == 0) {
		if (arr)
			t->pending = arr;
		respond(t, fd, id, 0);
		return;
	}
	t->pending = arr;
	t->pending[t->npending].id = id;
	t->pending[t->npending].due_us = hx_now_us() + delay;
	t->pending[t->npending].tid = tid;
	t->pending[t->npending].gated_by = gated_by;
	t->npending++;
}

/*
 * The start gate. Race windows in student programs are mostly pure user
 * code (counter++ on shared memory) that no delayed system call can
 * widen; what hides the races is that children start one by one, each
 * often done before the next is born. So, when jittering, every new
 * process is held at its first system call (glibc's fork child calls
 * set_robust_list before anything else) until its parent makes a call
 * other than fork, typically wait: then all its held children are
 * released together, each after a random 0..jitter delay. They run
 * side by side, as on a loaded machine. A parent that waits in an
 * untraced way (a pipe read) only costs the gate's time limit.
 */
static void open_gate(struct hx_tracer *t, pid_t parent_host)
{
	uint64_t now = hx_now_us();

	for (size_t i = 0; i < t->npending; i++) {
		if (t->pending[i].gated_by != parent_host)
			continue;
		t->pending[i].gated_by = 0;
		t->pending[i].due_us = now + jitter_delay(t) / 16;
	}
}

uint64_t hx_tracer_flush_due(struct hx_tracer *t, int fd, uint64_t now_us)
{
	uint64_t next = 0;
	size_t j = 0;

	for (size_t i = 0; i < t->npending; i++) {
		if (t->pending[i].due_us <= now_us || fd < 0) {
			if (fd >= 0)
				respond(t, fd, t->pending[i].id, 0);
			continue;
		}
		if (!next || t->pending[i].due_us < next)
			next = t->pending[i].due_us;
		t->pending[j++] = t->pending[i];
	}
	t->npending = j;
	return next;
}

bool hx_tracer_holds(const struct hx_tracer *t, pid_t tid)
{
	for (size_t i = 0; i < t->npending; i++)
		if (t->pending[i].tid == tid)
			return true;
	return false;
}

bool hx_tracer_any_pending(const struct hx_tracer *t)
{
	return t->npending > 0;
}

int hx_tracer_handle(struct hx_tracer *t, int fd)
{
	struct seccomp_notif *r = t->req;
	char name[96];

	/* Stale fields make the kernel refuse the next receive. */
	memset(r, 0, sizeof(*r));
	if (seccomp_notify_receive(fd, r) < 0) {
		/* ENOENT: the task went away before we got its notification;
		 * EINTR: a signal. Neither is an error of the listener. */
		if (errno == ENOENT || errno == EINTR)
			return 0;
		return -errno;
	}
	pid_t tid = (pid_t)r->pid;
	int nr = r->data.nr;
	const uint64_t *a = (const uint64_t *)r->data.args;

	enum hx_syscall_class class = hx_policy_decide(t->policy, r->data.arch, nr, a, name, sizeof(name));

	if (class == HX_SC_DENY) {
		deny(t, name);
		respond(t, fd, r->id, EPERM);
		return 0;
	}
	if (class == HX_SC_KILL_CHECK && !kill_target_ok(t, nr, a)) {
		const char *sc = hx_syscall_name(nr);

		snprintf(name, sizeof(name), "%s(a process outside the run)", sc ? sc : "kill");
		deny(t, name);
		respond(t, fd, r->id, EPERM);
		return 0;
	}
	t->cur_tid = tid;
	if (t->trace) {
		struct proc *p = proc_of_tid(t, tid);

		if (p && p->nforks) {
			/* Its children may be there now; discovery may move
			 * the table, so look the process up again after. */
			pid_t host = p->host_pid;

			discover_children(t, host);
			p = find_proc(t, host);
			if (p && !is_fork_call(nr))
				forget_failed_forks(p, tid);
		}
		if (p) {
			size_t before = t->nevents;

			t->event_args_only = described_by_registers(nr);
			if (!restarted(p, tid, nr, a))
				trace_call(t, p, tid, nr, a);
			/* What we read may belong to another task if this one
			 * died and its pid was reused: drop the event then. */
			if (t->nevents > before && !t->event_args_only &&
			    seccomp_notify_id_valid(fd, r->id) != 0) {
				struct hx_event *e = &t->events[--t->nevents];

				t->counts[e->group]--;
				free(e->detail);
				return 0;
			}
		}
	}
	if (class == HX_SC_START_GATE) {
		/* A newborn's first call (start gate); the first process is
		 * nobody's child in the box and goes at once. */
		struct proc *me = proc_of_tid(t, tid);
		pid_t parent = me && me->parent_box > 0 ? hx_tracer_host_pid(t, me->parent_box) : 0;
		struct proc *pp = parent > 0 ? find_proc(t, parent) : NULL;

		if (pp && !pp->gate_open)
			respond_later(t, fd, r->id, tid, parent);
		else
			respond(t, fd, r->id, 0);
		return 0;
	}
	if (t->jitter_max_us) {
		/* Any other call of a parent opens the gate for its children;
		 * a fork closes it for the next ones. */
		struct proc *me = proc_of_tid(t, tid);
		bool forking = is_fork_call(nr);

		if (me) {
			me->gate_open = !forking;
			if (!forking)
				open_gate(t, me->host_pid);
		}
		respond_later(t, fd, r->id, tid, 0);
	} else {
		respond(t, fd, r->id, 0);
	}
	return 0;
}

bool hx_tracer_denied_any(const struct hx_tracer *t)
{
	return t->ndenied > 0;
}

void hx_tracer_export(struct hx_tracer *t, struct hx_result *res)
{
	hx_tracer_discover(t);
	res->traced = (t->trace & HX_TRACE_EVENTS) != 0;
	res->traced_hot = (t->trace & HX_TRACE_HOT) != 0;
	res->seed = t->seed;
	res->jitter_max_us = t->jitter_max_us;
	memcpy(res->ipc, t->counts, sizeof(res->ipc));
	res->processes = 1 + t->counts[HX_GROUP_FORK];
	res->threads = t->counts[HX_GROUP_THREAD];
	res->events = t->events;
	res->nevents = t->nevents;
	res->events_truncated = t->events_truncated;
	t->events = NULL;
	t->nevents = t->cevents = 0;
	if (t->ndenied) {
		res->denied = calloc(t->ndenied, sizeof(*res->denied));
		if (res->denied) {
			for (size_t i = 0; i < t->ndenied; i++) {
				res->denied[i].call = hx_strdup(t->denied[i].name);
				res->denied[i].count = t->denied[i].count;
			}
			res->ndenied = t->ndenied;
		}
	}
}

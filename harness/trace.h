/*
 * trace.h - what the tracer's own files share: the state of one run's
 * tracer (struct hx_tracer) and its record of each box process (struct
 * hx_tracee). The rest of the harness sees the tracer through the
 * tracer.c section of internal.h only.
 *
 *   tracer.c     receives each notification, dispatches it, answers it
 *   pidmap.c     the process and thread table: host, namespace and box pids
 *   calls.c      what a call means at the level the student wrote it
 *   fdcache.c    what a process's fds are (pipe, socket, other), cached
 *   jitter.c     answers held back: the seeded jitter and the start gate
 *   killcheck.c  whether a kill-like call targets a process of the run
 *
 * Calls go one way, down this list (tracer.c calls the others, calls.c
 * calls pidmap.c and fdcache.c, ...); decode.c (arguments in words)
 * serves all of them and the policy.
 */
#ifndef IPCGRADE_HARNESS_TRACE_H
#define IPCGRADE_HARNESS_TRACE_H

#include "internal.h"

#define HX_MAX_EVENTS 100000
/* Forks of one process whose child discovery has not seen yet. */
#define HX_MAX_PENDING_FORKS 16
/* fds below this are cached in hot tracing */
#define HX_FD_CACHE 64
/* How long the start gate holds a newborn process at most. */
#define HX_GATE_MAX_US 5000

/* ---- fdcache.c: what a low fd of a process is ------------------------ */

enum hx_fd_kind { HX_FD_UNKNOWN, HX_FD_NOT_IPC, HX_FD_PIPE, HX_FD_SOCKET };

struct hx_fdcache {
	/* /proc/PID/fd, open while the process lives: naming the pipe
	 * behind a read or write is then one short readlinkat. */
	int dir;
	/*
	 * Hot tracing: what each fd below HX_FD_CACHE is, so that a loop of
	 * reads costs no readlinkat each. An open fd keeps its file until
	 * close, close_range, dup2/dup3 onto it or exec, which are notified
	 * in hot mode and forget it. Off once the process has threads: one
	 * could close the fd between our look and another's call.
	 */
	unsigned char kind[HX_FD_CACHE];
	unsigned long ino[HX_FD_CACHE];
	bool off;
};

/* ---- calls.c: the state of calls that glibc makes in several steps --- */

struct hx_call_state {
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
};

/* ---- pidmap.c: one box process as the tracer knows it ---------------- */

struct hx_tracee {
	pid_t host_pid;
	pid_t ns_pid;		/* as the box's processes name it */
	int box_pid;		/* creation order, the first process is 1 */
	int parent_box;		/* 0: nobody's child in the box */
	/* fork events whose child we have not seen yet, oldest first */
	size_t fork_events[HX_MAX_PENDING_FORKS];
	pid_t fork_tids[HX_MAX_PENDING_FORKS];
	unsigned nforks;
	/* Start gate: its last call was not a fork, so its newborn
	 * children need not wait for siblings. */
	bool gate_open;
	struct hx_fdcache fds;
	struct hx_call_state calls;
};

/* An open-addressing hash from a pid to an index of the table. */
struct hx_pid_index {
	pid_t *keys;		/* 0: empty slot */
	size_t *vals;
	size_t cap, n;		/* cap: a power of two, or 0 */
};

struct hx_pidmap {
	struct hx_tracee *procs;	/* procs[box_pid - 1]; never removed */
	size_t n, cap;
	struct hx_pid_index by_host, by_ns, by_tid;
	struct hx_pids scratch;		/* /proc listings, reused */
	struct hx_discovered *found;	/* adopt()'s candidates, reused */
	size_t cfound;
};

/* ---- jitter.c: answers held back -------------------------------------- */

struct hx_held;

struct hx_jitter {
	unsigned max_us;
	uint64_t seed, rng;
	struct hx_held *held;
	size_t n, cap;
};

/* ---- tracer.c: the tracer -------------------------------------------- */

struct hx_denial {
	char name[64];
	unsigned count;
};

struct hx_tracer {
	unsigned trace;
	pid_t cur_tid;		/* the task whose call is being handled */
	bool full;
	unsigned policy;		/* the flags of the box's seccomp policy */
	struct hx_created *created;	/* reduced isolation: what the run makes */
	unsigned long vm_asked_kb;	/* HX_POLICY_RLIMIT_AS: see hx_tracer_vm_asked_kb */
	pid_t init_pid;
	uint64_t start_us;
	unsigned long out_ino, err_ino;
	bool first_exec_seen;
	/* fd caches: open /proc/PID/fd directories (bounded), and whether
	 * some process shares its fd table with another (clone CLONE_FILES
	 * without CLONE_THREAD): no fd cache can see the other's closes. */
	unsigned nfd_dirs;
	bool fd_cache_off;
	/* The event being added came from the call's registers or the fd
	 * cache alone, nothing read from /proc or the tracee's memory that
	 * could belong to another task by now: no need to validate it. */
	bool event_args_only;

	struct hx_pidmap pm;

	struct hx_event *events;
	size_t nevents, cevents;
	bool events_truncated;
	unsigned counts[HX_GROUP_COUNT];

	struct hx_denial *denied;
	size_t ndenied;

	struct hx_jitter jit;

	struct seccomp_notif *req;
	struct seccomp_notif_resp *resp;
};

/* ---- pidmap.c --------------------------------------------------------- */

/* Lookups are O(1). A pointer into the table stays valid until the next
 * call that may add a process (hx_pidmap_add, _discover*, _of_tid). */
struct hx_tracee *hx_pidmap_find(struct hx_tracer *t, pid_t host_pid);
/* Adds a process (the next box pid); ppid_host is its parent's host pid,
 * or 0. The child answers its parent's oldest fork event still open. */
struct hx_tracee *hx_pidmap_add(struct hx_tracer *t, pid_t host_pid, pid_t ppid_host);
/* Adopts every unknown process of the box (walks the tree from init). */
void hx_pidmap_discover(struct hx_tracer *t);
/* Adopts the unknown children of one process only: after a fork. */
void hx_pidmap_discover_children(struct hx_tracer *t, pid_t host_pid);
/* The process of a thread id, discovering it if need be; NULL if none. */
struct hx_tracee *hx_pidmap_of_tid(struct hx_tracer *t, pid_t tid);
/* A pid as the tracee names it (its own namespace) to a box pid, or 0. */
int hx_pidmap_box_pid_of_ns(struct hx_tracer *t, pid_t ns_pid);
/* The process of a box pid, or NULL. */
struct hx_tracee *hx_pidmap_of_box(const struct hx_tracer *t, int box_pid);
/* Drops the fork events of tid still waiting for a child: a task's fork
 * has returned by the time it makes its next call. */
void hx_pidmap_forget_failed_forks(struct hx_tracee *p, pid_t tid);
void hx_pidmap_release(struct hx_pidmap *pm);

/* ---- fdcache.c -------------------------------------------------------- */

void hx_fdcache_init(struct hx_fdcache *c);
void hx_fdcache_close(struct hx_tracer *t, struct hx_fdcache *c);
/* Forgets what the fds a call is about to close or replace were. */
void hx_fdcache_forget(struct hx_tracer *t, struct hx_tracee *p, int nr, const uint64_t *args);
/* What fd of thread tid of p is; *ino gets a pipe's or socket's inode.
 * Our own stdout/stderr pipes are HX_FD_NOT_IPC. *cached tells that the
 * answer came from the cache (nothing was read from /proc). Returns
 * HX_FD_UNKNOWN when the fd cannot be read. */
enum hx_fd_kind hx_fdcache_lookup(struct hx_tracer *t, struct hx_tracee *p, pid_t tid, int fd,
				  unsigned long *ino, bool *cached);

/* ---- calls.c ---------------------------------------------------------- */

bool hx_call_is_fork(int nr);
/* Calls whose events say only what their registers hold. */
bool hx_call_described_by_registers(int nr);
/* Whether this call is the kernel's restart of p's previous one. */
bool hx_call_restarted(struct hx_tracee *p, pid_t tid, int nr, const uint64_t *args);
/* Records what the call means (zero, one or more events). */
void hx_call_trace(struct hx_tracer *t, struct hx_tracee *p, pid_t tid, int nr,
		   const uint64_t *args);

/* ---- jitter.c --------------------------------------------------------- */

/* seed 0 picks a fresh one. */
void hx_jitter_init(struct hx_jitter *j, unsigned max_us, uint64_t seed);
void hx_jitter_release(struct hx_jitter *j);
/* Holds the answer to notification id of tid: a random 0..max_us, or,
 * gated_by a parent's host pid, until hx_jitter_open_gate of that parent
 * (HX_GATE_MAX_US at most). False: answer it now (no delay drawn, or out
 * of memory). */
bool hx_jitter_hold(struct hx_jitter *j, uint64_t id, pid_t tid, pid_t gated_by);
/* Releases the children a parent's gate holds, each after a short delay. */
void hx_jitter_open_gate(struct hx_jitter *j, pid_t parent_host);
/* Calls answer(id, arg) for every held notification due at now_us and
 * forgets it; answer NULL forgets all of them unanswered. Returns when
 * the next one is due, or 0 when none is held. */
uint64_t hx_jitter_due(struct hx_jitter *j, uint64_t now_us,
		       void (*answer)(uint64_t id, void *arg), void *arg);
bool hx_jitter_holds(const struct hx_jitter *j, pid_t tid);
bool hx_jitter_any(const struct hx_jitter *j);

/* ---- killcheck.c ------------------------------------------------------ */

enum hx_kill_target {
	HX_KILL_OK,		/* a process of the run (or none: the kernel refuses) */
	HX_KILL_GONE,		/* no longer there, or was the run's: answer ESRCH */
	HX_KILL_OUTSIDE,	/* a live process that is not the run's: deny */
};
/* What the target of thread tid's kill-like call nr is (reduced
 * isolation); kill(-1) is always outside. */
enum hx_kill_target hx_killcheck_target(struct hx_tracer *t, pid_t tid, int nr, const uint64_t *args);

#endif

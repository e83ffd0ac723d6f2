/*
 * deadlock.h - what the files of the deadlock explainer share (the
 * theory of operation is at the top of deadlock.c):
 *
 *   deadlock.c        hx_deadlock_explain(): the analysis, each process's
 *                     record, the graph's cycle, the explanation
 *   deadlock_text.c   the sentences: pids in words, one sentence per object
 *   deadlock_graph.c  the blocked processes from /proc, what each waits
 *                     on, and who would have to act (the wait-for edges)
 *
 * Calls go one way, down this list.
 */
#ifndef IPCGRADE_HARNESS_DEADLOCK_H
#define IPCGRADE_HARNESS_DEADLOCK_H

#include <stdbool.h>
#include <sys/types.h>

#include "internal.h"

/* An fd of a blocked process that a pipe, socket or file is behind. */
struct hx_dl_fd {
	int box_pid;
	int fd;
	dev_t dev;
	ino_t ino;
	int accmode;		/* O_RDONLY, O_WRONLY, O_RDWR */
	char link[96];
};

/* A shared mapping of a process: the object is (dev, ino). */
struct hx_dl_mapping {
	dev_t dev;
	ino_t ino;
	unsigned long lo, hi, off;
	bool shared;
	char path[160];
};

/* What a blocked process waits on. */
enum hx_dl_wait_on {
	DL_ON_OTHER = 0,	/* a call we do not know */
	DL_ON_STOPPED,		/* SIGSTOP or similar */
	DL_ON_SIGNAL,		/* pause, sigsuspend, sigwait */
	DL_ON_CHILD,		/* wait4, waitid */
	DL_ON_FD,		/* read or write of an fd we could not see */
	DL_ON_PIPE,		/* read or write of a pipe (or a FIFO) */
	DL_ON_SOCKET,
	DL_ON_FUTEX_PRIVATE,	/* a futex nobody else can reach */
	DL_ON_FUTEX_SHARED,	/* a futex in shared memory */
	DL_ON_SEMOP,		/* System V semaphore */
	DL_ON_MSG,		/* System V message queue */
	DL_ON_MQ,		/* POSIX message queue */
	DL_ON_FIFO,		/* open() of a FIFO */
};

/* What kind of lock a shared futex word is, as far as glibc's layout
 * tells. */
enum hx_dl_futex_kind { DL_FUTEX_UNKNOWN = 0, DL_FUTEX_SEMAPHORE, DL_FUTEX_MUTEX };

/* One blocked process: what /proc says of it, then what it waits on. */
struct hx_dl_node {
	int box_pid;
	pid_t host_pid;
	pid_t tid;
	char state;
	struct hx_syscall_state sc;
	enum hx_wait_kind kind;
	struct hx_dl_mapping *maps;	/* its shared mappings */
	size_t nmaps, cmaps;
	/* futex waits: the mapping and offset of the futex word */
	bool futex_obj;
	struct hx_dl_mapping fmap;
	unsigned long foff;
	/* semop waits: the System V semaphore */
	int semid, semnum, semop;

	/* Filled by the classification (deadlock_graph.c): */
	enum hx_dl_wait_on on;
	bool writing;		/* pipe, socket, queue: writing or sending */
	int fdi;		/* its fd in an->fds, or -1 */
	enum hx_dl_futex_kind fkind;
	int owner;		/* a mutex's holder (box pid), 0 when unknown */
	bool named;		/* the object has a name others can open */
	/* Processes with the same key wait on the same object, and are
	 * described together ("" for none). */
	char key[200];
	/* The object in words, the same for every process of its key. */
	char what[320];
	char path[256];		/* DL_ON_FIFO: the FIFO */
	bool described;
};

/* The blocked processes of one box, their fds, and the wait-for graph. */
struct hx_dl_analysis {
	struct hx_dl_node *nodes;	/* in box pid order; node i is graph node i */
	int n;
	size_t cnodes;
	struct hx_dl_fd *fds;
	int nfds;
	size_t cfds;
	struct hx_waitgraph graph;
	struct hx_tracer *t;
	/* The run's processes that have exited (the tracer knows them). */
	int *exited;
	int nexited;
};

/* A set of box pids, in increasing order, without repeats. */
struct hx_dl_pidset {
	int *v;
	int n;
};

/* ---- deadlock_graph.c ------------------------------------------------- */

/* Reads the blocked processes of the box under init_pid from /proc (and
 * the run's exited ones from t), then classifies what each waits on.
 * *an starts zeroed; release it with hx_dl_release even when this runs
 * out of memory (the analysis is then smaller). */
void hx_dl_analyse(struct hx_dl_analysis *an, pid_t init_pid, struct hx_tracer *t);
void hx_dl_release(struct hx_dl_analysis *an);	/* accepts a zeroed analysis */

/* The node of a box pid, or NULL (exited, or not the run's). */
struct hx_dl_node *hx_dl_node_of(const struct hx_dl_analysis *an, int box_pid);
/* The call a node is blocked in, as the student wrote it: "read", "semop". */
const char *hx_dl_call_name(long nr);
/* The name under /dev/shm of the object of mapping m of nd's box. */
bool hx_dl_shm_name(const struct hx_dl_node *nd, const struct hx_dl_mapping *m, char *out, size_t size);
/* A process that would act if it ran (not in wait4, not stopped). */
bool hx_dl_could_act(const struct hx_dl_node *o);

/* Room for one pid per process the run has had; v stays NULL when out of
 * memory (the set then stays empty). Released with hx_dl_pidset_release. */
void hx_dl_pidset_init(struct hx_dl_pidset *ps, const struct hx_dl_analysis *an);
void hx_dl_pidset_add(struct hx_dl_pidset *ps, int pid);
bool hx_dl_pidset_has(const struct hx_dl_pidset *ps, int pid);
void hx_dl_pidset_release(struct hx_dl_pidset *ps);

/* Who would have to act for nd, each added to *out: the holders of the
 * other end of its pipe, socket or queue (nd included); the blocked
 * processes that could post, send or open what it waits for; the exited
 * ones that could have; the live children its wait4 waits for; and all
 * of these as its wait-for edges (never nd itself). */
void hx_dl_other_end(const struct hx_dl_analysis *an, const struct hx_dl_node *nd, struct hx_dl_pidset *out);
void hx_dl_posters(const struct hx_dl_analysis *an, const struct hx_dl_node *nd, struct hx_dl_pidset *out);
void hx_dl_exited_could(const struct hx_dl_analysis *an, const struct hx_dl_node *nd,
			struct hx_dl_pidset *out);
void hx_dl_live_children(const struct hx_dl_analysis *an, const struct hx_dl_node *nd,
			 struct hx_dl_pidset *out);
void hx_dl_waits_for(const struct hx_dl_analysis *an, const struct hx_dl_node *nd, struct hx_dl_pidset *out);

/* ---- deadlock_text.c -------------------------------------------------- */

/* The short name of the object nd waits on, as JSON's "object" has it
 * (kids: the live children of a wait4). Owned by the caller; NULL when
 * out of memory. */
char *hx_dl_object_of(const struct hx_dl_node *nd, const struct hx_dl_pidset *kids);
/* One sentence about the processes of who, all waiting on what nd waits
 * on, appended to s. */
void hx_dl_describe(const struct hx_dl_analysis *an, const struct hx_dl_node *nd,
		    const struct hx_dl_pidset *who, struct hx_str *s);
/* The whole explanation: the opening, one sentence per object (the
 * processes waiting on it together; marks the nodes described), and the
 * cycle when there is one. Owned by the caller; NULL when out of memory. */
char *hx_dl_explanation(struct hx_dl_analysis *an, unsigned after_ms, const int *cycle, size_t cycle_len);

#endif

/*
 * count.h - what the BPF counting program (count.bpf.c) and its loader
 * (ebpf.c) share: the calls it owns, the maps' values, the ring buffer's
 * records. Plain fixed-size types only: both sides include it.
 */
#ifndef IPCGRADE_HARNESS_BPF_COUNT_H
#define IPCGRADE_HARNESS_BPF_COUNT_H

#include <linux/types.h>

/* The calls the BPF backend owns, by a small index of their own. */
enum hx_bpf_call {
	HX_BPF_READ, HX_BPF_WRITE, HX_BPF_READV, HX_BPF_WRITEV,
	HX_BPF_FUTEX, HX_BPF_SEMOP, HX_BPF_SEMTIMEDOP, HX_BPF_MQ_SEND, HX_BPF_MQ_RECEIVE,
	HX_BPF_MSGSND, HX_BPF_MSGRCV,
	HX_BPF_FIRST_SYSV,
	HX_BPF_SHMAT = HX_BPF_FIRST_SYSV, HX_BPF_SHMDT, HX_BPF_SHMCTL, HX_BPF_SEMCTL, HX_BPF_MSGCTL,
	HX_BPF_NCALLS
};

/* A run's settings (map "runs", by run id). */
enum { HX_BPF_RUN_HOT = 1 << 0, HX_BPF_RUN_SYSV = 1 << 1 };
struct hx_bpf_run {
	__u64 out_ino, err_ino;	/* the harness's own stdout/stderr pipes: not IPC */
	__u32 flags;		/* HX_BPF_RUN_*: which calls the backend owns */
	__s32 events_left;	/* call events still sent; past them, counts only */
};

/* A tracked process (map "procs", by host tgid): its run and the calls it
 * made that the backend owns. */
struct hx_bpf_proc {
	__u32 run;
	__u32 dead;		/* ended, but its exit record found the ring full;
				 * HX_BPF_PROBE_SEEN in the loader's probe */
	__s32 restarts;		/* its threads with an entry in "restarts" */
	__u32 n[HX_BPF_NCALLS];
};

#define HX_BPF_PROBE_SEEN 2

/* What a read or write's fd is. */
enum { HX_BPF_FD_PIPE = 1, HX_BPF_FD_SOCKET, HX_BPF_FD_FIFO };

enum { HX_BPF_EV_CALL = 1, HX_BPF_EV_EXIT };
/* One record of the ring buffer. */
struct hx_bpf_event {
	__u64 ts_ns;		/* bpf_ktime_get_ns: CLOCK_MONOTONIC */
	__u32 type;		/* HX_BPF_EV_* */
	__u32 run;
	__u32 tgid, tid;
	/* HX_BPF_EV_CALL */
	__s32 nr;
	__u32 kind;		/* HX_BPF_FD_* of a read or write */
	__u64 ino;
	__u64 args[6];
	/* HX_BPF_EV_EXIT: the process's counts, final */
	__u32 n[HX_BPF_NCALLS];
};

#endif

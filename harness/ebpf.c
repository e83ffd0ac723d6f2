/*
 * ebpf.c - the eBPF counting backend's user half: load the program
 * (harness/bpf/count.bpf.c) once per process, attach it, track a run's
 * first process, and collect what the ring buffer brings into the
 * tracer's record.
 *
 * With the backend on (HX_POLICY_EBPF), the box's filter no longer
 * notifies the calls the program owns (the hot calls, and System V's
 * shmat, shmdt, shmctl, semctl and msgctl): the program counts them per
 * process in the kernel and sends each as a record, which becomes the
 * same event, with the same words, as a notification would have made
 * (hx_call_trace; only a FIFO's path, which needs /proc at the call, is
 * replaced by its inode: "fd 3 (fifo:[1234]), 5 bytes"). Events are put
 * in their place in time (the program's clock is CLOCK_MONOTONIC, as
 * hx_now_us). A process's end brings its final counts: calls whose
 * records the ring had no room for count then, without events.
 *
 * The program is loaded the first time a run wants it, and stays until
 * the process exits (a forked worker loads its own); concurrent runs of
 * one process share it, each with its run id. Nothing is pinned: links
 * and maps go with the process.
 *
 * Built without libbpf, bpftool or clang, the backend is absent and says
 * why (hx_ebpf_usable).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "trace.h"

#ifdef HX_HAVE_EBPF
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "count.skel.h"
#endif

/* ---- which backend ------------------------------------------------------- */

int hx_ebpf_choice(void)
{
	const char *v = getenv("IPCGRADE_TRACER");

	if (!v || !*v || strcmp(v, "auto") == 0)
		return HX_TRACER_AUTO;
	if (strcmp(v, "notify") == 0)
		return HX_TRACER_NOTIFY;
	if (strcmp(v, "ebpf") == 0)
		return HX_TRACER_EBPF;
	return -1;
}

/*
 * Auto (IPCGRADE_TRACER unset or auto) uses the backend where it pays.
 * Loading and attaching it costs 30-40 ms once per process (a grading
 * worker is one process per submission); a notified call costs about
 * 10 us. So a --trace-hot run, whose every read, write and semop would
 * be notified, uses it from the first; a run with default tracing uses
 * it once this process's earlier runs made AUTO_PAYS_AFTER calls the
 * backend owns (System V's shmat/shmdt/shmctl/semctl/msgctl in loops):
 * the cost of loading, already spent on notifications. Most programs
 * make a handful of those and never load it.
 */
#define AUTO_PAYS_AFTER 3000
static unsigned long notified_ownable;	/* this process's, so far */

bool hx_ebpf_for_run(const struct hx_config *cfg)
{
	int choice = hx_ebpf_choice();

	if (!(cfg->trace & HX_TRACE_EVENTS) || choice == HX_TRACER_NOTIFY || choice < 0)
		return false;
	if (choice == HX_TRACER_AUTO && !(cfg->trace & HX_TRACE_HOT) && notified_ownable < AUTO_PAYS_AFTER)
		return false;
	return hx_ebpf_usable(NULL, 0);
}

const char *hx_trace_backend(char *why, size_t size)
{
	char buf[256] = "";
	int choice = hx_ebpf_choice();
	bool ok;

	if (choice < 0) {
		if (why)
			snprintf(why, size, "IPCGRADE_TRACER must be notify, ebpf or auto (not \"%s\")",
				 getenv("IPCGRADE_TRACER"));
		return NULL;
	}
	if (choice == HX_TRACER_NOTIFY) {
		if (why)
			snprintf(why, size, "IPCGRADE_TRACER=notify");
		return "seccomp-notify";
	}
	ok = hx_ebpf_usable(buf, sizeof(buf));
	if (choice == HX_TRACER_EBPF) {
		if (why)
			snprintf(why, size, "%s%s", ok ? "" : "IPCGRADE_TRACER=ebpf, but the eBPF backend cannot be used: ",
				 ok ? "" : buf);
		return ok ? "ebpf" : NULL;
	}
	if (why && ok)
		snprintf(why, size, "auto: ebpf for --trace-hot runs, and for default tracing once a "
			 "process's runs made %d System V loop calls (shmat, semctl, ...); seccomp-notify before",
			 AUTO_PAYS_AFTER);
	else if (why)
		snprintf(why, size, "the eBPF backend cannot be used: %s", buf);
	return ok ? "ebpf" : "seccomp-notify";
}

#ifndef HX_HAVE_EBPF

bool hx_ebpf_usable(char *why, size_t size)
{
	if (why)
		snprintf(why, size, "built without it (libbpf-dev, bpftool or clang was missing at build time)");
	return false;
}

uint64_t hx_trace_backend_load_us(void)
{
	return 0;
}

void hx_ebpf_run_start(struct hx_tracer *t, pid_t first_pid)
{
	(void)t;
	(void)first_pid;
}

int hx_ebpf_fd(const struct hx_tracer *t)
{
	(void)t;
	return -1;
}

void hx_ebpf_drain(struct hx_tracer *t)
{
	(void)t;
}

void hx_ebpf_learn(const struct hx_tracer *t)
{
	(void)t;
}

void hx_ebpf_run_end(struct hx_tracer *t)
{
	(void)t;
}

#else

#define HX_EBPF_RUNS 256

static struct {
	pid_t owner;		/* the process that loaded it (a forked child loads anew) */
	bool tried, ok;
	char why[256];
	uint64_t load_us;
	struct count *skel;
	struct ring_buffer *ring;
	struct hx_tracer *runs[HX_EBPF_RUNS];	/* by run id - 1 */
	unsigned next;
} bk;

static int quiet_libbpf(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	(void)fmt;
	(void)ap;
	return 0;
}

static int on_record(void *ctx, void *data, size_t size);

/*
 * The program names processes by their pids in the kernel's first pid
 * namespace, the supervisor by those of its own. Where ipcgrade runs in
 * a pid namespace of its own (a container, the hostile suite's guard)
 * they differ and nothing would be counted; /proc cannot tell (a
 * namespace mounts its own), so ask the program: an entry under our
 * pid, run 0, is marked by the program at our next call if it sees us
 * by that pid.
 */
static bool same_pid_namespace(void)
{
	__u32 key = (__u32)getpid();
	struct hx_bpf_proc v = { 0 };
	bool seen;

	if (bpf_map__update_elem(bk.skel->maps.procs, &key, sizeof(key), &v, sizeof(v), BPF_ANY) < 0)
		return false;
	(void)syscall(SYS_getppid);
	seen = bpf_map__lookup_elem(bk.skel->maps.procs, &key, sizeof(key), &v, sizeof(v), 0) == 0 &&
	       v.dead == HX_BPF_PROBE_SEEN;
	bpf_map__delete_elem(bk.skel->maps.procs, &key, sizeof(key), 0);
	return seen;
}

static void load(void)
{
	uint64_t t0 = hx_now_us();
	int err;

	bk.tried = true;
	bk.owner = getpid();
	if (access("/sys/kernel/btf/vmlinux", R_OK) != 0) {
		snprintf(bk.why, sizeof(bk.why), "the kernel has no BTF (/sys/kernel/btf/vmlinux)");
		return;
	}
	libbpf_set_print(quiet_libbpf);
	bk.skel = count__open_and_load();
	if (!bk.skel) {
		err = errno;
		snprintf(bk.why, sizeof(bk.why), "the kernel refused the program: %s%s", strerror(err),
			 err == EPERM ? " (needs root, or CAP_BPF and CAP_PERFMON; a container's seccomp "
					"profile may deny bpf())" : "");
		return;
	}
	err = count__attach(bk.skel);
	if (err) {
		snprintf(bk.why, sizeof(bk.why), "attaching to the tracepoints failed: %s", strerror(-err));
		goto fail;
	}
	bk.ring = ring_buffer__new(bpf_map__fd(bk.skel->maps.events), on_record, NULL, NULL);
	if (!bk.ring) {
		snprintf(bk.why, sizeof(bk.why), "its ring buffer: %s", strerror(errno));
		goto fail;
	}
	if (!same_pid_namespace()) {
		snprintf(bk.why, sizeof(bk.why), "ipcgrade runs in a pid namespace of its own (a container, "
			 "a guard), and the eBPF program knows processes by the first namespace's pids");
		ring_buffer__free(bk.ring);
		bk.ring = NULL;
		goto fail;
	}
	bk.ok = true;
	bk.load_us = hx_now_us() - t0;
	return;
fail:
	count__destroy(bk.skel);
	bk.skel = NULL;
}

bool hx_ebpf_usable(char *why, size_t size)
{
	if (!bk.tried || bk.owner != getpid()) {
		/* A forked child leaves its parent's copy alone (its fds go
		 * when it exits) and loads its own. */
		memset(&bk, 0, sizeof(bk));
		load();
	}
	if (!bk.ok && why)
		snprintf(why, size, "%s", bk.why);
	return bk.ok;
}

uint64_t hx_trace_backend_load_us(void)
{
	return bk.load_us;
}

int hx_ebpf_fd(const struct hx_tracer *t)
{
	return t->ebpf_run && bk.ring ? ring_buffer__epoll_fd(bk.ring) : -1;
}

void hx_ebpf_run_start(struct hx_tracer *t, pid_t first_pid)
{
	struct hx_bpf_run run = {
		.out_ino = t->out_ino, .err_ino = t->err_ino,
		.events_left = HX_MAX_EVENTS,
		.flags = HX_BPF_RUN_SYSV | ((t->trace & HX_TRACE_HOT) ? HX_BPF_RUN_HOT : 0),
	};
	struct hx_bpf_proc proc = { 0 };
	unsigned id = 0;

	if (!(t->policy & HX_POLICY_EBPF) || t->ebpf_run || !hx_ebpf_usable(NULL, 0) || !bk.skel)
		return;
	for (unsigned i = 0; i < HX_EBPF_RUNS && !id; i++) {
		unsigned k = (bk.next + i) % HX_EBPF_RUNS;

		if (!bk.runs[k])
			id = k + 1;
	}
	if (!id)
		return;		/* cannot happen: one process runs a few boxes at once */
	bk.next = id % HX_EBPF_RUNS;
	proc.run = id;
	if (bpf_map__update_elem(bk.skel->maps.runs, &id, sizeof(id), &run, sizeof(run), BPF_ANY) < 0)
		return;
	__u32 key = (__u32)first_pid;

	if (bpf_map__update_elem(bk.skel->maps.procs, &key, sizeof(key), &proc, sizeof(proc), BPF_ANY) < 0) {
		bpf_map__delete_elem(bk.skel->maps.runs, &id, sizeof(id), 0);
		return;
	}
	bk.runs[id - 1] = t;
	t->ebpf_run = id;
}

/* ---- records into the tracer's record ------------------------------------ */

static const struct {
	const char *call;	/* as its events name it */
	int nr;
	enum hx_group group;
} calls[HX_BPF_NCALLS] = {
	[HX_BPF_READ] = { "read", SYS_read, HX_GROUP_IO },
	[HX_BPF_WRITE] = { "write", SYS_write, HX_GROUP_IO },
	[HX_BPF_READV] = { "readv", SYS_readv, HX_GROUP_IO },
	[HX_BPF_WRITEV] = { "writev", SYS_writev, HX_GROUP_IO },
	[HX_BPF_FUTEX] = { "futex", SYS_futex, HX_GROUP_FUTEX },
	[HX_BPF_SEMOP] = { "semop", SYS_semop, HX_GROUP_HOT },
	[HX_BPF_SEMTIMEDOP] = { "semop", SYS_semtimedop, HX_GROUP_HOT },
	[HX_BPF_MQ_SEND] = { "mq_send", SYS_mq_timedsend, HX_GROUP_HOT },
	[HX_BPF_MQ_RECEIVE] = { "mq_receive", SYS_mq_timedreceive, HX_GROUP_HOT },
	[HX_BPF_MSGSND] = { "msgsnd", SYS_msgsnd, HX_GROUP_HOT },
	[HX_BPF_MSGRCV] = { "msgrcv", SYS_msgrcv, HX_GROUP_HOT },
	[HX_BPF_SHMAT] = { "shmat", SYS_shmat, HX_GROUP_SHM },
	[HX_BPF_SHMDT] = { "shmdt", SYS_shmdt, HX_GROUP_SHM },
	[HX_BPF_SHMCTL] = { "shmctl", SYS_shmctl, HX_GROUP_SHM },
	[HX_BPF_SEMCTL] = { "semctl", SYS_semctl, HX_GROUP_SEM },
	[HX_BPF_MSGCTL] = { "msgctl", SYS_msgctl, HX_GROUP_MQ },
};

void hx_ebpf_learn(const struct hx_tracer *t)
{
	if (t->ebpf_run)
		return;
	for (size_t i = 0; i < t->ncalls; i++)
		for (int c = HX_BPF_FIRST_SYSV; c < HX_BPF_NCALLS; c++)
			if (strcmp(t->calls[i].call, calls[c].call) == 0)
				notified_ownable += t->calls[i].count;
}

static int index_of(int nr)
{
	for (int i = 0; i < HX_BPF_NCALLS; i++)
		if (calls[i].nr == nr)
			return i;
	return -1;
}

static struct hx_tracee *proc_of(struct hx_tracer *t, pid_t tgid, pid_t tid)
{
	struct hx_tracee *p = hx_pidmap_find(t, tgid);
	struct hx_thread *th;

	/* Every process and thread is notified at birth (set_robust_list),
	 * before it can make a call of ours: it is known by now. */
	return p ? p : hx_pidmap_of_tid(t, tid, &th);
}

/* The process's final counts: what no event carried counts now. */
static void settle(struct hx_tracer *t, struct hx_tracee *p, const __u32 *n)
{
	for (int i = 0; i < HX_BPF_NCALLS; i++) {
		if (n[i] > p->bpf_seen[i]) {
			hx_trace_count_add(t, calls[i].call, calls[i].group, n[i] - p->bpf_seen[i]);
			t->events_truncated = true;
		}
		p->bpf_seen[i] = 0;
	}
}

static void take_call(struct hx_tracer *t, const struct hx_bpf_event *e)
{
	struct hx_tracee *p = proc_of(t, (pid_t)e->tgid, (pid_t)e->tid);
	int i = index_of(e->nr);
	uint64_t a[6];

	if (!p || i < 0)
		return;
	p->bpf_seen[i]++;
	memcpy(a, e->args, sizeof(a));
	t->bpf_t_us = e->ts_ns / 1000;
	t->bpf_kind = e->kind == HX_BPF_FD_PIPE ? HX_FD_PIPE : e->kind == HX_BPF_FD_SOCKET ? HX_FD_SOCKET
			: e->kind == HX_BPF_FD_FIFO ? HX_FD_FIFO : HX_FD_UNKNOWN;
	t->bpf_ino = (unsigned long)e->ino;
	hx_call_trace(t, p, (pid_t)e->tid, e->nr, a);
	t->bpf_t_us = 0;
}

static int on_record(void *ctx, void *data, size_t size)
{
	const struct hx_bpf_event *e = data;
	struct hx_tracer *t;

	(void)ctx;
	if (size < sizeof(*e) || !e->run || e->run > HX_EBPF_RUNS || !(t = bk.runs[e->run - 1]))
		return 0;
	if (e->type == HX_BPF_EV_CALL) {
		take_call(t, e);
	} else if (e->type == HX_BPF_EV_EXIT) {
		struct hx_tracee *p = hx_pidmap_find(t, (pid_t)e->tgid);

		if (p)
			settle(t, p, e->n);
	}
	return 0;
}

void hx_ebpf_drain(struct hx_tracer *t)
{
	if (t->ebpf_run && bk.ring)
		ring_buffer__consume(bk.ring);
}

void hx_ebpf_run_end(struct hx_tracer *t)
{
	__u32 key, next, kept = 0, *prev = NULL;
	struct hx_bpf_proc v;

	if (!t->ebpf_run)
		return;
	ring_buffer__consume(bk.ring);
	/* What is left of the run: processes alive at its end, or ended
	 * when the ring was full. Their counts, then their entries. */
	while (bpf_map__get_next_key(bk.skel->maps.procs, prev, &next, sizeof(next)) == 0) {
		key = next;
		if (bpf_map__lookup_elem(bk.skel->maps.procs, &key, sizeof(key), &v, sizeof(v), 0) == 0 &&
		    v.run == t->ebpf_run) {
			struct hx_tracee *p = hx_pidmap_find(t, (pid_t)key);

			if (p)
				settle(t, p, v.n);
			bpf_map__delete_elem(bk.skel->maps.procs, &key, sizeof(key), 0);
			continue;	/* the iteration goes on from prev */
		}
		kept = key;
		prev = &kept;
	}
	bpf_map__delete_elem(bk.skel->maps.runs, &t->ebpf_run, sizeof(t->ebpf_run), 0);
	bk.runs[t->ebpf_run - 1] = NULL;
	t->ebpf_run = 0;
}

#endif

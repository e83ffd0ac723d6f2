/*
 * calls_hot.c - the hot calls as events (HX_TRACE_HOT, `--trace-hot`
 * only): reads and writes of pipes, FIFOs and sockets between box
 * processes, futexes, semop, and message passing.
 *
 * These are the calls a program makes in its loops; the policy notifies
 * them only when hot calls are traced. A read or write is an event only
 * when its fd is a pipe, a FIFO or a socket (fdcache.c says which, and
 * mostly without a readlink); the other hot calls say what their
 * registers hold. They count in their own groups (futex, io, hot), so
 * that every other group counts the same calls with or without them.
 *
 * close, close_range, dup2 and dup3 are notified in hot mode too (the fd
 * cache must forget what they change): a close or dup2 of a pipe end, a
 * FIFO or a socket is an event of the timeline, counted nowhere
 * (HX_GROUP_FD), so that "forgot close(fd[1])" can be read from it. It
 * is described before the call runs, while the fd is still what it was.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "trace.h"

static const char *fifo_name(const struct hx_tracer *t, unsigned long ino)
{
	for (size_t i = 0; i < t->nfifo_names; i++)
		if (t->fifo_names[i].ino == ino)
			return t->fifo_names[i].path;
	return NULL;
}

void hx_call_note_fifo_open(struct hx_tracer *t, pid_t tid, int dirfd, const char *path)
{
	char where[PATH_MAX + 64], dir[PATH_MAX], shown[2 * PATH_MAX + 2];
	struct stat st;
	ssize_t n = 0;

	if (!t->ebpf_run || !(t->trace & HX_TRACE_HOT))
		return;
	/* The path as the box sees it, reached through the opener's root,
	 * working directory or dirfd. */
	if (path[0] == '/') {
		snprintf(where, sizeof(where), "/proc/%d/root%s", (int)tid, path);
		snprintf(shown, sizeof(shown), "%s", path);
	} else {
		if (dirfd == AT_FDCWD)
			snprintf(where, sizeof(where), "/proc/%d/cwd", (int)tid);
		else
			snprintf(where, sizeof(where), "/proc/%d/fd/%d", (int)tid, dirfd);
		n = readlink(where, dir, sizeof(dir) - 1);
		if (n <= 0)
			return;
		dir[n] = '\0';
		snprintf(shown, sizeof(shown), "%s/%s", strcmp(dir, "/") == 0 ? "" : dir, path);
		snprintf(where + strlen(where), sizeof(where) - strlen(where), "/%s", path);
	}
	if (stat(where, &st) != 0 || !S_ISFIFO(st.st_mode) || fifo_name(t, st.st_ino))
		return;
	struct hx_fifo_name *arr = hx_grow(t->fifo_names, &t->cfifo_names, t->nfifo_names + 1, sizeof(*arr));
	char *copy = hx_strdup(shown);

	if (!arr || !copy) {
		free(copy);
		return;
	}
	t->fifo_names = arr;
	arr[t->nfifo_names++] = (struct hx_fifo_name){ .ino = st.st_ino, .path = copy };
}

/* A read or write of hot tracing: an event when fd is a pipe, a FIFO or a
 * socket between box processes. */
static void trace_io(struct hx_tracer *t, struct hx_tracee *p, pid_t tid, const char *call,
		     int fd, unsigned long len)
{
	unsigned long ino = 0;
	bool cached = true;
	char fifo[PATH_MAX], q[PATH_MAX + 8];
	enum hx_fd_kind kind;

	if (t->bpf_t_us) {
		/* The eBPF backend's record: the kernel read the fd at the
		 * call. A FIFO is named by the path it was opened by (seen at
		 * the open), else by the fd's path now, if the fd is still
		 * that FIFO; else its inode stands for the path
		 * ("fd 3 (fifo:[1234]), 4 bytes"). */
		kind = t->bpf_kind;
		ino = t->bpf_ino;
		if (kind == HX_FD_FIFO) {
			unsigned long now_ino = 0;
			const char *known = fifo_name(t, ino);

			if (known)
				snprintf(fifo, sizeof(fifo), "%s", known);
			else if (hx_fdcache_lookup(t, p, tid, fd, &now_ino, &cached, fifo, sizeof(fifo)) != HX_FD_FIFO ||
				 now_ino != ino) {
				hx_trace_event_add(t, p, call, HX_GROUP_IO, 0, "fd %d (fifo:[%lu]), %lu bytes", fd,
						   ino, len);
				return;
			}
		}
	} else {
		kind = hx_fdcache_lookup(t, p, tid, fd, &ino, &cached, fifo, sizeof(fifo));
	}
	if (kind != HX_FD_PIPE && kind != HX_FD_SOCKET && kind != HX_FD_FIFO)
		return;
	t->event_args_only = cached;
	if (kind == HX_FD_FIFO) {
		hx_quote(fifo, q, sizeof(q));
		hx_trace_event_add(t, p, call, HX_GROUP_IO, 0, "fd %d (fifo %s), %lu bytes", fd, q, len);
		return;
	}
	hx_trace_event_add(t, p, call, HX_GROUP_IO, 0, "fd %d (%s:[%lu]), %lu bytes", fd,
			   kind == HX_FD_PIPE ? "pipe" : "socket", ino, len);
}

/* What fd of p is, when it is IPC: "the write end of pipe:[1234]",
 * "socket:[99]", "the FIFO \"/tmp/f\" (read end)". False when it is
 * anything else, or not open. */
static bool ipc_fd_words(struct hx_tracer *t, struct hx_tracee *p, pid_t tid, int fd, char *buf,
			 size_t size)
{
	unsigned long ino = 0;
	bool cached;
	char fifo[PATH_MAX], q[PATH_MAX + 8];
	enum hx_fd_kind kind = hx_fdcache_lookup(t, p, tid, fd, &ino, &cached, fifo, sizeof(fifo));

	if (kind != HX_FD_PIPE && kind != HX_FD_SOCKET && kind != HX_FD_FIFO)
		return false;
	if (kind == HX_FD_SOCKET) {
		t->event_args_only &= cached;
		snprintf(buf, size, "socket:[%lu]", ino);
		return true;
	}
	/* Which end: the access mode, from /proc (never cached). */
	int mode = hx_proc_fd_access(tid, fd);
	const char *end = mode == O_RDONLY ? "read end" : mode == O_WRONLY ? "write end" : "";

	t->event_args_only = false;
	if (kind == HX_FD_FIFO) {
		hx_quote(fifo, q, sizeof(q));
		snprintf(buf, size, "the FIFO %s%s%s%s", q, *end ? " (" : "", end, *end ? ")" : "");
	} else if (*end) {
		snprintf(buf, size, "the %s of pipe:[%lu]", end, ino);
	} else {
		snprintf(buf, size, "pipe:[%lu]", ino);
	}
	return true;
}

void hx_call_trace_fd(struct hx_tracer *t, struct hx_tracee *p, pid_t tid, int nr, const uint64_t *a)
{
	char what[PATH_MAX + 64], was[PATH_MAX + 64];

	/* Before the first exec the closes are the harness's own (the
	 * notify listener handed over). */
	if (!t->first_exec_seen || (nr != SYS_close && nr != SYS_dup2 && nr != SYS_dup3 && nr != SYS_close_range))
		return;
	t->event_args_only = true;
	switch (nr) {
	case SYS_close:
		if (ipc_fd_words(t, p, tid, (int)a[0], what, sizeof(what)))
			hx_trace_event_add(t, p, "close", HX_GROUP_FD, 0, "fd %d, %s", (int)a[0], what);
		break;
	case SYS_dup2:
	case SYS_dup3: {
		const char *call = nr == SYS_dup2 ? "dup2" : "dup3";
		bool from = ipc_fd_words(t, p, tid, (int)a[0], what, sizeof(what));
		bool onto = a[0] != a[1] && ipc_fd_words(t, p, tid, (int)a[1], was, sizeof(was));

		if (from && onto)
			hx_trace_event_add(t, p, call, HX_GROUP_FD, 0, "fd %d onto fd %d, %s; closes %s", (int)a[0],
					   (int)a[1], what, was);
		else if (from)
			hx_trace_event_add(t, p, call, HX_GROUP_FD, 0, "fd %d onto fd %d, %s", (int)a[0], (int)a[1],
					   what);
		else if (onto)
			hx_trace_event_add(t, p, call, HX_GROUP_FD, 0, "fd %d onto fd %d, closes %s", (int)a[0],
					   (int)a[1], was);
		break;
	}
	case SYS_close_range:
		hx_trace_event_add(t, p, "close_range", HX_GROUP_FD, 0, "fds %u to %u", (unsigned)a[0], (unsigned)a[1]);
		break;
	default:
		break;
	}
}

bool hx_call_trace_hot(struct hx_tracer *t, struct hx_tracee *p, pid_t tid, int nr, const uint64_t *a)
{
	switch (nr) {
	case SYS_read:
	case SYS_readv:
		trace_io(t, p, tid, nr == SYS_read ? "read" : "readv", (int)a[0], (unsigned long)a[2]);
		break;
	case SYS_write:
	case SYS_writev:
		trace_io(t, p, tid, nr == SYS_write ? "write" : "writev", (int)a[0], (unsigned long)a[2]);
		break;
	case SYS_futex:
		hx_trace_event_add(t, p, "futex", HX_GROUP_FUTEX, 0, "%#lx, %s", (unsigned long)a[0],
				   hx_futex_op_name((unsigned long)a[1]));
		break;
	case SYS_semop:
	case SYS_semtimedop:
		hx_trace_event_add(t, p, "semop", HX_GROUP_HOT, 0, "id %d, %d operations", (int)a[0], (int)a[2]);
		break;
	case SYS_mq_timedsend:
		hx_trace_event_add(t, p, "mq_send", HX_GROUP_HOT, 0, "mqd %d, %lu bytes", (int)a[0], (unsigned long)a[2]);
		break;
	case SYS_mq_timedreceive:
		hx_trace_event_add(t, p, "mq_receive", HX_GROUP_HOT, 0, "mqd %d", (int)a[0]);
		break;
	case SYS_msgsnd:
		hx_trace_event_add(t, p, "msgsnd", HX_GROUP_HOT, 0, "id %d, %lu bytes", (int)a[0], (unsigned long)a[2]);
		break;
	case SYS_msgrcv:
		hx_trace_event_add(t, p, "msgrcv", HX_GROUP_HOT, 0, "id %d", (int)a[0]);
		break;
	default:
		return false;
	}
	return true;
}

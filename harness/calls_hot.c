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
 */
#define _GNU_SOURCE
#include <limits.h>
#include <sys/syscall.h>

#include "trace.h"

/* A read or write of hot tracing: an event when fd is a pipe, a FIFO or a
 * socket between box processes. */
static void trace_io(struct hx_tracer *t, struct hx_tracee *p, pid_t tid, const char *call,
		     int fd, unsigned long len)
{
	unsigned long ino = 0;
	bool cached;
	char fifo[PATH_MAX], q[PATH_MAX + 8];
	enum hx_fd_kind kind = hx_fdcache_lookup(t, p, tid, fd, &ino, &cached, fifo, sizeof(fifo));

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

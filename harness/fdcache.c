/*
 * fdcache.c - what a box process's fd is, for the events of hot tracing:
 * a pipe or socket between box processes (IPC), or anything else.
 *
 * The answer comes from /proc/PID/fd/FD. Each process's /proc/PID/fd
 * directory stays open while it lives (a bounded number of them), so a
 * look is one short readlinkat; what fds below HX_FD_CACHE are is kept
 * until a call that may change it (see struct hx_fdcache in trace.h).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "trace.h"

/* At most this many /proc/PID/fd directories open at once. */
#define MAX_FD_DIRS 64

void hx_fdcache_init(struct hx_fdcache *c)
{
	memset(c, 0, sizeof(*c));
	c->dir = -1;
}

void hx_fdcache_close(struct hx_tracer *t, struct hx_fdcache *c)
{
	if (c->dir < 0)
		return;
	close(c->dir);
	c->dir = -1;
	t->nfd_dirs--;
}

static bool cacheable(const struct hx_tracer *t, const struct hx_tracee *p, pid_t tid, int fd)
{
	return !t->fd_cache_off && !p->fds.off && tid == p->host_pid && fd >= 0 && fd < HX_FD_CACHE;
}

void hx_fdcache_forget(struct hx_tracer *t, struct hx_tracee *p, int nr, const uint64_t *a)
{
	unsigned char *kind = p->fds.kind;

	switch (nr) {
	case SYS_close:
		if (a[0] < HX_FD_CACHE)
			kind[a[0]] = HX_FD_UNKNOWN;
		break;
	case SYS_dup2:
	case SYS_dup3:
		if (a[1] < HX_FD_CACHE)
			kind[a[1]] = HX_FD_UNKNOWN;
		break;
	case SYS_close_range:
		for (uint64_t fd = a[0]; fd <= a[1] && fd < HX_FD_CACHE; fd++)
			kind[fd] = HX_FD_UNKNOWN;
		break;
	case SYS_execve:
	case SYS_execveat:
		/* close-on-exec */
		memset(kind, HX_FD_UNKNOWN, sizeof(p->fds.kind));
		break;
	case SYS_clone:
		if (a[0] & CLONE_THREAD)
			p->fds.off = true;
		else if (a[0] & CLONE_FILES)
			t->fd_cache_off = true;
		break;
	default:
		break;
	}
}

enum hx_fd_kind hx_fdcache_lookup(struct hx_tracer *t, struct hx_tracee *p, pid_t tid, int fd,
				  unsigned long *ino, bool *cached)
{
	struct hx_fdcache *c = &p->fds;
	char link[300], name[16];
	ssize_t n = -1;
	bool use_cache = cacheable(t, p, tid, fd);

	*cached = false;
	if (use_cache && c->kind[fd] != HX_FD_UNKNOWN) {
		*cached = true;
		*ino = c->ino[fd];
		return (enum hx_fd_kind)c->kind[fd];
	}
	/* The main thread's /proc/PID/fd stays open for its process's later
	 * calls; another thread (perhaps with a file table of its own) is
	 * asked by its tid. */
	if (c->dir < 0 && tid == p->host_pid && t->nfd_dirs < MAX_FD_DIRS) {
		char path[40];

		snprintf(path, sizeof(path), "/proc/%d/fd", (int)p->host_pid);
		c->dir = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		t->nfd_dirs += c->dir >= 0;
	}
	snprintf(name, sizeof(name), "%d", fd);
	if (c->dir >= 0 && tid == p->host_pid)
		n = readlinkat(c->dir, name, link, sizeof(link) - 1);
	if (n < 0 && hx_proc_fd_link(tid, fd, link, sizeof(link)) < 0)
		return HX_FD_UNKNOWN;
	if (n >= 0)
		link[n] = '\0';
	*ino = hx_ipc_inode(link);
	/* Only pipes and sockets between box processes are IPC; our own
	 * stdout/stderr pipes are not. */
	bool ipc = *ino && *ino != t->out_ino && *ino != t->err_ino;
	enum hx_fd_kind kind = !ipc ? HX_FD_NOT_IPC : link[0] == 'p' ? HX_FD_PIPE : HX_FD_SOCKET;

	if (use_cache) {
		c->kind[fd] = (unsigned char)kind;
		c->ino[fd] = *ino;
	}
	return kind;
}

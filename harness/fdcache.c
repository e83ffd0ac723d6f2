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
#include <stdlib.h>
#include <sys/stat.h>
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

static void forget(struct hx_fdcache *c, uint64_t fd)
{
	c->kind[fd] = HX_FD_UNKNOWN;
	free(c->fifo[fd]);
	c->fifo[fd] = NULL;
}

void hx_fdcache_close(struct hx_tracer *t, struct hx_fdcache *c)
{
	for (int fd = 0; fd < HX_FD_CACHE; fd++)
		forget(c, (uint64_t)fd);
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
	struct hx_fdcache *c = &p->fds;

	switch (nr) {
	case SYS_close:
		if (a[0] < HX_FD_CACHE)
			forget(c, a[0]);
		break;
	case SYS_dup2:
	case SYS_dup3:
		if (a[1] < HX_FD_CACHE)
			forget(c, a[1]);
		break;
	case SYS_close_range:
		for (uint64_t fd = a[0]; fd <= a[1] && fd < HX_FD_CACHE; fd++)
			forget(c, fd);
		break;
	case SYS_execve:
	case SYS_execveat:
		/* close-on-exec */
		for (uint64_t fd = 0; fd < HX_FD_CACHE; fd++)
			forget(c, fd);
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
				  unsigned long *ino, bool *cached, char *fifo, size_t size)
{
	struct hx_fdcache *c = &p->fds;
	char link[300], name[16];
	ssize_t n = -1;
	bool use_cache = cacheable(t, p, tid, fd);
	struct stat st;

	*cached = false;
	fifo[0] = '\0';
	if (use_cache && c->kind[fd] != HX_FD_UNKNOWN) {
		*cached = true;
		*ino = c->ino[fd];
		if (c->fifo[fd])
			snprintf(fifo, size, "%s", c->fifo[fd]);
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
	bool by_dir = c->dir >= 0 && tid == p->host_pid;

	if (by_dir)
		n = readlinkat(c->dir, name, link, sizeof(link) - 1);
	if (n < 0) {
		by_dir = false;
		if (hx_proc_fd_link(tid, fd, link, sizeof(link)) < 0)
			return HX_FD_UNKNOWN;
	} else {
		link[n] = '\0';
	}
	*ino = hx_ipc_inode(link);
	enum hx_fd_kind kind = HX_FD_NOT_IPC;

	if (*ino) {
		/* Only pipes and sockets between box processes are IPC; our
		 * own stdout/stderr pipes are not. */
		if (*ino != t->out_ino && *ino != t->err_ino)
			kind = link[0] == 'p' ? HX_FD_PIPE : HX_FD_SOCKET;
	} else if (link[0] == '/') {
		/* A path: a FIFO, or a file. The stat follows the magic link to
		 * the open file itself, whatever its path has become. */
		char path[64];
		int rc;

		if (by_dir) {
			rc = fstatat(c->dir, name, &st, 0);
		} else {
			snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)tid, fd);
			rc = stat(path, &st);
		}
		if (rc == 0 && S_ISFIFO(st.st_mode)) {
			kind = HX_FD_FIFO;
			*ino = (unsigned long)st.st_ino;
			snprintf(fifo, size, "%s", link);
		}
	}
	if (use_cache) {
		c->kind[fd] = (unsigned char)kind;
		c->ino[fd] = *ino;
		if (kind == HX_FD_FIFO)
			c->fifo[fd] = hx_strdup(link);
	}
	return kind;
}

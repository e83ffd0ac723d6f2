/*
 * exitfds.c - the fds a process still holds when it ends (fds_at_exit).
 *
 * With HX_TRACE_FDS the policy notifies exit_group (glibc's exit() and
 * _exit(), and a return from main, all end in it). The task is stopped
 * before the call runs, so its fd table is still whole: we list
 * /proc/PID/fd and, for each fd, what it is (the link, a stat through
 * it, the access mode from fdinfo): a pipe end with its inode, a FIFO, a
 * socket, a file, a POSIX shared memory object, a message queue, ...
 *
 * Processes that never call exit_group have no record: those killed by a
 * signal (a crash, or our own kill when the run ends or a limit is hit)
 * and a process whose last thread ends with a bare exit(2) system call.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "trace.h"

#ifndef MQUEUE_MAGIC
#define MQUEUE_MAGIC 0x19800202
#endif

static int by_fd(const void *a, const void *b)
{
	const struct hx_open_fd *x = a, *y = b;

	return (x->fd > y->fd) - (x->fd < y->fd);
}

static const char *access_name(int mode)
{
	switch (mode) {
	case O_RDONLY: return "read";
	case O_WRONLY: return "write";
	case O_RDWR: return "read-write";
	default: return "unknown";
	}
}

/* What fd name of pid (a directory entry of /proc/PID/fd, dirfd) is. */
static void describe(pid_t pid, int dirfd, const char *name, struct hx_open_fd *o)
{
	char link[512], path[96];
	struct stat st;
	struct statfs sf;
	ssize_t n = readlinkat(dirfd, name, link, sizeof(link) - 1);

	link[n > 0 ? n : 0] = '\0';
	o->object = hx_strdup(link);
	o->kind = "other";
	o->access = access_name(hx_proc_fd_access(pid, o->fd));
	if (fstatat(dirfd, name, &st, 0) < 0)
		return;
	o->inode = (unsigned long)st.st_ino;
	switch (st.st_mode & S_IFMT) {
	case S_IFIFO:
		o->kind = strncmp(link, "pipe:", 5) == 0 ? "pipe" : "fifo";
		break;
	case S_IFSOCK:
		o->kind = "socket";
		break;
	case S_IFDIR:
		o->kind = "dir";
		break;
	case S_IFCHR:
	case S_IFBLK:
		o->kind = "device";
		break;
	case S_IFREG:
		o->kind = "file";
		snprintf(path, sizeof(path), "/proc/%d/fd/%s", (int)pid, name);
		if (strncmp(link, "/dev/shm/", 9) == 0)
			o->kind = "shm";
		else if (statfs(path, &sf) == 0 && sf.f_type == MQUEUE_MAGIC)
			o->kind = "mq";
		break;
	default:
		break;	/* anon inodes: eventfd, epoll, timerfd, ... */
	}
}

/* The fds of pid into *rec; false when /proc cannot be read. */
static bool read_fds(pid_t pid, struct hx_exit_fds *rec)
{
	char path[64];
	size_t cap = 0;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	int dirfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = dirfd >= 0 ? fdopendir(dirfd) : NULL;
	struct dirent *e;

	if (!d) {
		if (dirfd >= 0)
			close(dirfd);
		return false;
	}
	while ((e = readdir(d))) {
		char *end;
		long fd = strtol(e->d_name, &end, 10);

		if (e->d_name[0] < '0' || e->d_name[0] > '9' || *end)
			continue;
		if (rec->nfds >= HX_EXIT_FDS_MAX) {
			rec->truncated = true;
			continue;
		}
		struct hx_open_fd *arr = hx_grow(rec->fds, &cap, rec->nfds + 1, sizeof(*arr));

		if (!arr) {
			rec->truncated = true;
			break;
		}
		rec->fds = arr;
		memset(&arr[rec->nfds], 0, sizeof(arr[rec->nfds]));
		arr[rec->nfds].fd = (int)fd;
		describe(pid, dirfd, e->d_name, &arr[rec->nfds]);
		rec->nfds++;
	}
	closedir(d);
	if (rec->nfds)
		qsort(rec->fds, rec->nfds, sizeof(*rec->fds), by_fd);
	return true;
}

static void release_record(struct hx_exit_fds *rec)
{
	for (size_t i = 0; i < rec->nfds; i++)
		free(rec->fds[i].object);
	free(rec->fds);
	memset(rec, 0, sizeof(*rec));
}

void hx_exitfds_record(struct hx_tracer *t, int fd, const struct seccomp_notif *r)
{
	struct hx_thread *th;
	struct hx_tracee *p = hx_pidmap_of_tid(t, (pid_t)r->pid, &th);
	struct hx_exit_fds rec = { 0 };

	if (!p || p->exit_recorded)
		return;
	p->exit_recorded = true;
	/* Box pids are numbered at export: until then, the table index + 1. */
	rec.pid = (int)hx_pidmap_index(t, p) + 1;
	if (!read_fds(p->host_pid, &rec))
		return;
	/* The pid may belong to another process by now if this one was
	 * killed meanwhile: then what we read is not its. */
	if (seccomp_notify_id_valid(fd, r->id) != 0) {
		release_record(&rec);
		return;
	}
	struct hx_exit_fds *arr = hx_grow(t->exit_fds, &t->cexit_fds, t->nexit_fds + 1, sizeof(*arr));

	if (!arr) {
		release_record(&rec);
		return;
	}
	t->exit_fds = arr;
	t->exit_fds[t->nexit_fds++] = rec;
}

void hx_exitfds_export(struct hx_tracer *t, struct hx_result *res)
{
	res->fds_traced = (t->trace & HX_TRACE_FDS) != 0;
	hx_pidmap_number(t);
	for (size_t i = 0; i < t->nexit_fds; i++) {
		size_t idx = (size_t)t->exit_fds[i].pid - 1;

		t->exit_fds[i].pid = idx < t->pm.n ? t->pm.procs[idx].box_pid : 0;
	}
	res->fds_at_exit = t->exit_fds;
	res->nfds_at_exit = t->nexit_fds;
	t->exit_fds = NULL;
	t->nexit_fds = t->cexit_fds = 0;
}

void hx_exitfds_release(struct hx_tracer *t)
{
	for (size_t i = 0; i < t->nexit_fds; i++)
		release_record(&t->exit_fds[i]);
	free(t->exit_fds);
	t->exit_fds = NULL;
	t->nexit_fds = t->cexit_fds = 0;
}

/*
 * procfs.c - reading the box's processes from the host's /proc.
 *
 * The supervisor sees box processes by their host pids. Everything here
 * tolerates a process that vanishes between two reads: callers get
 * -ENOENT/-ESRCH and move on.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <stdbool.h>
#include <stddef.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <sys/uio.h>
#include <unistd.h>

#include "internal.h"

int hx_proc_parse_stat(const char *line, struct hx_proc_stat *st)
{
	memset(st, 0, sizeof(*st));
	/* comm may hold spaces and parentheses: it ends at the last ')'. */
	const char *open = strchr(line, '(');
	const char *close = strrchr(line, ')');

	if (!open || !close || close < open || close[1] != ' ' || close[2] == '\0')
		return -EINVAL;
	size_t clen = (size_t)(close - open - 1);

	if (clen >= sizeof(st->comm))
		clen = sizeof(st->comm) - 1;
	memcpy(st->comm, open + 1, clen);
	st->comm[clen] = '\0';

	/* Fields after comm: 3 state, 4 ppid, 5 pgrp, 6 session, ...,
	 * 14 utime, 15 stime, 16 cutime, 17 cstime. */
	const char *p = close + 2;
	unsigned long long f[15] = { 0 };	/* f[i]: field i + 3 */

	st->state = *p++;
	for (int i = 1; i < (int)HX_ARRAY_SIZE(f); i++) {
		char *end;

		if (*p != ' ')
			return -EINVAL;	/* truncated */
		f[i] = strtoull(p + 1, &end, 10);
		if (end == p + 1)
			return -EINVAL;
		p = end;
	}
	/* 18 priority, 19 nice, 20 num_threads: optional here */
	for (int i = 0; i < 3 && *p == ' '; i++) {
		char *end;
		unsigned long long v = strtoull(p + 1, &end, 10);

		if (end == p + 1)
			break;
		if (i == 2)
			st->num_threads = (int)v;
		p = end;
	}
	st->ppid = (pid_t)f[1];
	st->pgrp = (pid_t)f[2];
	st->session = (pid_t)f[3];
	st->utime = f[11];
	st->stime = f[12];
	st->cutime = f[13];
	st->cstime = f[14];
	return 0;
}

int hx_proc_stat(pid_t pid, pid_t tid, struct hx_proc_stat *st)
{
	char path[64], buf[1024];
	ssize_t n;

	if (tid > 0)
		snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", (int)pid, (int)tid);
	else
		snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	n = hx_read_file(path, buf, sizeof(buf));
	if (n < 0)
		return (int)n;
	return hx_proc_parse_stat(buf, st);
}

static long status_field(pid_t pid, const char *key, char *out, size_t outlen)
{
	char path[64], buf[4096];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	n = hx_read_file(path, buf, sizeof(buf));
	if (n < 0)
		return n;
	size_t klen = strlen(key);

	for (char *line = buf; line && *line; ) {
		char *nl = strchr(line, '\n');

		if (nl)
			*nl = '\0';
		if (strncmp(line, key, klen) == 0 && line[klen] == ':') {
			const char *v = line + klen + 1;

			while (*v == ' ' || *v == '\t')
				v++;
			snprintf(out, outlen, "%s", v);
			return 0;
		}
		line = nl ? nl + 1 : NULL;
	}
	return -ENOENT;
}

pid_t hx_proc_tgid(pid_t tid)
{
	char v[64];
	long rc = status_field(tid, "Tgid", v, sizeof(v));

	return rc < 0 ? (pid_t)rc : (pid_t)atoi(v);
}

unsigned long hx_proc_vm_kb(pid_t pid)
{
	char v[64];

	return status_field(pid, "VmSize", v, sizeof(v)) < 0 ? 0 : strtoul(v, NULL, 10);
}

pid_t hx_proc_nspid(pid_t pid)
{
	char v[256];
	long rc = status_field(pid, "NSpid", v, sizeof(v));

	if (rc < 0)
		return (pid_t)rc;
	char *last = strrchr(v, '\t');

	if (!last)
		last = strrchr(v, ' ');
	return (pid_t)atoi(last ? last + 1 : v);
}

/* The last number of a line like "NStgid:\t812\t3". */
static pid_t last_number(const char *v)
{
	const char *end = v + strcspn(v, "\n"), *p = end;

	while (p > v && (p[-1] == ' ' || p[-1] == '\t'))
		p--;
	while (p > v && p[-1] >= '0' && p[-1] <= '9')
		p--;
	return p < end ? (pid_t)atoi(p) : 0;
}

int hx_proc_parse_ids(const char *status, struct hx_proc_ids *ids)
{
	static const struct { const char *key; size_t off; } fields[] = {
		{ "\nTgid:", offsetof(struct hx_proc_ids, tgid) },
		{ "\nPPid:", offsetof(struct hx_proc_ids, ppid) },
		{ "\nNStgid:", offsetof(struct hx_proc_ids, ns_tgid) },
	};

	memset(ids, 0, sizeof(*ids));
	if (strncmp(status, "Name:", 5) != 0)
		return -EINVAL;
	const char *v = status + 5 + strspn(status + 5, " \t");

	snprintf(ids->name, sizeof(ids->name), "%.*s", (int)strcspn(v, "\n"), v);
	for (size_t i = 0; i < HX_ARRAY_SIZE(fields); i++) {
		const char *line = strstr(status, fields[i].key);

		if (!line)
			continue;
		*(pid_t *)((char *)ids + fields[i].off) = last_number(line + strlen(fields[i].key));
	}
	/* NStgid came with Linux 4.1; without it, the tgid of our namespace */
	if (!ids->ns_tgid)
		ids->ns_tgid = ids->tgid;
	return ids->tgid > 0 ? 0 : -EINVAL;
}

int hx_proc_ids(pid_t tid, struct hx_proc_ids *ids)
{
	char path[64], buf[4096];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	n = hx_read_file(path, buf, sizeof(buf));
	if (n < 0)
		return (int)n;
	return hx_proc_parse_ids(buf, ids);
}

long hx_proc_pid_max(void)
{
	static long pid_max;

	if (!pid_max) {
		char buf[32];

		pid_max = hx_read_file("/proc/sys/kernel/pid_max", buf, sizeof(buf)) > 0 ? atol(buf) : 0;
		if (pid_max <= 0 || pid_max > HX_PID_MAX)
			pid_max = HX_PID_MAX;
	}
	return pid_max;
}

int hx_proc_zombie_status(pid_t pid, int *status)
{
	char path[64], buf[1024];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	n = hx_read_file(path, buf, sizeof(buf));
	if (n < 0)
		return (int)n;
	const char *p = strrchr(buf, ')');

	/* Field 3 is the state; field 52, the last, the exit code. */
	if (!p || p[1] != ' ' || p[2] != 'Z')
		return -EAGAIN;
	const char *last = buf + n;

	while (last > p && (last[-1] == '\n' || last[-1] == ' '))
		last--;
	while (last > p && last[-1] >= '0' && last[-1] <= '9')
		last--;
	*status = atoi(last);
	return 0;
}

/* The numbers of a /proc/PID/task/TID/children file, appended to out
 * (or only counted, with out NULL). Read in pieces: a process with
 * thousands of children has a long one. */
static int read_pid_list(const char *path, struct hx_pids *out, int *count)
{
	char buf[4096];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	long v = 0;
	bool in_number = false;
	ssize_t n;

	if (fd < 0)
		return -errno;
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;

			close(fd);
			return -e;
		}
		/* A number may go on in the next piece. */
		for (ssize_t i = 0; i < n; i++) {
			if (buf[i] >= '0' && buf[i] <= '9') {
				v = v * 10 + (buf[i] - '0');
				in_number = true;
				continue;
			}
			if (!in_number)
				continue;
			if (out && hx_pids_add(out, (pid_t)v) < 0) {
				close(fd);
				return -ENOMEM;
			}
			++*count;
			v = 0;
			in_number = false;
		}
	}
	close(fd);
	if (in_number) {
		if (out && hx_pids_add(out, (pid_t)v) < 0)
			return -ENOMEM;
		++*count;
	}
	return 0;
}

/* Calls fn for every thread id of pid; returns how many or -errno. */
static int each_thread(pid_t pid, int (*fn)(pid_t pid, pid_t tid, void *arg), void *arg)
{
	char path[64];
	int n = 0;
	DIR *d;
	struct dirent *e;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	d = opendir(path);
	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		int rc = fn(pid, (pid_t)atoi(e->d_name), arg);

		if (rc < 0) {
			closedir(d);
			return rc;
		}
		n++;
	}
	closedir(d);
	return n;
}

static int add_thread(pid_t pid, pid_t tid, void *arg)
{
	(void)pid;
	return hx_pids_add(arg, tid);
}

int hx_proc_threads(pid_t pid, struct hx_pids *out)
{
	out->n = 0;
	int rc = each_thread(pid, add_thread, out);

	if (rc < 0)
		out->n = 0;
	return rc < 0 ? rc : (int)out->n;
}

struct children_of {
	struct hx_pids *out;
	int count;
};

static int add_children(pid_t pid, pid_t tid, void *arg)
{
	struct children_of *c = arg;
	char path[96];
	int rc;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)pid, (int)tid);
	rc = read_pid_list(path, c->out, &c->count);
	/* A thread that just exited has no children file: fine. */
	return rc == -ENOMEM ? rc : 0;
}

/* Appends the children of every thread of pid to out (NULL: counts). */
static int children(pid_t pid, struct hx_pids *out)
{
	struct children_of c = { .out = out };
	int rc = each_thread(pid, add_children, &c);

	return rc < 0 ? rc : c.count;
}

int hx_proc_children(pid_t pid, struct hx_pids *out)
{
	out->n = 0;
	int rc = children(pid, out);

	if (rc < 0)
		out->n = 0;
	return rc;
}

int hx_proc_count_children(pid_t pid)
{
	return children(pid, NULL);
}

int hx_proc_descendants(pid_t root, struct hx_pids *out)
{
	int c = hx_proc_children(root, out);

	if (c < 0)
		return c;
	/* Breadth-first: out doubles as the queue. No process tree holds
	 * more than pid_max processes; more means that lists read at
	 * different times met a reused pid: stop there. */
	for (size_t next = 0; next < out->n && out->n <= HX_PID_MAX; next++) {
		if (children(out->v[next], out) == -ENOMEM) {
			out->n = 0;
			return -ENOMEM;
		}
	}
	return (int)out->n;
}

/* Docker's default seccomp profile refuses process_vm_readv/writev but
 * allows /proc/PID/mem, which the same ptrace check guards. */
static ssize_t proc_mem_file(pid_t pid, uint64_t addr, void *rbuf, const void *wbuf, size_t len)
{
	char path[64];
	int fd;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/mem", (int)pid);
	fd = open(path, (wbuf ? O_WRONLY : O_RDONLY) | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = wbuf ? pwrite(fd, wbuf, len, (off_t)addr) : pread(fd, rbuf, len, (off_t)addr);
	int e = errno;

	close(fd);
	return n < 0 ? -e : n;
}

ssize_t hx_proc_read_mem(pid_t pid, uint64_t addr, void *buf, size_t len)
{
	struct iovec local = { .iov_base = buf, .iov_len = len };
	struct iovec remote = { .iov_base = (void *)(uintptr_t)addr, .iov_len = len };
	ssize_t n = process_vm_readv(pid, &local, 1, &remote, 1, 0);

	if (n >= 0)
		return n;
	if (errno != EPERM && errno != ENOSYS)
		return -errno;
	return proc_mem_file(pid, addr, buf, NULL, len);
}

ssize_t hx_proc_write_mem(pid_t pid, uint64_t addr, const void *buf, size_t len)
{
	struct iovec local = { .iov_base = (void *)(uintptr_t)buf, .iov_len = len };
	struct iovec remote = { .iov_base = (void *)(uintptr_t)addr, .iov_len = len };
	ssize_t n = process_vm_writev(pid, &local, 1, &remote, 1, 0);

	if (n >= 0)
		return n;
	if (errno != EPERM && errno != ENOSYS)
		return -errno;
	return proc_mem_file(pid, addr, NULL, buf, len);
}

/* The hex mask after "name:\t" in a /proc status text; 0 when absent. */
static unsigned long long status_mask(const char *text, const char *name)
{
	const char *p = strstr(text, name);

	return p ? strtoull(p + strlen(name), NULL, 16) : 0;
}

int hx_proc_signal_pending(pid_t tid)
{
	char path[64], buf[4096];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	n = hx_read_file(path, buf, sizeof(buf));
	if (n < 0)
		return (int)n;
	unsigned long long pending = status_mask(buf, "\nSigPnd:") | status_mask(buf, "\nShdPnd:");
	unsigned long long blocked = status_mask(buf, "\nSigBlk:");

	return (pending & ~blocked) != 0;
}

int hx_proc_fd_access(pid_t pid, int fd)
{
	char path[64], buf[512];
	const char *flags;

	snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", (int)pid, fd);
	ssize_t n = hx_read_file(path, buf, sizeof(buf));

	if (n < 0)
		return (int)n;
	flags = strstr(buf, "flags:");
	if (!flags)
		return -EINVAL;
	return (int)(strtoul(flags + strlen("flags:"), NULL, 8) & O_ACCMODE);
}

ssize_t hx_proc_read_string(pid_t pid, uint64_t addr, char *buf, size_t size)
{
	size_t got = 0;

	if (size == 0)
		return -EINVAL;
	/* Read page by page: a string near the end of a mapping must not
	 * fail because the next page is unmapped. */
	while (got + 1 < size) {
		uint64_t a = addr + got;
		size_t chunk = 4096 - (size_t)(a & 4095);

		if (chunk > size - 1 - got)
			chunk = size - 1 - got;
		ssize_t n = hx_proc_read_mem(pid, a, buf + got, chunk);

		if (n <= 0) {
			if (got == 0)
				return n < 0 ? n : -EFAULT;
			break;
		}
		void *nul = memchr(buf + got, '\0', (size_t)n);

		if (nul)
			return (ssize_t)((char *)nul - buf);
		got += (size_t)n;
	}
	buf[got] = '\0';
	return (ssize_t)got;
}

ssize_t hx_proc_fd_link(pid_t pid, int fd, char *buf, size_t size)
{
	char path[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)pid, fd);
	n = readlink(path, buf, size - 1);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return n;
}

unsigned long long hx_proc_ctxt_switches(pid_t pid, pid_t tid)
{
	char path[80], buf[4096];
	unsigned long long total = 0;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/status", (int)pid, (int)tid);
	if (hx_read_file(path, buf, sizeof(buf)) < 0)
		return 0;
	for (char *p = strstr(buf, "ctxt_switches:"); p; p = strstr(p + 1, "ctxt_switches:"))
		total += strtoull(p + strlen("ctxt_switches:"), NULL, 10);
	return total;
}

int hx_read_syscall(pid_t pid, pid_t tid, struct hx_syscall_state *sc)
{
	char path[80], buf[512];

	snprintf(path, sizeof(path), "/proc/%d/task/%d/syscall", (int)pid, (int)tid);
	memset(sc, 0, sizeof(*sc));
	sc->nr = -1;
	if (hx_read_file(path, buf, sizeof(buf)) < 0)
		return -errno;
	/* "running", or "-1 sp pc" (blocked outside a syscall), or
	 * "nr arg0 ... arg5 sp pc" with args in hex. */
	if (strncmp(buf, "running", 7) == 0)
		return 0;
	char *p = buf, *end;

	sc->nr = strtol(p, &end, 10);
	if (end == p)
		sc->nr = -1;
	p = end;
	for (int i = 0; i < 6 && sc->nr >= 0; i++) {
		sc->args[i] = strtoul(p, &end, 16);
		if (end == p)
			return 0;
		p = end;
	}
	if (sc->nr >= 0) {
		sc->sp = strtoul(p, &end, 16);
		if (end != p)
			sc->pc = strtoul(end, NULL, 16);
	}
	return 0;
}

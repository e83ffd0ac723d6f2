/*
 * procfs.c - reading the box's processes from the host's /proc.
 *
 * The supervisor sees box processes by their host pids. Everything here
 * tolerates a process that vanishes between two reads: callers get
 * -ENOENT/-ESRCH and move on.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "internal.h"

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

	/* comm may hold spaces and parentheses: it ends at the last ')'. */
	char *open = strchr(buf, '(');
	char *close = strrchr(buf, ')');

	if (!open || !close || close < open)
		return -EINVAL;
	size_t clen = (size_t)(close - open - 1);

	if (clen >= sizeof(st->comm))
		clen = sizeof(st->comm) - 1;
	memcpy(st->comm, open + 1, clen);
	st->comm[clen] = '\0';

	/* Fields after comm: 3 state, 4 ppid, 5 pgrp, 6 session, ...,
	 * 14 utime, 15 stime, 16 cutime, 17 cstime. */
	char *p = close + 2;
	unsigned long long f[16] = { 0 };
	int field = 3;

	st->state = *p;
	p += 1;
	while (*p && field < 17) {
		while (*p == ' ')
			p++;
		field++;
		f[field - 3 < 16 ? field - 3 : 15] = strtoull(p, &p, 10);
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

int hx_proc_threads(pid_t pid, pid_t *out, int max)
{
	char path[64];
	int n = 0;
	DIR *d;
	struct dirent *e;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	d = opendir(path);
	if (!d)
		return -errno;
	while ((e = readdir(d)) && n < max) {
		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		out[n++] = (pid_t)atoi(e->d_name);
	}
	closedir(d);
	return n;
}

int hx_proc_children(pid_t pid, pid_t *out, int max)
{
	pid_t tids[256] = { 0 };
	int ntids = hx_proc_threads(pid, tids, (int)HX_ARRAY_SIZE(tids));
	int n = 0;

	if (ntids < 0)
		return ntids;
	for (int i = 0; i < ntids; i++) {
		char path[96], buf[8192];

		snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)pid, (int)tids[i]);
		if (hx_read_file(path, buf, sizeof(buf)) < 0)
			continue;
		for (char *p = buf; *p && n < max; ) {
			char *end;
			long v = strtol(p, &end, 10);

			if (end == p)
				break;
			out[n++] = (pid_t)v;
			p = end;
		}
	}
	return n;
}

int hx_proc_descendants(pid_t root, pid_t *out, int max)
{
	int n = 0, next = 0;
	int c = hx_proc_children(root, out, max);

	if (c < 0)
		return c;
	n = c;
	/* Breadth-first: out[] doubles as the queue. */
	while (next < n && n < max) {
		c = hx_proc_children(out[next++], out + n, max - n);
		if (c > 0)
			n += c;
	}
	return n;
}

ssize_t hx_proc_read_mem(pid_t pid, uint64_t addr, void *buf, size_t len)
{
	struct iovec local = { .iov_base = buf, .iov_len = len };
	struct iovec remote = { .iov_base = (void *)(uintptr_t)addr, .iov_len = len };
	ssize_t n = process_vm_readv(pid, &local, 1, &remote, 1, 0);

	if (n >= 0)
		return n;
	/* Docker's default seccomp profile refuses process_vm_readv but
	 * allows /proc/PID/mem, which the same ptrace check guards. */
	if (errno != EPERM && errno != ENOSYS)
		return -errno;
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/mem", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = pread(fd, buf, len, (off_t)addr);
	int e = errno;

	close(fd);
	return n < 0 ? -e : n;
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

/*
 * files.c - files the grader reads and writes on the host.
 *
 * Submissions are untrusted directory trees: a file may be a symlink to
 * /etc/shadow or a FIFO. Everything that reads from them goes through
 * openat with O_NOFOLLOW and checks for regular files.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdarg.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "grader.h"

char *fs_path_join(const char *a, const char *b)
{
	char *s = NULL;
	size_t la = strlen(a);

	if (asprintf(&s, "%s%s%s", a, la && a[la - 1] == '/' ? "" : "/", b) < 0)
		return NULL;
	return s;
}

char *file_read_all(const char *path, size_t *len, size_t max)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	char *buf = NULL;
	size_t got = 0, cap = 0;

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		errno = EINVAL;
		return NULL;
	}
	for (;;) {
		if (got + 4096 + 1 > cap) {
			cap = cap ? cap * 2 : 8192;
			char *grown = realloc(buf, cap);

			if (!grown) {
				free(buf);
				close(fd);
				errno = ENOMEM;
				return NULL;
			}
			buf = grown;
		}
		ssize_t n = read(fd, buf + got, cap - got - 1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;

			free(buf);
			close(fd);
			errno = e;
			return NULL;
		}
		if (n == 0)
			break;
		got += (size_t)n;
		if (got > max) {
			free(buf);
			close(fd);
			errno = EFBIG;
			return NULL;
		}
	}
	close(fd);
	buf[got] = '\0';
	if (len)
		*len = got;
	return buf;
}

int file_write_atomic(const char *path, const char *data, size_t len)
{
	char *tmp = NULL;
	int fd, e = 0;

	if (asprintf(&tmp, "%s.tmp.%d", path, (int)getpid()) < 0)
		return -ENOMEM;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		e = errno;
		free(tmp);
		return -e;
	}
	for (size_t off = 0; off < len; ) {
		ssize_t n = write(fd, data + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			e = n < 0 ? errno : EIO;
			break;
		}
		off += (size_t)n;
	}
	if (!e && fsync(fd) < 0)
		e = errno;
	if (close(fd) < 0 && !e)
		e = errno;
	if (!e && rename(tmp, path) < 0)
		e = errno;
	if (e)
		unlink(tmp);
	free(tmp);
	return -e;
}

char *fs_make_temp_dir(const char *prefix)
{
	const char *base = getenv("TMPDIR");
	char *tmpl = NULL;

	if (!base || !*base)
		base = "/tmp";
	if (asprintf(&tmpl, "%s/ipcgrade-%s-XXXXXX", base, prefix) < 0)
		return NULL;
	if (!mkdtemp(tmpl)) {
		free(tmpl);
		return NULL;
	}
	/* The box's user must be able to reach into it (root case: the
	 * run directory inside is chowned to that user). */
	chmod(tmpl, 0711);
	return tmpl;
}

static int remove_at(int dirfd, const char *name, int depth)
{
	if (unlinkat(dirfd, name, 0) == 0)
		return 0;
	if ((errno != EISDIR && errno != EPERM) || depth > 64)
		return errno == ENOENT ? 0 : -errno;
	int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	DIR *d = fdopendir(fd);
	struct dirent *e;

	if (!d) {
		close(fd);
		return -errno;
	}
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			remove_at(fd, e->d_name, depth + 1);
	closedir(d);
	return unlinkat(dirfd, name, AT_REMOVEDIR) < 0 ? -errno : 0;
}

int fs_remove_tree(const char *path)
{
	if (!path || !*path || strcmp(path, "/") == 0)
		return -EINVAL;
	return remove_at(AT_FDCWD, path, 0);
}

/* Open name below dir without following any symbolic link on the way
 * (openat2's RESOLVE_NO_SYMLINKS | RESOLVE_BENEATH, Linux 5.6+), or at
 * least not the last one where openat2 is missing. */
static int open_beneath(int dir, const char *name, int flags)
{
	struct open_how how = {
		.flags = (unsigned long long)(flags | O_NOFOLLOW),
		.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS,
	};
	int fd = (int)syscall(SYS_openat2, dir, name, &how, sizeof(how));

	if (fd >= 0 || (errno != ENOSYS && errno != EPERM))
		return fd;
	return openat(dir, name, flags | O_NOFOLLOW);
}

int fs_copy_file(int srcdir, const char *name, int dstdir, const char *dstname, mode_t mode,
		     char *err, size_t errlen)
{
	int in = open_beneath(srcdir, name, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	int out = -1, rc = 0;
	struct stat st;
	char buf[65536];

	if (in < 0) {
		if (errno == ELOOP)
			snprintf(err, errlen, "'%s' is a symbolic link; submit the file itself", name);
		else
			snprintf(err, errlen, "cannot open '%s': %s", name, strerror(errno));
		return -1;
	}
	if (fstat(in, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "'%s' is not a regular file", name);
		close(in);
		return -1;
	}
	out = openat(dstdir, dstname, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	if (out < 0) {
		snprintf(err, errlen, "cannot create '%s': %s", dstname, strerror(errno));
		close(in);
		return -1;
	}
	for (;;) {
		ssize_t n = read(in, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n < 0) {
				snprintf(err, errlen, "cannot read '%s': %s", name, strerror(errno));
				rc = -1;
			}
			break;
		}
		if (write(out, buf, (size_t)n) != n) {
			snprintf(err, errlen, "cannot write '%s': %s", dstname, strerror(errno));
			rc = -1;
			break;
		}
	}
	close(in);
	close(out);
	return rc;
}

/* Copies the folder at src (fd) into the new folder dst: regular files
 * and folders only, modes kept, at most max_bytes in all. */
static int copy_tree_at(int src, int dstdir, const char *dstname, mode_t mode, int depth,
			size_t *budget)
{
	char err[256];
	int d, rc = 0;

	if (depth > 16)
		return -ELOOP;
	if (mkdirat(dstdir, dstname, mode & 0755) < 0)
		return -errno;
	d = openat(dstdir, dstname, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	DIR *dir = d >= 0 ? fdopendir(dup(src)) : NULL;
	struct dirent *e;

	if (!dir)
		rc = -errno;
	while (rc == 0 && dir && (e = readdir(dir))) {
		struct stat st;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 ||
		    fstatat(src, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (S_ISREG(st.st_mode)) {
			if ((size_t)st.st_size > *budget)
				rc = -EFBIG;
			else if (fs_copy_file(src, e->d_name, d, e->d_name, st.st_mode & 0755,
						  err, sizeof(err)) < 0)
				rc = -EIO;
			else
				*budget -= (size_t)st.st_size;
		} else if (S_ISDIR(st.st_mode)) {
			int sub = openat(src, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

			rc = sub < 0 ? -errno : copy_tree_at(sub, d, e->d_name, st.st_mode, depth + 1, budget);
			if (sub >= 0)
				close(sub);
		}
	}
	if (dir)
		closedir(dir);
	if (d >= 0)
		close(d);
	return rc;
}

int fs_copy_tree(const char *src, const char *dst, size_t max_bytes)
{
	int s = open(src, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct stat st;
	int rc;

	if (s < 0)
		return -errno;
	rc = fstat(s, &st) < 0 ? -errno : copy_tree_at(s, AT_FDCWD, dst, st.st_mode, 0, &max_bytes);
	close(s);
	return rc;
}

bool fs_others_can_read(const char *path)
{
	char buf[PATH_MAX];
	struct stat st;

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf) || buf[0] != '/')
		return false;
	/* Every folder on the way needs search permission for others, the
	 * folder itself read permission too. */
	if (stat(buf, &st) < 0 || (st.st_mode & (S_IROTH | S_IXOTH)) != (S_IROTH | S_IXOTH))
		return false;
	for (char *slash = strrchr(buf, '/'); slash && slash != buf; slash = strrchr(buf, '/')) {
		*slash = '\0';
		if (stat(buf, &st) < 0 || !(st.st_mode & S_IXOTH))
			return false;
	}
	return true;
}

void hash_sha256_hex(const void *data, size_t len, char out[65])
{
	struct sha256_ctx ctx;
	uint8_t digest[SHA256_DIGEST_SIZE];

	sha256_init(&ctx);
	sha256_update(&ctx, len, data);
	sha256_digest(&ctx, sizeof(digest), digest);
	for (size_t i = 0; i < sizeof(digest); i++)
		snprintf(out + 2 * i, 3, "%02x", digest[i]);
}

bool term_color(FILE *f)
{
	const char *nc = getenv("NO_COLOR");

	if (nc && *nc)
		return false;
	return isatty(fileno(f)) == 1;
}

uint64_t term_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

char *str_printf(const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	return s;
}

/*
 * fs.c - the host's folders, handled safely (see fs.h).
 *
 * Submissions are untrusted directory trees: a file may be a symlink to
 * /etc/shadow or a FIFO. Everything that reads from them goes through
 * openat with O_NOFOLLOW and checks for regular files.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fs.h"

/* Deeper than this, a tree is refused (remove: -ELOOP is never hit by
 * our own folders; copy: a spec's folder is shallow). */
#define REMOVE_MAX_DEPTH 64
#define COPY_MAX_DEPTH 16

char *fs_path_join(const char *a, const char *b)
{
	char *s = NULL;
	size_t la = strlen(a);

	if (asprintf(&s, "%s%s%s", a, la && a[la - 1] == '/' ? "" : "/", b) < 0)
		return NULL;
	return s;
}

int fs_make_temp_dir(const char *prefix, char **out)
{
	const char *base = getenv("TMPDIR");
	char *tmpl = NULL;

	*out = NULL;
	if (!base || !*base)
		base = "/tmp";
	if (asprintf(&tmpl, "%s/ipcgrade-%s-XXXXXX", base, prefix) < 0)
		return -ENOMEM;
	if (!mkdtemp(tmpl)) {
		int e = errno;

		free(tmpl);
		return -e;
	}
	/* The box's user must be able to reach into it (root case: the
	 * run directory inside is chowned to that user). */
	if (chmod(tmpl, 0711) < 0) {
		int e = errno;

		rmdir(tmpl);
		free(tmpl);
		return -e;
	}
	*out = tmpl;
	return 0;
}

int fs_mkdir_p(const char *path)
{
	char *p = strdup(path);

	if (!p)
		return -ENOMEM;
	for (char *q = p + 1; *q; q++) {
		if (*q != '/')
			continue;
		*q = '\0';
		/* A missing parent shows in the last mkdir's error. */
		(void)mkdir(p, 0755);
		*q = '/';
	}
	int rc = mkdir(p, 0755) < 0 && errno != EEXIST ? -errno : 0;

	free(p);
	return rc;
}

int fs_mkdirs_at(int dfd, const char *rel)
{
	char *copy = strdup(rel);

	if (!copy)
		return -ENOMEM;
	for (char *p = copy; (p = strchr(p, '/')); p++) {
		*p = '\0';
		if (mkdirat(dfd, copy, 0755) < 0 && errno != EEXIST) {
			free(copy);
			return -errno;
		}
		*p = '/';
	}
	free(copy);
	return 0;
}

static int remove_at(int dirfd, const char *name, int depth)
{
	if (unlinkat(dirfd, name, 0) == 0)
		return 0;
	if ((errno != EISDIR && errno != EPERM) || depth > REMOVE_MAX_DEPTH)
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
	/* What cannot be removed shows in the rmdir below. */
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			(void)remove_at(fd, e->d_name, depth + 1);
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
		rc = -errno;
		if (errno == ELOOP)
			snprintf(err, errlen, "'%s' is a symbolic link; submit the file itself", name);
		else
			snprintf(err, errlen, "cannot open '%s': %s", name, strerror(errno));
		return rc;
	}
	if (fstat(in, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "'%s' is not a regular file", name);
		close(in);
		return -EINVAL;
	}
	out = openat(dstdir, dstname, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	if (out < 0) {
		rc = -errno;
		snprintf(err, errlen, "cannot create '%s': %s", dstname, strerror(errno));
		close(in);
		return rc;
	}
	for (;;) {
		ssize_t n = read(in, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n < 0) {
				rc = -errno;
				snprintf(err, errlen, "cannot read '%s': %s", name, strerror(errno));
			}
			break;
		}
		if (write(out, buf, (size_t)n) != n) {
			rc = errno ? -errno : -EIO;
			snprintf(err, errlen, "cannot write '%s': %s", dstname, strerror(errno));
			break;
		}
	}
	close(in);
	if (close(out) < 0 && rc == 0) {
		rc = -errno;
		snprintf(err, errlen, "cannot write '%s': %s", dstname, strerror(errno));
	}
	return rc;
}

int fs_copy_file_into(const char *path, int dstdir, const char *dstname, mode_t mode, char *err,
		      size_t errlen)
{
	char *folder = strdup(path), *file = strdup(path);
	int src = -1, rc;

	if (!folder || !file) {
		rc = -ENOMEM;
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	src = open(dirname(folder), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (src < 0) {
		rc = -errno;
		snprintf(err, errlen, "cannot open the folder of '%s': %s", path, strerror(errno));
		goto out;
	}
	const char *base = basename(file);

	rc = fs_copy_file(src, base, dstdir, dstname ? dstname : base, mode, err, errlen);
out:
	if (src >= 0)
		close(src);
	free(folder);
	free(file);
	return rc;
}

int fs_copy_dir_files(const char *from, const char *to, unsigned flags, char *err, size_t errlen)
{
	int s = open(from, O_RDONLY | O_DIRECTORY | O_CLOEXEC), d = -1;
	DIR *dir = NULL;
	struct dirent *e;
	char skipped[256];
	int rc = 0;

	if (s >= 0) {
		/* An existing folder is fine: its failure shows in the open. */
		(void)mkdir(to, 0755);
		d = open(to, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		dir = d >= 0 ? fdopendir(dup(s)) : NULL;
	}
	if (!dir) {
		rc = -errno;
		snprintf(err, errlen, "cannot copy %s to %s: %s", from, to, strerror(errno));
		goto out;
	}
	while (rc == 0 && (e = readdir(dir))) {
		if (e->d_name[0] == '.' || e->d_type != DT_REG)
			continue;
		if (flags & FS_COPY_REPLACE)
			(void)unlinkat(d, e->d_name, 0);	/* gone or not: the copy tells */
		if (flags & FS_COPY_BEST_EFFORT)
			(void)fs_copy_file(s, e->d_name, d, e->d_name, 0644, skipped, sizeof(skipped));
		else
			rc = fs_copy_file(s, e->d_name, d, e->d_name, 0644, err, errlen);
	}
	closedir(dir);
out:
	if (s >= 0)
		close(s);
	if (d >= 0)
		close(d);
	return rc;
}

/* Copies the folder at src (fd) into the new folder dst: regular files
 * and folders only, modes kept, at most *budget bytes in all. */
static int copy_tree_at(int src, int dstdir, const char *dstname, mode_t mode, int depth,
			size_t *budget)
{
	char err[256];
	int d, rc = 0;

	if (depth > COPY_MAX_DEPTH)
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

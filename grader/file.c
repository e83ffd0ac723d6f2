/*
 * file.c - whole files in and out (see file.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file.h"
#include "fs.h"

#define READ_CHUNK 4096
#define READ_FIRST_CAP 8192

int file_read_all(const char *path, size_t max, char **data, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	char *buf = NULL;
	size_t got = 0, cap = 0;
	int rc = 0;

	*data = NULL;
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -EINVAL;
	}
	for (;;) {
		if (got + READ_CHUNK + 1 > cap) {
			cap = cap ? cap * 2 : READ_FIRST_CAP;
			char *grown = realloc(buf, cap);

			if (!grown) {
				rc = -ENOMEM;
				break;
			}
			buf = grown;
		}
		ssize_t n = read(fd, buf + got, cap - got - 1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = -errno;
			break;
		}
		if (n == 0)
			break;
		got += (size_t)n;
		if (got > max) {
			rc = -EFBIG;
			break;
		}
	}
	close(fd);
	if (rc < 0) {
		free(buf);
		return rc;
	}
	buf[got] = '\0';
	*data = buf;
	if (len)
		*len = got;
	return 0;
}

int file_read_beneath(const char *dir, const char *name, size_t max, char **data, size_t *len,
		      const char **why)
{
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int fd = dfd < 0 ? -1 : openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	struct stat st;
	char *buf = NULL;
	int rc = 0;

	*data = NULL;
	*why = "the program did not create it";
	if (fd < 0) {
		rc = -errno;
		if (errno == ELOOP)
			*why = "it is a symbolic link, not a file";
		goto out;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		rc = -EINVAL;
		*why = "it is not a regular file";
		goto out;
	}
	if ((size_t)st.st_size > max) {
		rc = -EFBIG;
		*why = "it is larger than the output limit";
		goto out;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		rc = -ENOMEM;
		goto out;
	}
	*len = 0;
	while (*len < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + *len, (size_t)st.st_size - *len);

		if (n <= 0)
			break;	/* it shrank: what was read is what there is */
		*len += (size_t)n;
	}
	buf[*len] = '\0';
	*data = buf;
out:
	if (fd >= 0)
		close(fd);
	if (dfd >= 0)
		close(dfd);
	return rc;
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
		(void)unlink(tmp);	/* best effort: the error is e */
	free(tmp);
	return -e;
}

int file_write_in(const char *dir, const char *name, const char *data, size_t len)
{
	char *path = fs_path_join(dir, name);
	int rc = path ? file_write_atomic(path, data, len) : -ENOMEM;

	free(path);
	return rc;
}

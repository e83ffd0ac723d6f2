/*
 * slot.c - a box slot: what each concurrent run has of its own on this
 * machine. As root, slot N runs the submission as uid and gid 60000 + N
 * (isolate's scheme), so concurrent runs can neither signal nor read
 * each other; otherwise every slot is our own user. A slot is held by
 * an flock on a file of the lock directory while its run lasts, so
 * concurrent ipcgrade processes never share one; the kernel drops the
 * lock when its holder dies.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "run.h"

int hx_lock_dir(char *buf, size_t size)
{
	const char *rt = getenv("XDG_RUNTIME_DIR");
	struct stat st;

	if (geteuid() == 0)
		snprintf(buf, size, "/run/ipcgrade");
	else if (rt && *rt)
		snprintf(buf, size, "%s/ipcgrade", rt);
	else
		snprintf(buf, size, "/tmp/ipcgrade-locks-%d", (int)getuid());
	if (mkdir(buf, 0700) < 0 && errno != EEXIST)
		return -errno;
	/* Never trust a directory someone else planted. */
	if (lstat(buf, &st) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 022))
		return -EPERM;
	return 0;
}

int hx_slot_acquire(struct hx_slot *s, char *err, size_t errlen)
{
	char dir[256], path[320];
	int rc = hx_lock_dir(dir, sizeof(dir));

	s->index = -1;
	s->fd = -1;
	if (rc < 0)
		return hx_fail(err, errlen, rc, "cannot use the lock directory '%s': %s", dir,
			       strerror(-rc));
	for (int i = 0; i < HX_SLOTS; i++) {
		snprintf(path, sizeof(path), "%s/slot-%d", dir, i);
		int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);

		if (fd < 0)
			return hx_fail(err, errlen, errno, "cannot open '%s': %s", path, strerror(errno));
		if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
			s->index = i;
			s->fd = fd;
			break;
		}
		close(fd);
	}
	if (s->fd < 0)
		return hx_fail(err, errlen, EBUSY, "all %d box slots are in use", HX_SLOTS);
	/* The submission never runs as root. */
	if (geteuid() == 0) {
		s->uid = HX_UID_BASE + (uid_t)s->index;
		s->gid = HX_UID_BASE + (gid_t)s->index;
	} else {
		s->uid = getuid();
		s->gid = getgid();
	}
	return 0;
}

void hx_slot_release(struct hx_slot *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}

/* Give the box's user a directory tree. Symlinks are never followed. */
static int chown_tree(int dirfd, uid_t uid, gid_t gid, int depth)
{
	DIR *d;
	struct dirent *e;
	int fd = dup(dirfd);

	if (fd < 0)
		return -errno;
	if (fchown(dirfd, uid, gid) < 0) {
		close(fd);
		return -errno;
	}
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -errno;
	}
	while ((e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (fchownat(dirfd, e->d_name, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (e->d_type == DT_DIR && depth < 8) {
			int sub = openat(dirfd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

			if (sub >= 0) {
				chown_tree(sub, uid, gid, depth + 1);
				close(sub);
			}
		}
	}
	closedir(d);
	return 0;
}

int hx_slot_give_dir(const struct hx_slot *s, const char *dir, char *err, size_t errlen)
{
	if (geteuid() != 0)
		return 0;	/* the box runs as us */
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc = dfd < 0 ? -errno : chown_tree(dfd, s->uid, s->gid, 0);

	if (dfd >= 0)
		close(dfd);
	if (rc < 0)
		return hx_fail(err, errlen, rc, "cannot give '%s' to the box's user: %s", dir,
			       strerror(-rc));
	return 0;
}

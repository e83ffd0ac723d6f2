/*
 * reduced_host.c - what reduced isolation does on the host around a run.
 *
 * Without namespaces the box shares the host's IPC objects, /dev/shm and
 * /tmp. So reduced runs take turns (one lock for the whole machine), and
 * the supervisor makes itself undumpable for the run: same-user
 * processes of the box must not read or write its memory through /proc.
 * It is a child subreaper for the run too: the box's init is the
 * subreaper of the box, but if it dies first, what it leaves comes to
 * the supervisor, which kills and reaps it, instead of becoming a zombie
 * of whoever started ipcgrade. Both flags are put back afterwards (a full
 * run as an ordinary user needs to be dumpable to map its box's user).
 *
 * What the run makes (files of /dev/shm, FIFOs, queues, SysV objects) is
 * recorded from the tracer's notifications (created.c) and is what the
 * run reports and removes, whether or not /dev/mqueue is mounted; a
 * queue file system we hold (/dev/mqueue, or our own mount of it) lets
 * Landlock allow queues at all. A diff of the box user's objects before
 * and after is only a cross-check (ipc_diff). The new entries of /tmp
 * that the box's own uid owns are removed (only when that uid is not
 * ours).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "run.h"

void hx_reduced_init(struct hx_reduced_host *h)
{
	memset(h, 0, sizeof(*h));
	h->lock_fd = -1;
	h->mq_fd = -1;
}

int hx_reduced_begin(struct hx_reduced_host *h, const volatile sig_atomic_t *cancel,
		     char *err, size_t errlen)
{
	char dir[256], path[320];
	int rc = hx_lock_dir(dir, sizeof(dir));
	uint64_t asked_us = hx_now_us();

	if (rc < 0)
		return hx_fail(err, errlen, rc, "cannot use the lock directory '%s'", dir);
	/* Runs take turns, so they never see each other's named objects. */
	snprintf(path, sizeof(path), "%s/reduced.lock", dir);
	h->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (h->lock_fd < 0)
		return hx_fail(err, errlen, errno, "cannot open '%s': %s", path, strerror(errno));
	while (flock(h->lock_fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno != EWOULDBLOCK)
			return hx_fail(err, errlen, errno, "cannot lock '%s'", path);
		if (cancel && *cancel)
			return -ECANCELED;
		usleep(5000);
	}
	h->waited_us = hx_now_us() - asked_us;
	h->old_dumpable = prctl(PR_GET_DUMPABLE);
	if (prctl(PR_GET_CHILD_SUBREAPER, &h->old_subreaper) < 0)
		h->old_subreaper = 0;
	if (hx_proc_children(getpid(), &h->own_children) < 0)
		return hx_fail(err, errlen, ENOMEM, "cannot list our own children");
	h->began = true;
	/* The host's queues, whether or not /dev/mqueue is mounted: for
	 * Landlock's rule, and to look them up. */
	h->mq_fd = hx_ipc_mqueue_dir();
	if (h->mq_fd < 0) {
		h->mq_err = -h->mq_fd;
		h->mq_fd = -1;
	}
	/* Same-user processes of the box must not read or write our
	 * memory through /proc. */
	prctl(PR_SET_DUMPABLE, 0);
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
		return hx_fail(err, errlen, errno, "cannot become a child subreaper: %s", strerror(errno));
	return 0;
}

static bool was_ours(const struct hx_reduced_host *h, pid_t pid)
{
	for (size_t i = 0; i < h->own_children.n; i++)
		if (h->own_children.v[i] == pid)
			return true;
	return false;
}

void hx_reduced_sweep_adopted(struct hx_reduced_host *h, pid_t init_pid)
{
	struct hx_pids kids = { 0 }, tree = { 0 };

	if (!h->began)
		return;
	/* Each round kills what came to us and what is below it; what
	 * they leave comes to us in turn. */
	for (int round = 0; round < 200; round++) {
		int adopted = 0, st;

		if (hx_proc_children(getpid(), &kids) < 0)
			break;
		for (size_t i = 0; i < kids.n; i++) {
			pid_t pid = kids.v[i];

			if (pid == init_pid || was_ours(h, pid))
				continue;
			adopted++;
			if (hx_proc_descendants(pid, &tree) > 0)
				for (size_t k = 0; k < tree.n; k++)
					kill(tree.v[k], SIGKILL);
			kill(pid, SIGKILL);
			waitpid(pid, &st, WNOHANG | __WALL);
		}
		if (!adopted)
			break;
		usleep(1000);
	}
	hx_pids_release(&kids);
	hx_pids_release(&tree);
}

static void tmp_snapshot(struct hx_reduced_host *h)
{
	DIR *d = opendir("/tmp");
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		char **grown = realloc(h->tmp_before, (h->ntmp_before + 1) * sizeof(*grown));

		if (!grown)
			break;
		h->tmp_before = grown;
		h->tmp_before[h->ntmp_before] = hx_strdup(e->d_name);
		if (h->tmp_before[h->ntmp_before])
			h->ntmp_before++;
	}
	closedir(d);
}

int hx_reduced_snapshot(struct hx_reduced_host *h, uid_t box_uid, const char *workdir)
{
	h->box_uid = box_uid;
	h->created = hx_created_new(box_uid, h->mq_fd, workdir);
	if (!h->created)
		return -ENOMEM;
	hx_ipc_snapshot(&h->ipc_before, box_uid, h->mq_fd);
	tmp_snapshot(h);
	return 0;
}

/* The cross-check: the box user's objects that are new since the run
 * started and that the record of what it made did not account for (a
 * name changed in memory after we read it, more names than we keep). */
static void ipc_diff(struct hx_reduced_host *h, struct hx_result *res)
{
	struct hx_ipc_snapshot after;
	bool root = geteuid() == 0;

	hx_ipc_snapshot(&after, h->box_uid, h->mq_fd);
	for (size_t i = 0; i < after.n; i++) {
		bool old = false;

		for (size_t j = 0; j < h->ipc_before.n && !old; j++)
			old = strcmp(after.names[i], h->ipc_before.names[j]) == 0;
		char *tab = strchr(after.names[i], '\t');

		if (old || !tab)
			continue;
		*tab = '\0';
		const char *kind = after.names[i], *name = tab + 1;

		if (hx_result_has_ipc_left(res, kind, name))
			continue;
		if (!root) {
			hx_result_add_note(res, "%s %s appeared during the run, owned by you, but the run "
					   "was not seen making it: left in place", kind, name);
			continue;
		}
		/* as root only the run has the box's uid */
		if (hx_ipc_remove(kind, name) == 0) {
			hx_result_add_ipc_left(res, kind, name);
			hx_result_add_note(res, "%s %s: the run was not seen making it, yet it is the box "
					   "user's and new: removed", kind, name);
		}
	}
	hx_ipc_snapshot_release(&after);
}

static void remove_tree_at(int dirfd, const char *name, int depth)
{
	if (unlinkat(dirfd, name, 0) == 0 || errno != EISDIR || depth > 16)
		return;
	int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd >= 0) {
		DIR *d = fdopendir(fd);
		struct dirent *e;

		if (d) {
			while ((e = readdir(d)))
				if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
					remove_tree_at(fd, e->d_name, depth + 1);
			closedir(d);
		} else {
			close(fd);
		}
	}
	unlinkat(dirfd, name, AT_REMOVEDIR);
}

/* Remove what the run put in the host's /tmp: new entries owned by the
 * box's own user. Only when that user is not ours (we run as root): then
 * nothing else can own them. Run as an ordinary user, the box is that
 * user, and deleting "their new files in /tmp" could hit files their
 * other programs made meanwhile: we leave /tmp alone then. */
static void tmp_cleanup(const struct hx_reduced_host *h)
{
	int dfd = open("/tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d;
	struct dirent *e;

	if (dfd < 0 || h->box_uid == getuid()) {
		if (dfd >= 0)
			close(dfd);
		return;
	}
	d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return;
	}
	while ((e = readdir(d))) {
		struct stat st;
		bool old = false;

		for (size_t i = 0; i < h->ntmp_before && !old; i++)
			old = strcmp(h->tmp_before[i], e->d_name) == 0;
		if (old)
			continue;
		if (fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || st.st_uid != h->box_uid)
			continue;
		remove_tree_at(dfd, e->d_name, 0);
	}
	closedir(d);
}

void hx_reduced_cleanup(struct hx_reduced_host *h, struct hx_result *res)
{
	if (h->created)
		hx_created_finish(h->created, res);
	ipc_diff(h, res);
	tmp_cleanup(h);
}

void hx_reduced_release(struct hx_reduced_host *h)
{
	if (h->began) {
		prctl(PR_SET_CHILD_SUBREAPER, h->old_subreaper);
		if (h->old_dumpable == 0 || h->old_dumpable == 1)
			prctl(PR_SET_DUMPABLE, h->old_dumpable);
	}
	hx_pids_release(&h->own_children);
	hx_created_free(h->created);
	if (h->mq_fd >= 0)
		close(h->mq_fd);
	hx_ipc_snapshot_release(&h->ipc_before);
	for (size_t i = 0; i < h->ntmp_before; i++)
		free(h->tmp_before[i]);
	free(h->tmp_before);
	if (h->lock_fd >= 0)
		close(h->lock_fd);
	hx_reduced_init(h);
}

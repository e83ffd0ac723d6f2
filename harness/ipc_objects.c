/*
 * ipc_objects.c - finding and removing the IPC objects a run leaves.
 *
 * POSIX shared memory and named semaphores are files in /dev/shm
 * ("sem.NAME" for semaphores), POSIX queues are files of the mqueue
 * filesystem, System V objects are listed in /proc/sysvipc. In full
 * isolation the box's init lists them inside its own namespaces (they
 * vanish with the box). In reduced isolation the supervisor removes what
 * the run made (created.c) and diffs the host's lists, owner by owner,
 * as a cross-check (reduced_host.c).
 *
 * The mqueue filesystem of our IPC namespace need not be mounted
 * anywhere (/dev/mqueue is missing in many VMs and containers): as root
 * we make a mount of our own that is attached nowhere (fsopen/fsmount),
 * so it needs no mount point and changes no mount namespace.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/mount.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "internal.h"

#define MQUEUE_MAGIC 0x19800202

int hx_ipc_mqueue_dir(void)
{
	int fd = open("/dev/mqueue", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct statfs sf;

	if (fd >= 0 && fstatfs(fd, &sf) == 0 && sf.f_type == MQUEUE_MAGIC)
		return fd;
	if (fd >= 0)
		close(fd);
	int fs = fsopen("mqueue", FSOPEN_CLOEXEC), mnt = -1, e;

	if (fs < 0)
		return -errno;
	if (fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) == 0)
		mnt = fsmount(fs, FSMOUNT_CLOEXEC, 0);
	e = errno;
	close(fs);
	if (mnt < 0)
		return -e;
	/* the directory holds the mount for as long as it is open */
	fd = openat(mnt, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	e = errno;
	close(mnt);
	return fd < 0 ? -e : fd;
}

/* at >= 0: list that open directory, else the path dir. */
static void visit_dir(const char *dir, int at, hx_ipc_visit_fn fn, void *arg, bool shm, uid_t owner)
{
	int fd = at >= 0 ? openat(at, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC) :
		 open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *e;
	char name[300];

	if (!d) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((e = readdir(d))) {
		struct stat st;

		if (e->d_name[0] == '.')
			continue;
		if (owner != (uid_t)-1 &&
		    (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || st.st_uid != owner))
			continue;
		if (shm && strncmp(e->d_name, "sem.", 4) == 0) {
			snprintf(name, sizeof(name), "/%s", e->d_name + 4);
			fn("posix_sem", name, arg);
		} else {
			snprintf(name, sizeof(name), "/%s", e->d_name);
			fn(shm ? "posix_shm" : "posix_mq", name, arg);
		}
	}
	closedir(d);
}

int hx_sysvipc_each(const char *file, bool (*fn)(const long long *col, int ncol, void *arg), void *arg)
{
	FILE *f = fopen(file, "re");
	char line[512];

	if (!f)
		return -errno;
	if (!fgets(line, sizeof(line), f)) {
		fclose(f);
		return 0;
	}
	while (fgets(line, sizeof(line), f)) {
		long long col[HX_SYSVIPC_COLS] = { 0 };
		int ncol = 0;
		char *p = line;

		while (ncol < HX_SYSVIPC_COLS) {
			char *end;
			long long v = strtoll(p, &end, 10);

			if (end == p)
				break;
			col[ncol++] = v;
			p = end;
		}
		if (fn(col, ncol, arg))
			break;
	}
	fclose(f);
	return 0;
}

struct sysv_visit {
	const char *kind;
	int uid_col;
	uid_t owner;
	hx_ipc_visit_fn fn;
	void *arg;
};

static bool visit_sysv_row(const long long *col, int ncol, void *arg)
{
	const struct sysv_visit *v = arg;
	char name[64];

	if (ncol <= v->uid_col || (v->owner != (uid_t)-1 && (uid_t)col[v->uid_col] != v->owner))
		return false;
	snprintf(name, sizeof(name), "id %lld key 0x%08llx", col[1], (unsigned long long)(unsigned int)col[0]);
	v->fn(v->kind, name, v->arg);
	return false;
}

/* /proc/sysvipc/{shm,sem,msg}: "key id perms ... uid" with the creator's
 * uid in a column whose index depends on the file. */
static void visit_sysv(const char *file, const char *kind, int uid_col, uid_t owner,
		       hx_ipc_visit_fn fn, void *arg)
{
	struct sysv_visit v = { .kind = kind, .uid_col = uid_col, .owner = owner, .fn = fn, .arg = arg };

	hx_sysvipc_each(file, visit_sysv_row, &v);
}

struct visit_ctx {
	hx_ipc_visit_fn fn;
	void *arg;
	uid_t owner;
};

static void visit_all(hx_ipc_visit_fn fn, void *arg, uid_t owner, int mq_fd)
{
	visit_dir("/dev/shm", -1, fn, arg, true, owner);
	visit_dir("/dev/mqueue", mq_fd, fn, arg, false, owner);
	/* The creator's uid (cuid) is column 9 of shm (key shmid perms size
	 * cpid lpid nattch uid gid cuid), 6 of sem (key semid perms nsems
	 * uid gid cuid) and 9 of msg (key msqid perms cbytes qnum lspid
	 * lrpid uid gid cuid). */
	visit_sysv("/proc/sysvipc/shm", "sysv_shm", 9, owner, fn, arg);
	visit_sysv("/proc/sysvipc/sem", "sysv_sem", 6, owner, fn, arg);
	visit_sysv("/proc/sysvipc/msg", "sysv_msg", 9, owner, fn, arg);
}

void hx_ipc_visit(hx_ipc_visit_fn fn, void *arg)
{
	visit_all(fn, arg, (uid_t)-1, -1);
}

static void add_to_snapshot(const char *kind, const char *name, void *arg)
{
	struct hx_ipc_snapshot *s = arg;
	char **grown = realloc(s->names, (s->n + 1) * sizeof(*grown));

	if (!grown)
		return;
	s->names = grown;
	s->names[s->n] = hx_strdup_printf("%s\t%s", kind, name);
	if (s->names[s->n])
		s->n++;
}

int hx_ipc_snapshot(struct hx_ipc_snapshot *s, uid_t owner, int mq_fd)
{
	memset(s, 0, sizeof(*s));
	visit_all(add_to_snapshot, s, owner, mq_fd);
	return 0;
}

void hx_ipc_snapshot_release(struct hx_ipc_snapshot *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->names[i]);
	free(s->names);
	memset(s, 0, sizeof(*s));
}

int hx_ipc_remove(const char *kind, const char *name)
{
	char path[320];
	long long id = -1;

	if (strncmp(kind, "sysv_", 5) == 0 && sscanf(name, "id %lld", &id) != 1)
		return -EINVAL;
	if (strcmp(kind, "posix_shm") == 0) {
		snprintf(path, sizeof(path), "/dev/shm%s", name);
		return unlink(path) < 0 ? -errno : 0;
	}
	if (strcmp(kind, "posix_sem") == 0) {
		snprintf(path, sizeof(path), "/dev/shm/sem.%s", name + 1);
		return unlink(path) < 0 ? -errno : 0;
	}
	if (strcmp(kind, "posix_mq") == 0)
		return mq_unlink(name) < 0 ? -errno : 0;
	if (strcmp(kind, "sysv_shm") == 0)
		return shmctl((int)id, IPC_RMID, NULL) < 0 ? -errno : 0;
	if (strcmp(kind, "sysv_sem") == 0)
		return semctl((int)id, 0, IPC_RMID) < 0 ? -errno : 0;
	if (strcmp(kind, "sysv_msg") == 0)
		return msgctl((int)id, IPC_RMID, NULL) < 0 ? -errno : 0;
	return -EINVAL;
}

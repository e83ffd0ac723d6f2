/*
 * created.c - what a reduced run makes on the host, from the tracer's
 * notifications, so that exactly that is reported and removed.
 *
 * Without an IPC namespace the run's objects live among the host's, and
 * diffing the host before and after a run blames whatever appeared
 * meanwhile (another user's /dev/shm file, a queue). Instead, the policy
 * notifies every call of a reduced box that may create an object
 * (policy_table.c, CREATES): O_CREAT opens, links, renames, mkdir and
 * mknod for files of /dev/shm (shm_open, sem_open) and FIFOs anywhere,
 * mq_open with O_CREAT, and shmget/semget/msgget with IPC_CREAT or
 * IPC_PRIVATE. A notification comes before the call runs, and the call
 * waits for our answer: we note the name (or key) and whether an object
 * of that name exists now, and which one (inode, or SysV id).
 *
 * When the run is over, an object is the run's when it exists, belongs
 * to the box's user, and either some notification found its name free,
 * or it is another object than the one found there (the run removed
 * the old one and made its own: names unlinked and made again). So a
 * host object made during the run under a name the run never tried to
 * create is not looked at, and one that was there before, and still is,
 * stays; as root the box's uid is the run's own, which settles the rest.
 * As an ordinary user the box is that user: an object of that user made
 * under exactly the name of a failed create of the run, after it, would
 * be taken for the run's.
 *
 * IPC_PRIVATE objects have no name; their ids are only known after the
 * call. They are found by creator (the box's uid) among those that did
 * not exist at the first such call (and are no older), no more of them
 * than there were calls; for shared memory, those whose creator pid is a
 * process that made such a call first.
 *
 * Queues are looked up in the mqueue file system we hold (/dev/mqueue or
 * our own mount of it, hx_ipc_mqueue_dir), else by mq_open, so this works
 * whether or not /dev/mqueue is mounted; they are removed by name
 * (mq_unlink needs no mount).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <mqueue.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

#define SHM_DIR "/dev/shm"
/* Names tracked at most; past it, the cross-check of reduced_host.c
 * finds the rest (as root). */
#define MAX_OBJECTS 4096

enum obj_kind { OBJ_FILE, OBJ_MQ, OBJ_SYSV_SHM, OBJ_SYSV_SEM, OBJ_SYSV_MSG };
#define SYSV_KINDS 3

/* An object as found at a notification: a file's or queue's device and
 * inode, a SysV id in ino. */
struct ident {
	dev_t dev;
	ino_t ino;
};

struct obj {
	enum obj_kind kind;
	char *name;		/* files: the absolute path; queues: "/NAME" */
	int key;		/* SysV: the key (never IPC_PRIVATE) */
	bool was_free;		/* a notification found no object there */
	struct ident *seen;	/* what notifications found there */
	size_t nseen, cseen;
};

struct hx_created {
	uid_t box_uid;
	int mq_fd;		/* -1: look queues up with mq_open */
	char workdir[PATH_MAX];	/* FIFOs in it are the grader's to remove */
	dev_t shm_dev;
	struct obj *objs;
	size_t n, cap;
	bool overflow;
	/* IPC_PRIVATE, per SysV kind */
	unsigned private_calls[SYSV_KINDS];
	time_t private_since[SYSV_KINDS];
	struct hx_pids private_before[SYSV_KINDS];	/* ids there at the first call */
	struct hx_pids shm_callers;			/* tgids of IPC_PRIVATE shmget */
};

struct hx_created *hx_created_new(uid_t box_uid, int mq_fd, const char *workdir)
{
	struct hx_created *c = calloc(1, sizeof(*c));
	struct stat st;

	if (!c)
		return NULL;
	c->box_uid = box_uid;
	c->mq_fd = mq_fd;
	if (!workdir || !realpath(workdir, c->workdir))
		snprintf(c->workdir, sizeof(c->workdir), "%s", workdir ? workdir : "");
	c->shm_dev = stat(SHM_DIR, &st) == 0 ? st.st_dev : (dev_t)-1;
	return c;
}

void hx_created_free(struct hx_created *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++) {
		free(c->objs[i].name);
		free(c->objs[i].seen);
	}
	free(c->objs);
	for (int k = 0; k < SYSV_KINDS; k++)
		hx_pids_release(&c->private_before[k]);
	hx_pids_release(&c->shm_callers);
	free(c);
}

/* ---- noting ------------------------------------------------------------- */

static struct obj *find(struct hx_created *c, enum obj_kind kind, const char *name, int key)
{
	for (size_t i = 0; i < c->n; i++) {
		struct obj *o = &c->objs[i];

		if (o->kind == kind && (name ? o->name && strcmp(o->name, name) == 0 : o->key == key))
			return o;
	}
	return NULL;
}

static struct obj *get(struct hx_created *c, enum obj_kind kind, const char *name, int key)
{
	struct obj *o = find(c, kind, name, key);

	if (o)
		return o;
	if (c->n >= MAX_OBJECTS) {
		c->overflow = true;
		return NULL;
	}
	struct obj *arr = hx_grow(c->objs, &c->cap, c->n + 1, sizeof(*arr));

	if (!arr)
		return NULL;
	c->objs = arr;
	o = &arr[c->n];
	memset(o, 0, sizeof(*o));
	o->kind = kind;
	o->key = key;
	if (name && !(o->name = hx_strdup(name)))
		return NULL;
	c->n++;
	return o;
}

/* What a notification found under the object's name: nothing (found
 * NULL), or that object. */
static void note(struct hx_created *c, enum obj_kind kind, const char *name, int key,
		 const struct ident *found)
{
	struct obj *o = get(c, kind, name, key);

	if (!o)
		return;
	if (!found) {
		o->was_free = true;
		return;
	}
	for (size_t i = 0; i < o->nseen; i++)
		if (o->seen[i].dev == found->dev && o->seen[i].ino == found->ino)
			return;
	struct ident *arr = hx_grow(o->seen, &o->cseen, o->nseen + 1, sizeof(*arr));

	if (!arr)
		return;
	o->seen = arr;
	arr[o->nseen++] = *found;
}

/* The directory a path of thread tid names its last component in,
 * opened (O_PATH), as the kernel will resolve it: relative to the
 * thread's working directory or to its descriptor dirfd. base gets the
 * last component. -1 when it cannot be opened (the call will fail too). */
static int open_parent(pid_t tid, int dirfd, const char *path, char *base, size_t size)
{
	char buf[PATH_MAX], anchor[64];
	size_t len = strlen(path);

	if (len == 0 || len >= sizeof(buf))
		return -1;
	memcpy(buf, path, len + 1);
	while (len > 1 && buf[len - 1] == '/')
		buf[--len] = '\0';
	char *slash = strrchr(buf, '/');
	const char *last = slash ? slash + 1 : buf;

	if (!*last || strcmp(last, ".") == 0 || strcmp(last, "..") == 0)
		return -1;
	snprintf(base, size, "%s", last);
	if (buf[0] == '/' && slash) {
		if (slash == buf)
			buf[1] = '\0';
		else
			*slash = '\0';
		return open(buf, O_PATH | O_DIRECTORY | O_CLOEXEC);
	}
	if (dirfd == AT_FDCWD)
		snprintf(anchor, sizeof(anchor), "/proc/%d/cwd", (int)tid);
	else
		snprintf(anchor, sizeof(anchor), "/proc/%d/fd/%d", (int)tid, dirfd);
	int at = open(anchor, O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (at < 0 || !slash)
		return at;
	*slash = '\0';
	int fd = openat(at, buf, O_PATH | O_DIRECTORY | O_CLOEXEC);

	close(at);
	return fd;
}

static bool under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	return n && strncmp(path, dir, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

/* A file of /dev/shm, or a FIFO (fifo: the call makes one) outside the
 * working directory, that the call at path may make. */
static void note_path(struct hx_created *c, pid_t tid, int dirfd, uint64_t addr, bool fifo)
{
	char path[PATH_MAX], base[NAME_MAX + 1], dir[PATH_MAX], link[64], full[PATH_MAX + NAME_MAX + 2];
	struct stat st;

	if (!hx_read_path(tid, addr, path, sizeof(path)))
		return;
	int fd = open_parent(tid, dirfd, path, base, sizeof(base));

	if (fd < 0)
		return;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(link, dir, sizeof(dir) - 1);
	bool shm = fstat(fd, &st) == 0 && st.st_dev == c->shm_dev;

	if (n > 0) {
		dir[n] = '\0';
		snprintf(full, sizeof(full), "%s/%s", strcmp(dir, "/") == 0 ? "" : dir, base);
		if ((shm && under(full, SHM_DIR)) || (fifo && !under(full, c->workdir))) {
			if (fstatat(fd, base, &st, AT_SYMLINK_NOFOLLOW) == 0)
				note(c, OBJ_FILE, full, 0, &(struct ident){ st.st_dev, st.st_ino });
			else if (errno == ENOENT)
				note(c, OBJ_FILE, full, 0, NULL);
		}
	}
	close(fd);
}

/* A queue "/NAME" now: true and *id when it exists. */
static bool queue_now(const struct hx_created *c, const char *name, struct ident *id, uid_t *uid)
{
	struct stat st;

	if (c->mq_fd >= 0) {
		if (fstatat(c->mq_fd, name + 1, &st, AT_SYMLINK_NOFOLLOW) < 0)
			return false;
	} else {
		mqd_t q = mq_open(name, O_RDONLY | O_NONBLOCK);

		if (q == (mqd_t)-1) {
			if (errno == ENOENT)
				return false;
			/* there, but not ours to open: not the run's either */
			*id = (struct ident){ (dev_t)-1, 0 };
			*uid = (uid_t)-1;
			return true;
		}
		int rc = fstat((int)q, &st);

		mq_close(q);
		if (rc < 0)
			return false;
	}
	*id = (struct ident){ st.st_dev, st.st_ino };
	*uid = st.st_uid;
	return true;
}

static void note_queue(struct hx_created *c, pid_t tid, uint64_t addr)
{
	char name[NAME_MAX + 2];
	struct ident id;
	uid_t uid;

	/* glibc passes the name without its leading slash; one with a
	 * slash is refused by the kernel */
	if (!hx_read_path(tid, addr, name + 1, sizeof(name) - 1) || !name[1] || strchr(name + 1, '/'))
		return;
	name[0] = '/';
	note(c, OBJ_MQ, name, 0, queue_now(c, name, &id, &uid) ? &id : NULL);
}

/* /proc/sysvipc columns: key id ... cuid (creator's uid), cpid (shm
 * only), ctime. */
struct sysv_row {
	int key, id;
	uid_t cuid;
	pid_t cpid;
	time_t ctime;
};

static const struct sysv_file {
	const char *path;
	int cuid, cpid, ctime;	/* column numbers, -1: none */
	const char *kind;
} sysv_files[SYSV_KINDS] = {
	/* key shmid perms size cpid lpid nattch uid gid cuid cgid atime dtime ctime */
	{ "/proc/sysvipc/shm", 9, 4, 13, "sysv_shm" },
	/* key semid perms nsems uid gid cuid cgid otime ctime */
	{ "/proc/sysvipc/sem", 6, -1, 9, "sysv_sem" },
	/* key msqid perms cbytes qnum lspid lrpid uid gid cuid cgid stime rtime ctime */
	{ "/proc/sysvipc/msg", 9, -1, 13, "sysv_msg" },
};

struct sysv_each {
	const struct sysv_file *sf;
	bool (*fn)(const struct sysv_row *, void *);
	void *arg;
};

static bool sysv_row_of(const long long *col, int ncol, void *arg)
{
	const struct sysv_each *e = arg;
	const struct sysv_file *sf = e->sf;

	if (ncol <= sf->ctime || ncol <= sf->cuid)
		return false;
	struct sysv_row row = {
		.key = (int)col[0], .id = (int)col[1], .cuid = (uid_t)col[sf->cuid],
		.cpid = sf->cpid >= 0 ? (pid_t)col[sf->cpid] : 0, .ctime = (time_t)col[sf->ctime],
	};

	return e->fn(&row, e->arg);
}

/* Calls fn for each object of SysV kind k; stops when it returns true. */
static void each_sysv(int k, bool (*fn)(const struct sysv_row *, void *), void *arg)
{
	struct sysv_each e = { .sf = &sysv_files[k], .fn = fn, .arg = arg };

	hx_sysvipc_each(sysv_files[k].path, sysv_row_of, &e);
}

struct by_key {
	int key;
	int id;		/* -1: none */
	uid_t cuid;
};

static bool match_key(const struct sysv_row *row, void *arg)
{
	struct by_key *b = arg;

	if (row->key != b->key)
		return false;
	b->id = row->id;
	b->cuid = row->cuid;
	return true;
}

struct private_ids {
	uid_t uid;
	struct hx_pids *ids;
};

static bool add_private(const struct sysv_row *row, void *arg)
{
	struct private_ids *p = arg;

	if (row->key == IPC_PRIVATE && row->cuid == p->uid)
		hx_pids_add(p->ids, row->id);
	return false;
}

static void note_sysv(struct hx_created *c, int k, pid_t tid, int key)
{
	if (key != IPC_PRIVATE) {
		struct by_key b = { .key = key, .id = -1 };

		each_sysv(k, match_key, &b);
		note(c, (enum obj_kind)(OBJ_SYSV_SHM + k), NULL, key,
		     b.id >= 0 ? &(struct ident){ 0, (ino_t)b.id } : NULL);
		return;
	}
	if (c->private_calls[k]++ == 0) {
		struct private_ids p = { .uid = c->box_uid, .ids = &c->private_before[k] };

		c->private_since[k] = time(NULL);
		each_sysv(k, add_private, &p);
	}
	pid_t tgid = hx_proc_tgid(tid);

	if (k == 0 && tgid > 0)
		hx_pids_add(&c->shm_callers, tgid);
}

void hx_created_note(struct hx_created *c, int listener, uint64_t id, pid_t tid, int nr,
		     const uint64_t *a)
{
	size_t before = c->n;

	switch (nr) {
	case SYS_open:
	case SYS_creat:
		note_path(c, tid, AT_FDCWD, a[0], false);
		break;
	case SYS_openat:
		note_path(c, tid, (int)a[0], a[1], false);
		break;
	case SYS_openat2: {
		struct open_how how;

		if (hx_proc_read_mem(tid, a[2], &how, sizeof(how.flags)) == sizeof(how.flags) &&
		    (how.flags & O_CREAT))
			note_path(c, tid, (int)a[0], a[1], false);
		break;
	}
	case SYS_mkdir:
		note_path(c, tid, AT_FDCWD, a[0], false);
		break;
	case SYS_mkdirat:
		note_path(c, tid, (int)a[0], a[1], false);
		break;
	case SYS_mknod:
		note_path(c, tid, AT_FDCWD, a[0], (a[1] & S_IFMT) == S_IFIFO);
		break;
	case SYS_mknodat:
		note_path(c, tid, (int)a[0], a[1], (a[2] & S_IFMT) == S_IFIFO);
		break;
	case SYS_link:
	case SYS_rename:
	case SYS_symlink:
		note_path(c, tid, AT_FDCWD, a[1], false);
		break;
	case SYS_linkat:
	case SYS_renameat:
	case SYS_renameat2:
		note_path(c, tid, (int)a[2], a[3], false);
		break;
	case SYS_symlinkat:
		note_path(c, tid, (int)a[1], a[2], false);
		break;
	case SYS_mq_open:
		if (a[1] & O_CREAT)
			note_queue(c, tid, a[0]);
		break;
	case SYS_shmget:
		if ((int)a[0] == IPC_PRIVATE || (a[2] & IPC_CREAT))
			note_sysv(c, 0, tid, (int)a[0]);
		break;
	case SYS_semget:
		if ((int)a[0] == IPC_PRIVATE || (a[2] & IPC_CREAT))
			note_sysv(c, 1, tid, (int)a[0]);
		break;
	case SYS_msgget:
		if ((int)a[0] == IPC_PRIVATE || (a[1] & IPC_CREAT))
			note_sysv(c, 2, tid, (int)a[0]);
		break;
	default:
		return;
	}
	/* What we read may be another task's if this one died and its pid
	 * was reused: then the call never runs, and a name it never tried
	 * must not be kept. (An older entry it touched stays: harmless.) */
	if (c->n > before && seccomp_notify_id_valid(listener, id) != 0) {
		while (c->n > before) {
			c->n--;
			free(c->objs[c->n].name);
			free(c->objs[c->n].seen);
		}
	}
}

/* ---- at the end ------------------------------------------------------------ */

static bool seen_before(const struct obj *o, const struct ident *now)
{
	for (size_t i = 0; i < o->nseen; i++)
		if (o->seen[i].dev == now->dev && o->seen[i].ino == now->ino)
			return true;
	return false;
}

/* The run's: the box's user's, and made where a notification found the
 * name free or found another object. */
static bool the_runs(const struct hx_created *c, const struct obj *o, const struct ident *now, uid_t uid)
{
	return uid == c->box_uid && (o->was_free || !seen_before(o, now));
}

static void remove_tree(int at, const char *name, int depth)
{
	if (unlinkat(at, name, 0) == 0 || errno != EISDIR || depth > 16)
		return;
	int fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;

	if (d) {
		struct dirent *e;

		while ((e = readdir(d)))
			if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
				remove_tree(dirfd(d), e->d_name, depth + 1);
		closedir(d);
	} else if (fd >= 0) {
		close(fd);
	}
	unlinkat(at, name, AT_REMOVEDIR);
}

static void finish_file(struct hx_created *c, const struct obj *o, struct hx_result *res)
{
	struct stat st;
	char dir[PATH_MAX];

	if (lstat(o->name, &st) < 0 ||
	    !the_runs(c, o, &(struct ident){ st.st_dev, st.st_ino }, st.st_uid))
		return;
	const char *slash = strrchr(o->name, '/');

	snprintf(dir, sizeof(dir), "%.*s", slash == o->name ? 1 : (int)(slash - o->name), o->name);
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (dfd < 0)
		return;
	remove_tree(dfd, slash + 1, 0);
	close(dfd);
	/* A FIFO elsewhere is removed quietly, as the box's private file
	 * system of full isolation would vanish; /dev/shm is reported as
	 * the init of a full box lists it. */
	if (!under(o->name, SHM_DIR))
		return;
	const char *rel = o->name + strlen(SHM_DIR);
	char name[PATH_MAX];

	if (strncmp(rel, "/sem.", 5) == 0 && !strchr(rel + 1, '/')) {
		snprintf(name, sizeof(name), "/%s", rel + 5);
		hx_result_add_ipc_left(res, "posix_sem", name);
	} else {
		hx_result_add_ipc_left(res, "posix_shm", rel);
	}
}

static void finish_queue(struct hx_created *c, const struct obj *o, struct hx_result *res)
{
	struct ident now;
	uid_t uid;

	if (!queue_now(c, o->name, &now, &uid) || !the_runs(c, o, &now, uid))
		return;
	mq_unlink(o->name);
	hx_result_add_ipc_left(res, "posix_mq", o->name);
}

static int remove_sysv(int k, int id)
{
	switch (k) {
	case 0: return shmctl(id, IPC_RMID, NULL);
	case 1: return semctl(id, 0, IPC_RMID);
	default: return msgctl(id, IPC_RMID, NULL);
	}
}

static void report_sysv(struct hx_result *res, int k, int id, int key)
{
	char name[64];

	snprintf(name, sizeof(name), "id %d key 0x%08x", id, (unsigned)key);
	hx_result_add_ipc_left(res, sysv_files[k].kind, name);
}

static void finish_sysv(struct hx_created *c, const struct obj *o, struct hx_result *res)
{
	int k = (int)o->kind - OBJ_SYSV_SHM;
	struct by_key b = { .key = o->key, .id = -1 };

	each_sysv(k, match_key, &b);
	if (b.id < 0 || !the_runs(c, o, &(struct ident){ 0, (ino_t)b.id }, b.cuid))
		return;
	if (remove_sysv(k, b.id) == 0)
		report_sysv(res, k, b.id, o->key);
}

struct private_found {
	const struct hx_created *c;
	int k;
	struct sysv_row *rows;
	size_t n, cap;
};

static bool new_private(const struct sysv_row *row, void *arg)
{
	struct private_found *f = arg;
	const struct hx_created *c = f->c;
	const struct hx_pids *before = &c->private_before[f->k];

	if (row->key != IPC_PRIVATE || row->cuid != c->box_uid || row->ctime + 1 < c->private_since[f->k])
		return false;
	for (size_t i = 0; i < before->n; i++)
		if (before->v[i] == row->id)
			return false;
	struct sysv_row *arr = hx_grow(f->rows, &f->cap, f->n + 1, sizeof(*arr));

	if (!arr)
		return true;
	f->rows = arr;
	arr[f->n++] = *row;
	return false;
}

static bool made_by_caller(const struct hx_created *c, const struct sysv_row *row)
{
	for (size_t i = 0; i < c->shm_callers.n; i++)
		if (c->shm_callers.v[i] == row->cpid)
			return true;
	return false;
}

static void finish_private(struct hx_created *c, int k, struct hx_result *res)
{
	struct private_found f = { .c = c, .k = k };
	unsigned left = c->private_calls[k];

	if (!left)
		return;
	each_sysv(k, new_private, &f);
	/* shared memory: those made by a process that made such a call
	 * first; then the others, no more than there were calls */
	for (int pass = k == 0 ? 0 : 1; pass < 2; pass++)
		for (size_t i = 0; i < f.n && left; i++) {
			if (f.rows[i].id < 0 || (pass == 0 && !made_by_caller(c, &f.rows[i])))
				continue;
			if (remove_sysv(k, f.rows[i].id) == 0) {
				report_sysv(res, k, f.rows[i].id, IPC_PRIVATE);
				left--;
			}
			f.rows[i].id = -1;
		}
	free(f.rows);
}

void hx_created_finish(struct hx_created *c, struct hx_result *res)
{
	for (size_t i = 0; i < c->n; i++) {
		const struct obj *o = &c->objs[i];

		switch (o->kind) {
		case OBJ_FILE: finish_file(c, o, res); break;
		case OBJ_MQ: finish_queue(c, o, res); break;
		default: finish_sysv(c, o, res); break;
		}
	}
	for (int k = 0; k < SYSV_KINDS; k++)
		finish_private(c, k, res);
	if (c->overflow)
		hx_result_add_note(res, "the run tried to make more than %d named objects: only the first "
				   "%d were followed by name", MAX_OBJECTS, MAX_OBJECTS);
}

/*
 * deadlock.c - explain a deadlock in words a student can act on.
 *
 * Called once the watchdog has seen every process blocked for good. For
 * each process we name the call it is blocked in and the object it waits
 * on, found from /proc: pipes by inode with every process holding their
 * read or write ends (fd links plus fdinfo flags), futex addresses mapped
 * through /proc/PID/maps to the shared object (a named semaphore's name,
 * a shared mapping, or private memory, which nobody else can ever post),
 * System V ids, queues by name, children for wait4.
 *
 * Processes blocked on one object (the same pipe end, futex word,
 * semaphore, queue, FIFO) are described together, in one sentence. Each
 * process gets "waits for" edges in a wait-for graph (waitgraph.c) only
 * to the processes that would have to act for it to go on: the holders
 * of a pipe's other end (they must write, read or close it), the
 * children a wait4 waits for, the owner of a locked mutex, and the
 * blocked processes that could post a semaphore or send to a queue. A
 * process blocked in wait4 waits for its children and posts nothing, so
 * it is never a poster. A cycle in the graph is printed as one; without
 * one, the word is not used. Processes of the run that have exited are
 * known to the tracer: where one of them could have posted, it is said.
 * Every table here grows with the box: a deadlock of thousands of
 * processes is explained like one of two.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sem.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "internal.h"

/* Where glibc (x86-64) keeps what we read of a futex word's neighbours:
 * a sem_t's waiter count right after its value, a pthread_mutex_t's
 * owner (a thread id) 8 bytes after its lock word. */
#define SEM_NWAITERS_OFFSET 4
#define MUTEX_OWNER_OFFSET 8
/* The value a contended lock word holds while others wait on it. */
#define LOCK_CONTENDED 2

struct fd_entry {
	int box_pid;
	int fd;
	dev_t dev;
	ino_t ino;
	int accmode;		/* O_RDONLY, O_WRONLY, O_RDWR */
	char link[96];
};

/* A shared mapping of a process: the object is (dev, ino). */
struct mapping {
	dev_t dev;
	ino_t ino;
	unsigned long lo, hi, off;
	bool shared;
	char path[160];
};

/* What a blocked process waits on. */
enum wait_on {
	ON_OTHER = 0,		/* a call we do not know */
	ON_STOPPED,		/* SIGSTOP or similar */
	ON_SIGNAL,		/* pause, sigsuspend, sigwait */
	ON_CHILD,		/* wait4, waitid */
	ON_FD,			/* read or write of an fd we could not see */
	ON_PIPE,		/* read or write of a pipe (or a FIFO) */
	ON_SOCKET,
	ON_FUTEX_PRIVATE,	/* a futex nobody else can reach */
	ON_FUTEX_SHARED,	/* a futex in shared memory */
	ON_SEMOP,		/* System V semaphore */
	ON_MSG,			/* System V message queue */
	ON_MQ,			/* POSIX message queue */
	ON_FIFO,		/* open() of a FIFO */
};

/* What kind of lock a shared futex word is, as far as glibc's layout
 * tells. */
enum futex_kind { FUTEX_UNKNOWN = 0, FUTEX_SEMAPHORE, FUTEX_MUTEX };

struct node {
	int box_pid;
	pid_t host_pid;
	pid_t tid;
	char state;
	struct hx_syscall_state sc;
	enum hx_wait_kind kind;
	struct mapping *maps;	/* its shared mappings */
	size_t nmaps, cmaps;
	/* futex waits: the mapping and offset of the futex word */
	bool futex_obj;
	struct mapping fmap;
	unsigned long foff;
	/* semop waits: the System V semaphore */
	int semid, semnum, semop;

	/* Filled by classify(): */
	enum wait_on on;
	bool writing;		/* pipe, socket, queue: writing or sending */
	int fdi;		/* its fd in an->fds, or -1 */
	enum futex_kind fkind;
	int owner;		/* a mutex's holder (box pid), 0 when unknown */
	bool named;		/* the object has a name others can open */
	/* Processes with the same key wait on the same object, and are
	 * described together ("" for none). */
	char key[200];
	/* The object in words, the same for every process of its key. */
	char what[320];
	char path[256];		/* ON_FIFO: the FIFO */
	bool described;
};

struct analysis {
	struct node *nodes;	/* in box pid order; node i is graph node i */
	int n;
	size_t cnodes;
	struct fd_entry *fds;
	int nfds;
	size_t cfds;
	struct hx_waitgraph graph;
	struct hx_tracer *t;
	/* The run's processes that have exited (the tracer knows them). */
	int *exited;
	int nexited;
};

/* A set of box pids, in increasing order, without repeats. */
struct pidset {
	int *v;
	int n;
};

static int by_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

static int by_box_pid(const void *a, const void *b)
{
	const struct node *x = a, *y = b;

	return (x->box_pid > y->box_pid) - (x->box_pid < y->box_pid);
}

static struct node *node_of(const struct analysis *an, int box_pid)
{
	struct node key = { .box_pid = box_pid };

	return an->n ? bsearch(&key, an->nodes, (size_t)an->n, sizeof(key), by_box_pid) : NULL;
}

/* Room for one pid per process the run has had; v stays NULL when out
 * of memory (the set then stays empty). */
static void pidset_init(struct pidset *ps, const struct analysis *an)
{
	int room = an->n + an->nexited + 1;

	ps->v = calloc((size_t)room, sizeof(int));
	ps->n = 0;
}

static void pidset_add(struct pidset *ps, int pid)
{
	if (!ps->v || pid <= 0)
		return;
	for (int i = 0; i < ps->n; i++)
		if (ps->v[i] == pid)
			return;
	ps->v[ps->n++] = pid;
	qsort(ps->v, (size_t)ps->n, sizeof(int), by_int);
}

static bool pidset_has(const struct pidset *ps, int pid)
{
	for (int i = 0; i < ps->n; i++)
		if (ps->v[i] == pid)
			return true;
	return false;
}

static void pidset_release(struct pidset *ps)
{
	free(ps->v);
	ps->v = NULL;
	ps->n = 0;
}

static void collect_fds(struct analysis *an, const struct node *nd)
{
	char dir[64];
	DIR *d;
	struct dirent *e;

	snprintf(dir, sizeof(dir), "/proc/%d/fd", (int)nd->host_pid);
	d = opendir(dir);
	if (!d)
		return;
	while ((e = readdir(d))) {
		char path[128], info[512];
		struct stat st;

		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		struct fd_entry *grown = hx_grow(an->fds, &an->cfds, (size_t)an->nfds + 1, sizeof(*grown));

		if (!grown)
			break;
		an->fds = grown;
		struct fd_entry *f = &an->fds[an->nfds];
		int fd = atoi(e->d_name);

		snprintf(path, sizeof(path), "%s/%d", dir, fd);
		if (stat(path, &st) < 0)
			continue;
		if (!S_ISFIFO(st.st_mode) && !S_ISSOCK(st.st_mode) && !S_ISREG(st.st_mode))
			continue;
		memset(f, 0, sizeof(*f));
		f->box_pid = nd->box_pid;
		f->fd = fd;
		f->dev = st.st_dev;
		f->ino = st.st_ino;
		if (hx_proc_fd_link(nd->host_pid, fd, f->link, sizeof(f->link)) < 0)
			f->link[0] = '\0';
		snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", (int)nd->host_pid, fd);
		if (hx_read_file(path, info, sizeof(info)) > 0) {
			char *fl = strstr(info, "flags:");

			f->accmode = fl ? (int)(strtoul(fl + 6, NULL, 8) & O_ACCMODE) : O_RDWR;
		}
		an->nfds++;
	}
	closedir(d);
}

static const char *call_name(long nr)
{
	switch (nr) {
	case SYS_read: return "read";
	case SYS_readv: return "readv";
	case SYS_write: return "write";
	case SYS_writev: return "writev";
	case SYS_futex: return "futex";
	case SYS_semop: case SYS_semtimedop: return "semop";
	case SYS_msgrcv: return "msgrcv";
	case SYS_msgsnd: return "msgsnd";
	case SYS_mq_timedreceive: return "mq_receive";
	case SYS_mq_timedsend: return "mq_send";
	case SYS_wait4: return "wait4";
	case SYS_waitid: return "waitid";
	case SYS_pause: return "pause";
	case SYS_rt_sigsuspend: return "sigsuspend";
	case SYS_rt_sigtimedwait: return "sigwait";
	case SYS_open: case SYS_openat: return "open";
	case SYS_poll: case SYS_ppoll: return "poll";
	case SYS_select: case SYS_pselect6: return "select";
	case SYS_epoll_wait: case SYS_epoll_pwait: case SYS_epoll_pwait2: return "epoll_wait";
	case SYS_flock: return "flock";
	case SYS_fcntl: return "fcntl";
	case SYS_accept: case SYS_accept4: return "accept";
	case SYS_connect: return "connect";
	case SYS_recvfrom: case SYS_recvmsg: return "recv";
	case SYS_sendto: case SYS_sendmsg: return "send";
	}
	const char *n = hx_syscall_name((int)nr);

	return n ? n : "?";
}

/* Parse one /proc/PID/maps line. */
static bool parse_map(const char *line, struct mapping *m)
{
	unsigned maj, min;
	unsigned long ino;
	char perms[8];
	int n = 0;

	memset(m, 0, sizeof(*m));
	if (sscanf(line, "%lx-%lx %7s %lx %x:%x %lu %n", &m->lo, &m->hi, perms, &m->off, &maj, &min,
		   &ino, &n) < 7)
		return false;
	m->shared = perms[3] == 's';
	m->dev = makedev(maj, min);
	m->ino = (ino_t)ino;
	snprintf(m->path, sizeof(m->path), "%s", line + n);
	m->path[strcspn(m->path, "\n")] = '\0';
	return true;
}

/* Read a process's shared mappings, and the one holding its futex word. */
static void collect_maps(struct node *nd)
{
	char path[64], line[512];
	FILE *f;
	bool want_futex = nd->sc.nr == SYS_futex || nd->sc.nr == SYS_futex_waitv;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)nd->host_pid);
	f = fopen(path, "re");
	while (f && fgets(line, sizeof(line), f)) {
		struct mapping m;

		if (!parse_map(line, &m))
			continue;
		if (want_futex && nd->sc.args[0] >= m.lo && nd->sc.args[0] < m.hi) {
			nd->futex_obj = true;
			nd->fmap = m;
			nd->foff = nd->sc.args[0] - m.lo + m.off;
		}
		if (!m.shared)
			continue;
		struct mapping *grown = hx_grow(nd->maps, &nd->cmaps, nd->nmaps + 1, sizeof(*grown));

		if (!grown)
			break;
		nd->maps = grown;
		nd->maps[nd->nmaps++] = m;
	}
	if (f)
		fclose(f);
}

static bool maps_object(const struct node *nd, dev_t dev, ino_t ino)
{
	for (size_t i = 0; i < nd->nmaps; i++)
		if (nd->maps[i].dev == dev && nd->maps[i].ino == ino)
			return true;
	return false;
}

/* The name under /dev/shm of an object, looked up in the box's own
 * /dev/shm (the creator of a named semaphore maps glibc's temp file,
 * unlinked since, so its maps line does not say the name). */
static bool shm_name(const struct node *nd, const struct mapping *m, char *out, size_t size)
{
	char dir[64];
	DIR *d;
	struct dirent *e;

	if (strncmp(m->path, "/dev/shm/", 9) == 0 && !strstr(m->path, "(deleted)")) {
		snprintf(out, size, "%s", m->path + 9);
		return true;
	}
	snprintf(dir, sizeof(dir), "/proc/%d/root/dev/shm", (int)nd->host_pid);
	d = opendir(dir);
	while (d && (e = readdir(d))) {
		struct stat st;

		if (e->d_name[0] == '.' || fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (st.st_ino == m->ino) {
			snprintf(out, size, "%s", e->d_name);
			closedir(d);
			return true;
		}
	}
	if (d)
		closedir(d);
	return false;
}

/* ---- pids in words ---------------------------------------------------- */

/* The most pids a list names; the rest are counted. */
#define SAY_PIDS_MAX 12

/* "pid 2", "pids 2 and 3", "pids 2-7", "pids 2, 4 and 6-9": a set in
 * increasing order, runs of three or more as ranges. */
static void say_pids(struct hx_str *s, const struct pidset *ps)
{
	int items = 0, shown = 0;

	if (ps->n == 0)
		return;
	/* Count the items first, to place the final "and". */
	for (int i = 0; i < ps->n; items++) {
		int j = i;

		while (j + 1 < ps->n && ps->v[j + 1] == ps->v[j] + 1)
			j++;
		i = j - i >= 2 ? j + 1 : i + 1;
	}
	hx_str_printf(s, ps->n == 1 ? "pid " : "pids ");
	for (int i = 0, k = 0; i < ps->n; k++) {
		int j = i;

		while (j + 1 < ps->n && ps->v[j + 1] == ps->v[j] + 1)
			j++;
		if (k == SAY_PIDS_MAX) {
			hx_str_printf(s, " and %d more", ps->n - shown);
			return;
		}
		hx_str_printf(s, "%s", k == 0 ? "" : k == items - 1 ? " and " : ", ");
		if (j - i >= 2) {
			hx_str_printf(s, "%d-%d", ps->v[i], ps->v[j]);
			shown += j - i + 1;
			i = j + 1;
		} else {
			hx_str_printf(s, "%d", ps->v[i]);
			shown++;
			i++;
		}
	}
}

/* "pid 2 waits", "pids 2 and 3 both wait", "pids 2-7 all wait". */
static void say_subject(struct hx_str *s, const struct pidset *who, const char *one, const char *many)
{
	say_pids(s, who);
	hx_str_printf(s, "%s %s", who->n == 1 ? "" : who->n == 2 ? " both" : " all",
		      who->n == 1 ? one : many);
}

/* "pid 1", "pid 2 itself", "pid 1 and pids 2 and 3 themselves": the
 * processes of ps, those of own marked as the subject's own. */
static void say_holders(struct hx_str *s, const struct analysis *an, const struct pidset *ps,
			const struct pidset *own)
{
	struct pidset others, mine;

	pidset_init(&others, an);
	pidset_init(&mine, an);
	for (int i = 0; i < ps->n; i++)
		pidset_add(pidset_has(own, ps->v[i]) ? &mine : &others, ps->v[i]);
	say_pids(s, &others);
	if (others.n && mine.n)
		hx_str_printf(s, " and ");
	say_pids(s, &mine);
	if (mine.n)
		hx_str_printf(s, mine.n == 1 ? " itself" : " themselves");
	pidset_release(&others);
	pidset_release(&mine);
}

/* ---- what each process waits on ------------------------------------- */

/* A process that would act if it ran: not one blocked in wait4 (it waits
 * for its children and does nothing else meanwhile), nor a stopped one. */
static bool could_act(const struct node *o)
{
	return o->on != ON_CHILD && o->on != ON_STOPPED;
}

static void classify_futex(struct analysis *an, struct node *nd)
{
	const struct mapping *m = &nd->fmap;
	char name[160] = "", place[240];
	uint64_t addr = nd->sc.args[0];

	if (!nd->futex_obj || !m->shared) {
		const char *where = nd->futex_obj && m->path[0] ? m->path : "the heap, stack or a global";

		nd->on = ON_FUTEX_PRIVATE;
		snprintf(nd->key, sizeof(nd->key), "private %s", where);
		snprintf(nd->what, sizeof(nd->what), "%s", where);
		return;
	}
	nd->on = ON_FUTEX_SHARED;
	snprintf(nd->key, sizeof(nd->key), "futex %lu:%lu %#lx", (unsigned long)m->dev,
		 (unsigned long)m->ino, nd->foff);
	nd->named = shm_name(nd, m, name, sizeof(name));
	if (nd->named && strncmp(name, "sem.", 4) == 0) {
		nd->fkind = FUTEX_SEMAPHORE;
		snprintf(nd->what, sizeof(nd->what), "the named semaphore /%s", name + 4);
		return;
	}
	if (nd->named)
		snprintf(place, sizeof(place), "the shared memory object /%s", name);
	else if (strncmp(m->path, "/SYSV", 5) == 0)
		snprintf(place, sizeof(place), "a System V shared memory segment (key 0x%.8s)", m->path + 5);
	else
		snprintf(place, sizeof(place), "an anonymous shared mapping");
	nd->named = nd->named || strncmp(m->path, "/SYSV", 5) == 0;
	/* A contended lock word whose mutex names an owner of the run. */
	int owner = 0;

	if (nd->sc.args[2] == LOCK_CONTENDED &&
	    hx_proc_read_mem(nd->tid, addr + MUTEX_OWNER_OFFSET, &owner, sizeof(owner)) == sizeof(owner) &&
	    owner > 0 && (nd->owner = hx_tracer_box_pid_of_ns(an->t, owner)) > 0)
		nd->fkind = FUTEX_MUTEX;
	snprintf(nd->what, sizeof(nd->what), "%s at offset 0x%lx of %s",
		 nd->fkind == FUTEX_MUTEX ? "the mutex" : "a futex (a semaphore, mutex or barrier)",
		 nd->foff, place);
}

/* A sem_t's value is 0 while its waiters sleep, and its waiter count,
 * right after the value, counts them: then the futex is a semaphore. */
static void recognise_semaphores(struct analysis *an)
{
	for (int i = 0; i < an->n; i++) {
		struct node *nd = &an->nodes[i];
		unsigned int nwaiters = 0;
		unsigned waiting = 0;

		if (nd->on != ON_FUTEX_SHARED || nd->fkind != FUTEX_UNKNOWN || nd->sc.args[2] != 0)
			continue;
		for (int j = 0; j < an->n; j++)
			waiting += strcmp(an->nodes[j].key, nd->key) == 0;
		if (hx_proc_read_mem(nd->tid, nd->sc.args[0] + SEM_NWAITERS_OFFSET, &nwaiters,
				     sizeof(nwaiters)) != sizeof(nwaiters) || nwaiters != waiting)
			continue;
		const char *of = strstr(nd->what, " at offset ");
		char rest[sizeof(nd->what)];

		snprintf(rest, sizeof(rest), "%s", of ? of : "");
		snprintf(nd->what, sizeof(nd->what), "the semaphore%s", rest);
		nd->fkind = FUTEX_SEMAPHORE;
	}
}

static int fd_index(const struct analysis *an, int box_pid, int fd)
{
	for (int i = 0; i < an->nfds; i++)
		if (an->fds[i].box_pid == box_pid && an->fds[i].fd == fd)
			return i;
	return -1;
}

/* What nd waits on, its key and the object in words. */
static void classify(struct analysis *an, struct node *nd)
{
	const unsigned long *a = nd->sc.args;

	nd->fdi = -1;
	if (nd->kind == HX_WAIT_STOPPED) {
		nd->on = ON_STOPPED;
		snprintf(nd->key, sizeof(nd->key), "stopped");
		return;
	}
	switch (nd->sc.nr) {
	case SYS_read: case SYS_readv: case SYS_recvfrom: case SYS_recvmsg:
	case SYS_write: case SYS_writev: case SYS_sendto: case SYS_sendmsg: {
		bool reading = nd->sc.nr == SYS_read || nd->sc.nr == SYS_readv ||
			       nd->sc.nr == SYS_recvfrom || nd->sc.nr == SYS_recvmsg;

		nd->writing = !reading;
		nd->fdi = fd_index(an, nd->box_pid, (int)a[0]);
		if (nd->fdi < 0) {
			nd->on = ON_FD;
			snprintf(nd->what, sizeof(nd->what), "fd %d", (int)a[0]);
			break;
		}
		const struct fd_entry *fe = &an->fds[nd->fdi];

		nd->on = strncmp(fe->link, "socket:", 7) == 0 ? ON_SOCKET : ON_PIPE;
		snprintf(nd->what, sizeof(nd->what), "%s", fe->link);
		snprintf(nd->key, sizeof(nd->key), "%s %lu:%lu", reading ? "read" : "write",
			 (unsigned long)fe->dev, (unsigned long)fe->ino);
		break;
	}
	case SYS_wait4: case SYS_waitid:
		nd->on = ON_CHILD;
		break;
	case SYS_futex: case SYS_futex_waitv:
		classify_futex(an, nd);
		break;
	case SYS_semop: case SYS_semtimedop:
		nd->on = ON_SEMOP;
		snprintf(nd->key, sizeof(nd->key), "semop %d %d %d", nd->semid, nd->semnum, nd->semop);
		if (nd->semnum >= 0)
			snprintf(nd->what, sizeof(nd->what), "System V semaphore set id %d (semaphore %d, "
				 "operation %+d)", nd->semid, nd->semnum, nd->semop);
		else
			snprintf(nd->what, sizeof(nd->what), "System V semaphore set id %d", nd->semid);
		nd->named = true;
		break;
	case SYS_msgrcv: case SYS_msgsnd:
		nd->on = ON_MSG;
		nd->writing = nd->sc.nr == SYS_msgsnd;
		nd->named = true;
		snprintf(nd->key, sizeof(nd->key), "msg %c %d", nd->writing ? 'w' : 'r', (int)a[0]);
		snprintf(nd->what, sizeof(nd->what), "System V message queue id %d", (int)a[0]);
		break;
	case SYS_mq_timedreceive: case SYS_mq_timedsend: {
		const char *name = "?";

		nd->on = ON_MQ;
		nd->writing = nd->sc.nr == SYS_mq_timedsend;
		nd->named = true;
		nd->fdi = fd_index(an, nd->box_pid, (int)a[0]);
		if (nd->fdi >= 0)
			name = an->fds[nd->fdi].link;
		if (strncmp(name, "/dev/mqueue", 11) == 0)
			name += 11;
		snprintf(nd->what, sizeof(nd->what), "message queue %s", name);
		snprintf(nd->key, sizeof(nd->key), "mq %c %s", nd->writing ? 'w' : 'r', name);
		break;
	}
	case SYS_pause: case SYS_rt_sigsuspend: case SYS_rt_sigtimedwait:
		nd->on = ON_SIGNAL;
		snprintf(nd->key, sizeof(nd->key), "signal %s", call_name(nd->sc.nr));
		break;
	case SYS_open: case SYS_openat:
		nd->on = ON_FIFO;
		nd->named = true;
		snprintf(nd->path, sizeof(nd->path), "?");
		hx_proc_read_string(nd->tid, nd->sc.nr == SYS_open ? a[0] : a[1], nd->path, sizeof(nd->path));
		snprintf(nd->key, sizeof(nd->key), "fifo %s", nd->path);
		break;
	default:
		nd->on = ON_OTHER;
		break;
	}
}

/* The short name of the object, as JSON's "object" has it. */
static char *object_of(const struct analysis *an, const struct node *nd, const struct pidset *kids)
{
	switch (nd->on) {
	case ON_STOPPED: case ON_SIGNAL: return hx_strdup("a signal");
	case ON_CHILD:
		return kids->n ? hx_strdup_printf("child pid %d", kids->v[0]) : hx_strdup("a child");
	case ON_FD: case ON_PIPE: case ON_SOCKET: return hx_strdup(nd->what);
	case ON_FUTEX_PRIVATE: return hx_strdup_printf("private memory %#lx", (unsigned long)nd->sc.args[0]);
	case ON_FUTEX_SHARED: {
		char name[160];

		if (nd->fkind == FUTEX_SEMAPHORE && strncmp(nd->what, "the named semaphore ", 20) == 0)
			return hx_strdup_printf("semaphore %s", nd->what + 20);
		if (shm_name(nd, &nd->fmap, name, sizeof(name)))
			return hx_strdup_printf("shared memory /%s + %#lx", name, nd->foff);
		if (strncmp(nd->fmap.path, "/SYSV", 5) == 0)
			return hx_strdup_printf("System V shared memory key 0x%.8s + %#lx", nd->fmap.path + 5,
						nd->foff);
		return hx_strdup_printf("anonymous shared memory + %#lx", nd->foff);
	}
	case ON_SEMOP: return hx_strdup_printf("System V semaphore set %d", nd->semid);
	case ON_MSG: return hx_strdup_printf("System V message queue %d", (int)nd->sc.args[0]);
	case ON_MQ: return hx_strdup(nd->what);
	case ON_FIFO: return hx_strdup_printf("FIFO %s", nd->path);
	case ON_OTHER: break;
	}
	(void)an;
	return hx_strdup("-");
}

/* ---- who would have to act ------------------------------------------ */

/* The holders of the other end of nd's pipe, socket or queue (all of
 * them, nd itself included). */
static void other_end(const struct analysis *an, const struct node *nd, struct pidset *out)
{
	if (nd->fdi < 0)
		return;
	const struct fd_entry *obj = &an->fds[nd->fdi];
	bool want_write = !nd->writing;

	for (int i = 0; i < an->nfds; i++) {
		const struct fd_entry *f = &an->fds[i];
		bool w = f->accmode == O_WRONLY || f->accmode == O_RDWR;
		bool r = f->accmode == O_RDONLY || f->accmode == O_RDWR;

		if (f->dev == obj->dev && f->ino == obj->ino && (want_write ? w : r))
			pidset_add(out, f->box_pid);
	}
}

/* The blocked processes that could post, change, send or open what nd
 * waits for: those that would act (could_act), are not waiting on the
 * very same object, and (a shared futex) map it. */
static void posters(const struct analysis *an, const struct node *nd, struct pidset *out)
{
	struct pidset ends;

	if (nd->on == ON_MQ) {
		pidset_init(&ends, an);
		other_end(an, nd, &ends);
	}
	for (int i = 0; i < an->n; i++) {
		const struct node *o = &an->nodes[i];

		if (o == nd || !could_act(o) || strcmp(o->key, nd->key) == 0)
			continue;
		if (nd->on == ON_FUTEX_SHARED && !maps_object(o, nd->fmap.dev, nd->fmap.ino))
			continue;
		if (nd->on == ON_MQ && !pidset_has(&ends, o->box_pid))
			continue;
		pidset_add(out, o->box_pid);
	}
	if (nd->on == ON_MQ)
		pidset_release(&ends);
}

/* Whether an exited process could have shared an anonymous mapping: its
 * nearest live ancestor maps it (mappings are inherited by fork). */
static bool could_share_anon(const struct analysis *an, int box_pid, const struct mapping *m)
{
	for (int hops = 0, p = box_pid; hops <= an->nexited; hops++) {
		const struct node *o;

		p = hx_tracer_parent_box(an->t, p);
		if (p <= 0)
			return false;
		if ((o = node_of(an, p)))
			return maps_object(o, m->dev, m->ino);
	}
	return false;
}

/* The processes of the run that have exited and could have done what nd
 * waits for: any of them for a named object, the sharers of an
 * anonymous mapping. */
static void exited_could(const struct analysis *an, const struct node *nd, struct pidset *out)
{
	bool any = nd->named || nd->on == ON_MQ || nd->on == ON_FIFO || nd->on == ON_SEMOP ||
		   nd->on == ON_MSG;

	if (nd->on != ON_FUTEX_SHARED && !any)
		return;
	for (int i = 0; i < an->nexited; i++)
		if (any || could_share_anon(an, an->exited[i], &nd->fmap))
			pidset_add(out, an->exited[i]);
}

/* The live children nd's wait4 or waitid waits for. */
static void live_children(const struct analysis *an, const struct node *nd, struct pidset *out)
{
	struct hx_pids kids = { 0 };
	int want = nd->sc.nr == SYS_wait4 ? (int)nd->sc.args[0] : -1;

	hx_proc_children(nd->host_pid, &kids);
	for (size_t i = 0; i < kids.n; i++) {
		int bp = hx_tracer_box_pid(an->t, kids.v[i]);

		if (!node_of(an, bp))
			continue;	/* a zombie, or not ours */
		if (want > 0 && hx_proc_nspid(kids.v[i]) != want && kids.v[i] != want)
			continue;
		pidset_add(out, bp);
	}
	hx_pids_release(&kids);
}

/* nd's wait-for edges: the blocked processes that would have to act. */
static void waits_for(const struct analysis *an, const struct node *nd, struct pidset *out)
{
	switch (nd->on) {
	case ON_PIPE: case ON_SOCKET:
		other_end(an, nd, out);
		break;
	case ON_CHILD:
		live_children(an, nd, out);
		break;
	case ON_FUTEX_SHARED:
		if (nd->fkind == FUTEX_MUTEX)
			pidset_add(out, node_of(an, nd->owner) ? nd->owner : 0);
		else
			posters(an, nd, out);
		break;
	case ON_SEMOP: case ON_MSG: case ON_MQ: case ON_FIFO:
		posters(an, nd, out);
		break;
	default:
		break;
	}
	/* Never itself: a process that holds the other end of its own pipe
	 * is told so, not drawn as a cycle of one. */
	for (int i = 0; i < out->n; i++)
		if (out->v[i] == nd->box_pid) {
			memmove(&out->v[i], &out->v[i + 1], (size_t)(out->n - i - 1) * sizeof(int));
			out->n--;
			break;
		}
}

/* What a blocked pid is doing, in a few words: "read", "stopped". */
static const char *doing(const struct analysis *an, int box_pid)
{
	const struct node *nd = node_of(an, box_pid);

	if (!nd)
		return "exited";
	if (nd->on == ON_STOPPED)
		return "stopped";
	return call_name(nd->sc.nr);
}

/* ---- the sentences ---------------------------------------------------- */

/* "; only pid 1 could post it, and it is blocked too (in read)." or
 * "; no running process will post it (pid 4, which could have, has
 * exited)." */
static void say_posters(struct hx_str *s, const struct analysis *an, const struct node *nd,
			const char *act)
{
	struct pidset p, e;

	pidset_init(&p, an);
	pidset_init(&e, an);
	posters(an, nd, &p);
	exited_could(an, nd, &e);
	if (p.n) {
		hx_str_printf(s, "; only ");
		say_pids(s, &p);
		hx_str_printf(s, " could %s, and %s blocked too", act, p.n == 1 ? "it is" : "they are");
		if (p.n == 1)
			hx_str_printf(s, " (in %s)", doing(an, p.v[0]));
	} else {
		hx_str_printf(s, "; no running process will %s", act);
	}
	if (e.n) {
		hx_str_printf(s, " (");
		say_pids(s, &e);
		hx_str_printf(s, ", which could have, %s exited)", e.n == 1 ? "has" : "have");
	}
	hx_str_printf(s, ".");
	pidset_release(&p);
	pidset_release(&e);
}

static void say_pipe(struct hx_str *s, const struct analysis *an, const struct node *nd,
		     const struct pidset *who)
{
	struct pidset h, mine;

	pidset_init(&h, an);
	pidset_init(&mine, an);
	other_end(an, nd, &h);
	for (int i = 0; i < h.n; i++)
		if (pidset_has(who, h.v[i]))
			pidset_add(&mine, h.v[i]);
	if (!nd->writing) {
		say_subject(s, who, "waits", "wait");
		hx_str_printf(s, " to read %s", nd->what);
		if (nd->on == ON_SOCKET) {
			hx_str_printf(s, ", but no running process will write to it.");
		} else if (h.n == 0) {
			hx_str_printf(s, ".");
		} else {
			hx_str_printf(s, "; its write end is still open in ");
			say_holders(s, an, &h, who);
			if (mine.n)
				hx_str_printf(s, ", so end of stream never comes: a process must close the "
					      "write ends it does not use before it reads.");
			else
				hx_str_printf(s, ", which %s blocked and will neither write nor close it, "
					      "so end of stream never comes.", h.n == 1 ? "is" : "are");
		}
	} else {
		say_subject(s, who, "waits", "wait");
		hx_str_printf(s, " to write to %s, which is full", nd->what);
		if (h.n == 0) {
			hx_str_printf(s, ", and no process holds its read end.");
		} else {
			hx_str_printf(s, "; its read end is held by ");
			say_holders(s, an, &h, who);
			hx_str_printf(s, h.n == 1 ? ", which is not reading it." : ", none of which is reading it.");
		}
	}
	pidset_release(&h);
	pidset_release(&mine);
}

static void say_futex(struct hx_str *s, const struct analysis *an, const struct node *nd,
		      const struct pidset *who)
{
	if (nd->on == ON_FUTEX_PRIVATE) {
		say_subject(s, who, "waits", "wait");
		hx_str_printf(s, " on a futex in %s own private memory (%s): after fork no other "
			      "process shares that memory, so no one can ever post it. A semaphore, "
			      "mutex or barrier shared between processes must live in shared memory "
			      "(mmap with MAP_SHARED, shm_open or shmget) and be created process-shared.",
			      who->n == 1 ? "its" : "their", nd->what);
		return;
	}
	if (nd->fkind == FUTEX_MUTEX) {
		say_subject(s, who, "waits for", "wait for");
		hx_str_printf(s, " %s", nd->what);
		if (pidset_has(who, nd->owner))
			hx_str_printf(s, ", which pid %d itself holds: a process that locks a mutex it "
				      "holds waits for good.", nd->owner);
		else if (node_of(an, nd->owner))
			hx_str_printf(s, "; it is held by pid %d, which is blocked too (in %s).", nd->owner,
				      doing(an, nd->owner));
		else
			hx_str_printf(s, "; it is held by pid %d, which has exited without unlocking it.",
				      nd->owner);
		return;
	}
	unsigned int value = 0;

	say_subject(s, who, "waits on", "wait on");
	hx_str_printf(s, " %s", nd->what);
	if (strncmp(nd->what, "the named semaphore", 19) == 0 &&
	    hx_proc_read_mem(nd->tid, nd->sc.args[0], &value, sizeof(value)) == sizeof(value))
		hx_str_printf(s, " (its value is %u)", value);
	say_posters(s, an, nd, "post it");
}

static void say_mq(struct hx_str *s, const struct analysis *an, const struct node *nd,
		   const struct pidset *who)
{
	struct pidset h, idle;
	bool recv = !nd->writing;

	say_subject(s, who, "waits", "wait");
	hx_str_printf(s, " to %s %s, which is %s", recv ? "receive from" : "send to", nd->what,
		      recv ? "empty" : "full");
	pidset_init(&h, an);
	pidset_init(&idle, an);
	other_end(an, nd, &h);
	for (int i = 0; i < h.n; i++) {
		const struct node *o = node_of(an, h.v[i]);

		if (o && !could_act(o) && !pidset_has(who, o->box_pid))
			pidset_add(&idle, o->box_pid);
	}
	if (idle.n && h.n == idle.n) {
		hx_str_printf(s, "; it is open for %s in ", recv ? "writing" : "reading");
		say_pids(s, &idle);
		hx_str_printf(s, ", which %s in wait4 and will not %s", idle.n == 1 ? "waits" : "wait",
			      recv ? "send" : "receive");
		say_posters(s, an, nd, recv ? "send to it" : "receive from it");
	} else {
		say_posters(s, an, nd, recv ? "send to it" : "receive from it");
	}
	pidset_release(&h);
	pidset_release(&idle);
}

/* One sentence about the processes of who, all waiting on what nd waits
 * on. */
static void describe(struct analysis *an, const struct node *nd, const struct pidset *who,
		     struct hx_str *s)
{
	switch (nd->on) {
	case ON_STOPPED:
		say_subject(s, who, "is", "are");
		hx_str_printf(s, " stopped (SIGSTOP or similar) and no running process will continue %s.",
			      who->n == 1 ? "it" : "them");
		break;
	case ON_SIGNAL:
		say_subject(s, who, "waits", "wait");
		hx_str_printf(s, " for a signal (%s) that no running process will send.", call_name(nd->sc.nr));
		break;
	case ON_CHILD: {
		struct pidset kids;

		pidset_init(&kids, an);
		live_children(an, nd, &kids);
		hx_str_printf(s, "pid %d waits in %s for ", nd->box_pid, call_name(nd->sc.nr));
		if (kids.n == 0) {
			hx_str_printf(s, "a child.");
		} else {
			hx_str_printf(s, "its %s ", kids.n == 1 ? "child" : "children");
			say_pids(s, &kids);
			if (kids.n == 1)
				hx_str_printf(s, " (blocked in %s)", doing(an, kids.v[0]));
			hx_str_printf(s, " to exit.");
		}
		pidset_release(&kids);
		break;
	}
	case ON_FD:
		hx_str_printf(s, "pid %d waits to %s %s.", nd->box_pid, nd->writing ? "write" : "read", nd->what);
		break;
	case ON_PIPE: case ON_SOCKET:
		say_pipe(s, an, nd, who);
		break;
	case ON_FUTEX_PRIVATE: case ON_FUTEX_SHARED:
		say_futex(s, an, nd, who);
		break;
	case ON_SEMOP:
		say_subject(s, who, "waits", "wait");
		hx_str_printf(s, " in semop on %s", nd->what);
		say_posters(s, an, nd, "change it");
		break;
	case ON_MSG:
		say_subject(s, who, "waits", "wait");
		hx_str_printf(s, " in %s on %s", nd->writing ? "msgsnd" : "msgrcv", nd->what);
		say_posters(s, an, nd, nd->writing ? "receive from it" : "send to it");
		break;
	case ON_MQ:
		say_mq(s, an, nd, who);
		break;
	case ON_FIFO:
		say_subject(s, who, "waits", "wait");
		hx_str_printf(s, " in open() of the FIFO %s", nd->path);
		say_posters(s, an, nd, "open its other end");
		break;
	case ON_OTHER:
		hx_str_printf(s, "pid %d waits in %s with no timeout.", nd->box_pid, call_name(nd->sc.nr));
		break;
	}
}

/* One node per blocked process of the box: its first live thread
 * stands for it. */
static void collect_nodes(struct analysis *an, pid_t init_pid)
{
	struct hx_pids pids = { 0 }, tids = { 0 };

	hx_proc_descendants(init_pid, &pids);	/* empty when the box is gone */
	for (size_t i = 0; i < pids.n; i++) {
		struct node *grown = hx_grow(an->nodes, &an->cnodes, (size_t)an->n + 1, sizeof(*grown));

		if (!grown)
			break;
		an->nodes = grown;
		struct node *nd = &an->nodes[an->n];

		hx_proc_threads(pids.v[i], &tids);
		memset(nd, 0, sizeof(*nd));
		nd->host_pid = pids.v[i];
		nd->box_pid = hx_tracer_box_pid(an->t, pids.v[i]);
		for (size_t j = 0; j < tids.n; j++) {
			struct hx_proc_stat st;

			if (hx_proc_stat(pids.v[i], tids.v[j], &st) < 0 || st.state == 'Z' || st.state == 'X')
				continue;
			nd->tid = tids.v[j];
			nd->state = st.state;
			hx_read_syscall(pids.v[i], tids.v[j], &nd->sc);
			nd->kind = hx_classify_wait(st.state, &nd->sc);
			break;
		}
		if (nd->tid && nd->box_pid > 0)
			an->n++;
	}
	hx_pids_release(&pids);
	hx_pids_release(&tids);
	/* Report in box pid order. */
	if (an->n)
		qsort(an->nodes, (size_t)an->n, sizeof(an->nodes[0]), by_box_pid);
	for (int i = 0; i < an->n; i++)
		hx_waitgraph_add_node(&an->graph, an->nodes[i].box_pid);
}

/* The run's processes the tracer knows that have no live node: exited
 * (zombies included). */
static void collect_exited(struct analysis *an)
{
	int n = hx_tracer_nprocs(an->t);

	an->exited = calloc((size_t)(n > 0 ? n : 1), sizeof(int));
	for (int p = 1; an->exited && p <= n; p++)
		if (!node_of(an, p))
			an->exited[an->nexited++] = p;
}

struct hx_deadlock *hx_deadlock_explain(pid_t init_pid, struct hx_tracer *t, unsigned after_ms)
{
	struct analysis *an = calloc(1, sizeof(*an));
	struct hx_deadlock *d = calloc(1, sizeof(*d));
	struct hx_str s;

	if (!an || !d) {
		free(an);
		free(d);
		return NULL;
	}
	an->t = t;
	hx_waitgraph_init(&an->graph);
	hx_tracer_discover(t);
	collect_nodes(an, init_pid);
	collect_exited(an);
	for (int i = 0; i < an->n; i++) {
		struct node *nd = &an->nodes[i];

		collect_fds(an, nd);
		collect_maps(nd);
		nd->semid = nd->semnum = -1;
		if (nd->sc.nr == SYS_semop || nd->sc.nr == SYS_semtimedop) {
			struct sembuf op;

			nd->semid = (int)nd->sc.args[0];
			if (hx_proc_read_mem(nd->tid, nd->sc.args[1], &op, sizeof(op)) == sizeof(op)) {
				nd->semnum = op.sem_num;
				nd->semop = op.sem_op;
			}
		}
	}
	/* The fd table is complete: what each waits on, then the edges. */
	for (int i = 0; i < an->n; i++)
		classify(an, &an->nodes[i]);
	recognise_semaphores(an);

	d->after_ms = after_ms;
	d->procs = calloc((size_t)(an->n ? an->n : 1), sizeof(*d->procs));
	for (int i = 0; i < an->n && d->procs; i++) {
		struct node *nd = &an->nodes[i];
		struct hx_blocked *b = &d->procs[i];
		struct pidset edges, kids, self;
		struct hx_str detail;

		pidset_init(&edges, an);
		pidset_init(&kids, an);
		pidset_init(&self, an);
		waits_for(an, nd, &edges);
		for (int k = 0; k < edges.n; k++)
			hx_waitgraph_add_edge(&an->graph, (size_t)i, (size_t)(node_of(an, edges.v[k]) - an->nodes));
		if (nd->on == ON_CHILD)
			live_children(an, nd, &kids);
		b->pid = nd->box_pid;
		b->blocked_in = hx_strdup(nd->on == ON_STOPPED ? "stopped" : call_name(nd->sc.nr));
		b->object = object_of(an, nd, &kids);
		b->waits_for = edges.v;
		b->nwaits_for = (size_t)edges.n;
		edges.v = NULL;
		pidset_add(&self, nd->box_pid);
		hx_str_init(&detail, 4096);
		describe(an, nd, &self, &detail);
		b->detail = hx_str_steal(&detail);
		d->nprocs++;
		pidset_release(&kids);
		pidset_release(&self);
	}
	bool cycle = hx_waitgraph_find_cycle(&an->graph, &d->cycle, &d->cycle_len) == 0 && d->cycle;

	hx_str_init(&s, 16384);
	hx_str_printf(&s, "Deadlock: after %u ms every process was blocked, %s. ", after_ms,
		      cycle ? "waiting for something only another blocked process could do"
			    : "each waiting for something no running process will do");
	/* One sentence per object: the processes waiting on it together. */
	for (int i = 0; i < an->n; i++) {
		struct node *nd = &an->nodes[i];
		struct pidset who;

		if (nd->described)
			continue;
		pidset_init(&who, an);
		for (int j = i; j < an->n; j++)
			if (j == i || (nd->key[0] && strcmp(an->nodes[j].key, nd->key) == 0)) {
				an->nodes[j].described = true;
				pidset_add(&who, an->nodes[j].box_pid);
			}
		describe(an, nd, &who, &s);
		hx_str_printf(&s, " ");
		pidset_release(&who);
	}
	if (cycle) {
		hx_str_printf(&s, "They wait for each other in a cycle: ");
		for (size_t i = 0; i < d->cycle_len; i++)
			hx_str_printf(&s, "pid %d -> ", d->cycle[i]);
		hx_str_printf(&s, "pid %d.", d->cycle[0]);
	}
	/* Trim the trailing space. */
	while (s.len && s.s[s.len - 1] == ' ')
		s.s[--s.len] = '\0';
	d->explanation = hx_str_steal(&s);
	for (int i = 0; i < an->n; i++)
		free(an->nodes[i].maps);
	free(an->nodes);
	free(an->fds);
	free(an->exited);
	hx_waitgraph_release(&an->graph);
	free(an);
	return d;
}

void hx_deadlock_free(struct hx_deadlock *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->nprocs; i++) {
		free(d->procs[i].blocked_in);
		free(d->procs[i].object);
		free(d->procs[i].detail);
		free(d->procs[i].waits_for);
	}
	free(d->procs);
	free(d->cycle);
	free(d->explanation);
	free(d);
}

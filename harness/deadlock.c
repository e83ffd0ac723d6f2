/*
 * deadlock.c - explain a deadlock in words a student can act on.
 *
 * Called once the watchdog has seen every process blocked for good. For
 * each process we name the call it is blocked in and the object it waits
 * on, found from /proc: pipes by inode with every process holding their
 * read or write ends (fd links plus fdinfo flags), futex addresses mapped
 * through /proc/PID/maps to the shared object (a named semaphore's name,
 * a shared mapping, or private memory, which nobody else can ever post),
 * System V ids, queues by name, children for wait4. Each explanation
 * adds "waits for" edges to a wait-for graph (waitgraph.c); a cycle in
 * it is printed as one. Every table here grows with the box: a deadlock
 * of thousands of processes is explained like one of two.
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
	int semid, semnum;
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
};

static int by_box_pid(const void *a, const void *b)
{
	const struct node *x = a, *y = b;

	return (x->box_pid > y->box_pid) - (x->box_pid < y->box_pid);
}

static struct node *node_of(struct analysis *an, int box_pid)
{
	struct node key = { .box_pid = box_pid };

	return an->n ? bsearch(&key, an->nodes, (size_t)an->n, sizeof(key), by_box_pid) : NULL;
}

/* from waits for the process of box pid to (when it is blocked too). */
static void add_edge(struct analysis *an, const struct node *from, int to)
{
	const struct node *t = node_of(an, to);

	if (t)
		hx_waitgraph_add_edge(&an->graph, (size_t)(from - an->nodes), (size_t)(t - an->nodes));
}

/* Room for one int per node, for lists of box pids; NULL when out of
 * memory (the lists then stay empty). */
static int *pid_list(const struct analysis *an)
{
	return calloc((size_t)an->n + 1, sizeof(int));
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

static const struct fd_entry *fd_of(struct analysis *an, int box_pid, int fd)
{
	for (int i = 0; i < an->nfds; i++)
		if (an->fds[i].box_pid == box_pid && an->fds[i].fd == fd)
			return &an->fds[i];
	return NULL;
}

/* "pid 1 and pid 3 itself" style lists of the holders of one end. */
static int holders(struct analysis *an, const struct fd_entry *obj, bool want_write,
		   int *out, int max)
{
	int n = 0;

	for (int i = 0; i < an->nfds && n < max; i++) {
		const struct fd_entry *f = &an->fds[i];
		bool w = f->accmode == O_WRONLY || f->accmode == O_RDWR;
		bool r = f->accmode == O_RDONLY || f->accmode == O_RDWR;

		if (f->dev != obj->dev || f->ino != obj->ino || !(want_write ? w : r))
			continue;
		bool seen = false;

		for (int j = 0; j < n; j++)
			seen |= out[j] == f->box_pid;
		if (!seen)
			out[n++] = f->box_pid;
	}
	return n;
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

static void list_pids(struct hx_str *s, const int *pids, int n, int self)
{
	for (int i = 0; i < n; i++) {
		const char *sep = i == 0 ? "" : (i == n - 1 ? " and " : ", ");

		if (pids[i] == self)
			hx_str_printf(s, "%spid %d itself", sep, pids[i]);
		else
			hx_str_printf(s, "%spid %d", sep, pids[i]);
	}
}

/* What a blocked pid is doing, in a few words, for "held by pid 1 (...)". */
static const char *doing(struct analysis *an, int box_pid)
{
	struct node *nd = node_of(an, box_pid);

	if (!nd)
		return "not blocked";
	if (nd->kind == HX_WAIT_STOPPED)
		return "stopped";
	return call_name(nd->sc.nr);
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

static void describe_futex(struct analysis *an, struct node *nd, struct hx_blocked *b,
			   struct hx_str *s)
{
	unsigned int value = 0;
	bool have_value = hx_proc_read_mem(nd->tid, nd->sc.args[0], &value, sizeof(value)) == sizeof(value);
	char name[160] = "";
	const struct mapping *m = &nd->fmap;

	if (!nd->futex_obj || !m->shared) {
		b->object = hx_strdup_printf("private memory %#lx", (unsigned long)nd->sc.args[0]);
		hx_str_printf(s, "pid %d waits on a futex in its own private memory (%s): after fork "
			      "no other process shares that memory, so no one can ever post it. A "
			      "semaphore, mutex or barrier shared between processes must live in "
			      "shared memory (mmap with MAP_SHARED, shm_open or shmget) and be "
			      "created process-shared.", nd->box_pid,
			      nd->futex_obj && m->path[0] ? m->path : "the heap, stack or a global");
		return;
	}
	bool named = shm_name(nd, m, name, sizeof(name));

	if (named && strncmp(name, "sem.", 4) == 0) {
		b->object = hx_strdup_printf("semaphore /%s", name + 4);
		hx_str_printf(s, "pid %d waits in sem_wait on the named semaphore /%s", nd->box_pid, name + 4);
		if (have_value)
			hx_str_printf(s, " (its value is %u)", value);
	} else if (named) {
		b->object = hx_strdup_printf("shared memory /%s + %#lx", name, nd->foff);
		hx_str_printf(s, "pid %d waits on a futex (a semaphore, mutex or barrier) in the shared "
			      "memory object /%s at offset %#lx", nd->box_pid, name, nd->foff);
	} else if (strncmp(m->path, "/SYSV", 5) == 0) {
		b->object = hx_strdup_printf("System V shared memory key 0x%.8s + %#lx", m->path + 5, nd->foff);
		hx_str_printf(s, "pid %d waits on a futex (a semaphore, mutex or barrier) in a System V "
			      "shared memory segment at offset %#lx", nd->box_pid, nd->foff);
	} else {
		b->object = hx_strdup_printf("anonymous shared memory + %#lx", nd->foff);
		hx_str_printf(s, "pid %d waits on a futex (a semaphore, mutex or barrier) in an anonymous "
			      "shared mapping at offset %#lx", nd->box_pid, nd->foff);
	}
	/* Who could wake it: the processes sharing the object that do not
	 * wait on this very word themselves. */
	int *who = pid_list(an), n = 0;

	for (int i = 0; i < an->n && who; i++) {
		struct node *o = &an->nodes[i];

		if (o == nd || !maps_object(o, m->dev, m->ino))
			continue;
		if (o->futex_obj && o->fmap.dev == m->dev && o->fmap.ino == m->ino && o->foff == nd->foff)
			continue;
		who[n++] = o->box_pid;
		add_edge(an, nd, o->box_pid);
	}
	if (n == 0) {
		hx_str_printf(s, "; every process sharing it waits on it too, so none will post it.");
	} else {
		hx_str_printf(s, "; only ");
		list_pids(s, who, n, nd->box_pid);
		hx_str_printf(s, " could post it, and %s blocked too.", n == 1 ? "it is" : "they are");
	}
	free(who);
}

static void describe(struct analysis *an, struct node *nd, struct hx_blocked *b, struct hx_str *s)
{
	const unsigned long *a = nd->sc.args;
	int *ends = pid_list(an);

	b->pid = nd->box_pid;
	b->blocked_in = hx_strdup(nd->kind == HX_WAIT_STOPPED ? "stopped" : call_name(nd->sc.nr));
	if (nd->kind == HX_WAIT_STOPPED) {
		b->object = hx_strdup("a signal");
		hx_str_printf(s, "pid %d is stopped (SIGSTOP or similar) and no running process will "
			      "continue it.", nd->box_pid);
		free(ends);
		return;
	}
	switch (nd->sc.nr) {
	case SYS_read: case SYS_readv: case SYS_recvfrom: case SYS_recvmsg:
	case SYS_write: case SYS_writev: case SYS_sendto: case SYS_sendmsg: {
		bool reading = nd->sc.nr == SYS_read || nd->sc.nr == SYS_readv ||
			       nd->sc.nr == SYS_recvfrom || nd->sc.nr == SYS_recvmsg;
		const struct fd_entry *fe = fd_of(an, nd->box_pid, (int)a[0]);

		if (!fe) {
			b->object = hx_strdup_printf("fd %d", (int)a[0]);
			hx_str_printf(s, "pid %d waits to %s fd %d.", nd->box_pid,
				      reading ? "read" : "write", (int)a[0]);
			break;
		}
		b->object = hx_strdup(fe->link);
		bool socket = strncmp(fe->link, "socket:", 7) == 0;
		/* A socket's peer end is the other socket of the pair: any
		 * holder of either could write; we only know this one. */
		int n = ends ? holders(an, fe, reading, ends, an->n + 1) : 0;

		for (int i = 0; i < n; i++)
			add_edge(an, nd, ends[i]);
		if (reading) {
			hx_str_printf(s, "pid %d waits to read %s", nd->box_pid, fe->link);
			if (socket) {
				hx_str_printf(s, ", but no running process will write to it.");
			} else if (n == 0) {
				hx_str_printf(s, ".");
			} else {
				hx_str_printf(s, "; its write end is still open in ");
				list_pids(s, ends, n, nd->box_pid);
				bool self = false;

				for (int i = 0; i < n; i++)
					self |= ends[i] == nd->box_pid;
				if (self)
					hx_str_printf(s, ", so end of stream never comes: a process must "
						      "close the write ends it does not use before it reads.");
				else
					hx_str_printf(s, ", which %s blocked and will neither "
						      "write nor close it, so end of stream never comes.",
						      n == 1 ? "is" : "are");
			}
		} else {
			hx_str_printf(s, "pid %d waits to write to %s, which is full", nd->box_pid, fe->link);
			if (n == 0) {
				hx_str_printf(s, ", and no process holds its read end.");
			} else {
				hx_str_printf(s, "; its read end is held by ");
				list_pids(s, ends, n, nd->box_pid);
				hx_str_printf(s, n == 1 ? ", which is not reading it." : ", none of which is reading it.");
			}
		}
		break;
	}
	case SYS_wait4: case SYS_waitid: {
		struct hx_pids kids = { 0 };
		int nlive = 0;
		int *live = ends;	/* the live children: at most one per node */
		int want = nd->sc.nr == SYS_wait4 ? (int)a[0] : -1;

		hx_proc_children(nd->host_pid, &kids);
		for (size_t i = 0; i < kids.n && live; i++) {
			int bp = hx_tracer_box_pid(an->t, kids.v[i]);
			struct node *cn = node_of(an, bp);

			if (!cn)
				continue;	/* a zombie, or not ours */
			if (want > 0 && hx_proc_nspid(kids.v[i]) != want && kids.v[i] != want)
				continue;
			live[nlive++] = bp;
			add_edge(an, nd, bp);
		}
		hx_pids_release(&kids);
		if (nlive == 0) {
			b->object = hx_strdup("a child");
			hx_str_printf(s, "pid %d waits in %s for a child.", nd->box_pid, b->blocked_in);
			break;
		}
		b->object = hx_strdup_printf("child pid %d", live[0]);
		hx_str_printf(s, "pid %d waits in %s for its child%s ", nd->box_pid, b->blocked_in,
			      nlive > 1 ? "ren" : "");
		for (int i = 0; i < nlive; i++)
			hx_str_printf(s, "%spid %d (blocked in %s)", i == 0 ? "" :
				      i == nlive - 1 ? " and " : ", ", live[i], doing(an, live[i]));
		hx_str_printf(s, " to exit.");
		break;
	}
	case SYS_futex: case SYS_futex_waitv:
		describe_futex(an, nd, b, s);
		break;
	case SYS_semop: case SYS_semtimedop: {
		struct sembuf ops[4];
		int nops = (int)a[2] < 4 ? (int)a[2] : 4;

		b->object = hx_strdup_printf("System V semaphore set %d", (int)a[0]);
		hx_str_printf(s, "pid %d waits in semop on System V semaphore set id %d", nd->box_pid,
			      (int)a[0]);
		if (nops > 0 && hx_proc_read_mem(nd->tid, a[1], ops, sizeof(ops[0]) * (size_t)nops) ==
		    (ssize_t)(sizeof(ops[0]) * (size_t)nops))
			hx_str_printf(s, " (semaphore %d, operation %+d)", ops[0].sem_num, ops[0].sem_op);
		/* Any process could change it by id; those waiting on the same
		 * semaphore will not. */
		int n = 0;

		for (int i = 0; i < an->n && ends; i++) {
			struct node *o = &an->nodes[i];

			if (o == nd || (o->semid == nd->semid && o->semnum == nd->semnum))
				continue;
			ends[n++] = o->box_pid;
			add_edge(an, nd, o->box_pid);
		}
		if (n) {
			hx_str_printf(s, "; the other processes (");
			list_pids(s, ends, n, nd->box_pid);
			hx_str_printf(s, ") are blocked too, so none will change it.");
		} else {
			hx_str_printf(s, ", and no other process will change it.");
		}
		break;
	}
	case SYS_msgrcv: case SYS_msgsnd:
		b->object = hx_strdup_printf("System V message queue %d", (int)a[0]);
		hx_str_printf(s, "pid %d waits in %s on System V message queue id %d, and no running "
			      "process will %s it.", nd->box_pid, b->blocked_in, (int)a[0],
			      nd->sc.nr == SYS_msgrcv ? "send to" : "receive from");
		break;
	case SYS_mq_timedreceive: case SYS_mq_timedsend: {
		bool recv = nd->sc.nr == SYS_mq_timedreceive;
		const struct fd_entry *fe = fd_of(an, nd->box_pid, (int)a[0]);
		const char *name = fe ? fe->link : "?";

		if (strncmp(name, "/dev/mqueue", 11) == 0)
			name += 11;
		b->object = hx_strdup_printf("message queue %s", name);
		hx_str_printf(s, "pid %d waits to %s message queue %s, which is %s", nd->box_pid,
			      recv ? "receive from" : "send to", name, recv ? "empty" : "full");
		if (fe && ends) {
			int n = holders(an, fe, recv, ends, an->n + 1);
			int m = 0;

			for (int i = 0; i < n; i++)
				if (ends[i] != nd->box_pid)
					ends[m++] = ends[i];
			for (int i = 0; i < m; i++)
				add_edge(an, nd, ends[i]);
			if (m) {
				hx_str_printf(s, "; it is open for %s in ", recv ? "writing" : "reading");
				list_pids(s, ends, m, nd->box_pid);
				hx_str_printf(s, ", blocked too.");
				break;
			}
		}
		hx_str_printf(s, ", and no other process has it open for %s.", recv ? "writing" : "reading");
		break;
	}
	case SYS_pause: case SYS_rt_sigsuspend: case SYS_rt_sigtimedwait:
		b->object = hx_strdup("a signal");
		hx_str_printf(s, "pid %d waits for a signal (%s) that no running process will send.",
			      nd->box_pid, b->blocked_in);
		break;
	case SYS_open: case SYS_openat: {
		char path[256] = "?";

		hx_proc_read_string(nd->tid, nd->sc.nr == SYS_open ? a[0] : a[1], path, sizeof(path));
		b->object = hx_strdup_printf("FIFO %s", path);
		hx_str_printf(s, "pid %d waits in open() of the FIFO %s for a process to open its "
			      "other end, and none will.", nd->box_pid, path);
		/* Any other process could open the other end. */
		for (int i = 0; i < an->n; i++)
			if (an->nodes[i].box_pid != nd->box_pid)
				add_edge(an, nd, an->nodes[i].box_pid);
		break;
	}
	default:
		b->object = hx_strdup("-");
		hx_str_printf(s, "pid %d waits in %s with no timeout.", nd->box_pid, b->blocked_in);
		break;
	}
	free(ends);
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
	for (int i = 0; i < an->n; i++) {
		struct node *nd = &an->nodes[i];

		collect_fds(an, nd);
		collect_maps(nd);
		nd->semid = nd->semnum = -1;
		if (nd->sc.nr == SYS_semop || nd->sc.nr == SYS_semtimedop) {
			struct sembuf op;

			nd->semid = (int)nd->sc.args[0];
			if (hx_proc_read_mem(nd->tid, nd->sc.args[1], &op, sizeof(op)) == sizeof(op))
				nd->semnum = op.sem_num;
		}
	}

	d->after_ms = after_ms;
	d->procs = calloc((size_t)(an->n ? an->n : 1), sizeof(*d->procs));
	hx_str_init(&s, 16384);
	hx_str_printf(&s, "Deadlock: after %u ms every process was blocked, waiting for something "
		      "only another blocked process could do. ", after_ms);
	for (int i = 0; i < an->n && d->procs; i++) {
		struct hx_str detail;

		hx_str_init(&detail, 4096);
		describe(an, &an->nodes[i], &d->procs[i], &detail);
		hx_str_printf(&s, "%s ", detail.s ? detail.s : "");
		d->procs[i].detail = hx_str_steal(&detail);
		d->nprocs++;
	}
	if (hx_waitgraph_find_cycle(&an->graph, &d->cycle, &d->cycle_len) == 0 && d->cycle) {
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
	}
	free(d->procs);
	free(d->cycle);
	free(d->explanation);
	free(d);
}

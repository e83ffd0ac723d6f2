/*
 * deadlock_graph.c - the blocked processes of a deadlocked box, what each
 * waits on, and who would have to act for it (see deadlock.c for the
 * whole explainer, deadlock.h for what its files share).
 *
 * Everything is read from /proc while the box stays frozen in its
 * deadlock: each process's first live thread and the call it is blocked
 * in, its fds (links plus fdinfo flags), its shared mappings and the one
 * holding a futex word, a semop's sembuf. The classification gives each
 * process the object it waits on, a key (processes with the same key
 * wait on the same object) and the object in words; the edges are the
 * processes that would have to act: the holders of a pipe's other end,
 * the children a wait4 waits for, the owner of a locked mutex, the
 * blocked processes that could post a semaphore or send to a queue.
 * Every table grows with the box.
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

#include "deadlock.h"

/* Where glibc (x86-64) keeps what we read of a futex word's neighbours:
 * a sem_t's waiter count right after its value, a pthread_mutex_t's
 * owner (a thread id) 8 bytes after its lock word. */
#define SEM_NWAITERS_OFFSET 4
#define MUTEX_OWNER_OFFSET 8
/* The value a contended lock word holds while others wait on it. */
#define LOCK_CONTENDED 2

/* ---- nodes and sets of pids ------------------------------------------ */

static int by_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

static int by_box_pid(const void *a, const void *b)
{
	const struct hx_dl_node *x = a, *y = b;

	return (x->box_pid > y->box_pid) - (x->box_pid < y->box_pid);
}

struct hx_dl_node *hx_dl_node_of(const struct hx_dl_analysis *an, int box_pid)
{
	struct hx_dl_node key = { .box_pid = box_pid };

	return an->n ? bsearch(&key, an->nodes, (size_t)an->n, sizeof(key), by_box_pid) : NULL;
}

void hx_dl_pidset_init(struct hx_dl_pidset *ps, const struct hx_dl_analysis *an)
{
	int room = an->n + an->nexited + 1;

	ps->v = calloc((size_t)room, sizeof(int));
	ps->n = 0;
}

void hx_dl_pidset_add(struct hx_dl_pidset *ps, int pid)
{
	if (!ps->v || pid <= 0)
		return;
	for (int i = 0; i < ps->n; i++)
		if (ps->v[i] == pid)
			return;
	ps->v[ps->n++] = pid;
	qsort(ps->v, (size_t)ps->n, sizeof(int), by_int);
}

bool hx_dl_pidset_has(const struct hx_dl_pidset *ps, int pid)
{
	for (int i = 0; i < ps->n; i++)
		if (ps->v[i] == pid)
			return true;
	return false;
}

void hx_dl_pidset_release(struct hx_dl_pidset *ps)
{
	free(ps->v);
	ps->v = NULL;
	ps->n = 0;
}

/* ---- what /proc says of a process ------------------------------------- */

static void collect_fds(struct hx_dl_analysis *an, const struct hx_dl_node *nd)
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
		struct hx_dl_fd *grown = hx_grow(an->fds, &an->cfds, (size_t)an->nfds + 1, sizeof(*grown));

		if (!grown)
			break;
		an->fds = grown;
		struct hx_dl_fd *f = &an->fds[an->nfds];
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

const char *hx_dl_call_name(long nr)
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
static bool parse_map(const char *line, struct hx_dl_mapping *m)
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
static void collect_maps(struct hx_dl_node *nd)
{
	char path[64], line[512];
	FILE *f;
	bool want_futex = nd->sc.nr == SYS_futex || nd->sc.nr == SYS_futex_waitv;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)nd->host_pid);
	f = fopen(path, "re");
	while (f && fgets(line, sizeof(line), f)) {
		struct hx_dl_mapping m;

		if (!parse_map(line, &m))
			continue;
		if (want_futex && nd->sc.args[0] >= m.lo && nd->sc.args[0] < m.hi) {
			nd->futex_obj = true;
			nd->fmap = m;
			nd->foff = nd->sc.args[0] - m.lo + m.off;
		}
		if (!m.shared)
			continue;
		struct hx_dl_mapping *grown = hx_grow(nd->maps, &nd->cmaps, nd->nmaps + 1, sizeof(*grown));

		if (!grown)
			break;
		nd->maps = grown;
		nd->maps[nd->nmaps++] = m;
	}
	if (f)
		fclose(f);
}

static bool maps_object(const struct hx_dl_node *nd, dev_t dev, ino_t ino)
{
	for (size_t i = 0; i < nd->nmaps; i++)
		if (nd->maps[i].dev == dev && nd->maps[i].ino == ino)
			return true;
	return false;
}

/* The name under /dev/shm of an object, looked up in the box's own
 * /dev/shm (the creator of a named semaphore maps glibc's temp file,
 * unlinked since, so its maps line does not say the name). */
bool hx_dl_shm_name(const struct hx_dl_node *nd, const struct hx_dl_mapping *m, char *out, size_t size)
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

/* ---- what each process waits on ------------------------------------- */

/* A process that would act if it ran: not one blocked in wait4 (it waits
 * for its children and does nothing else meanwhile), nor a stopped one. */
bool hx_dl_could_act(const struct hx_dl_node *o)
{
	return o->on != DL_ON_CHILD && o->on != DL_ON_STOPPED;
}

static void classify_futex(struct hx_dl_analysis *an, struct hx_dl_node *nd)
{
	const struct hx_dl_mapping *m = &nd->fmap;
	char name[160] = "", place[240];
	uint64_t addr = nd->sc.args[0];

	if (!nd->futex_obj || !m->shared) {
		const char *where = nd->futex_obj && m->path[0] ? m->path : "the heap, stack or a global";

		nd->on = DL_ON_FUTEX_PRIVATE;
		snprintf(nd->key, sizeof(nd->key), "private %s", where);
		snprintf(nd->what, sizeof(nd->what), "%s", where);
		return;
	}
	nd->on = DL_ON_FUTEX_SHARED;
	snprintf(nd->key, sizeof(nd->key), "futex %lu:%lu %#lx", (unsigned long)m->dev,
		 (unsigned long)m->ino, nd->foff);
	nd->named = hx_dl_shm_name(nd, m, name, sizeof(name));
	if (nd->named && strncmp(name, "sem.", 4) == 0) {
		nd->fkind = DL_FUTEX_SEMAPHORE;
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
		nd->fkind = DL_FUTEX_MUTEX;
	snprintf(nd->what, sizeof(nd->what), "%s at offset 0x%lx of %s",
		 nd->fkind == DL_FUTEX_MUTEX ? "the mutex" : "a futex (a semaphore, mutex or barrier)",
		 nd->foff, place);
}

/* A sem_t's value is 0 while its waiters sleep, and its waiter count,
 * right after the value, counts them: then the futex is a semaphore. */
static void recognise_semaphores(struct hx_dl_analysis *an)
{
	for (int i = 0; i < an->n; i++) {
		struct hx_dl_node *nd = &an->nodes[i];
		unsigned int nwaiters = 0;
		unsigned waiting = 0;

		if (nd->on != DL_ON_FUTEX_SHARED || nd->fkind != DL_FUTEX_UNKNOWN || nd->sc.args[2] != 0)
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
		nd->fkind = DL_FUTEX_SEMAPHORE;
	}
}

static int fd_index(const struct hx_dl_analysis *an, int box_pid, int fd)
{
	for (int i = 0; i < an->nfds; i++)
		if (an->fds[i].box_pid == box_pid && an->fds[i].fd == fd)
			return i;
	return -1;
}

/* What nd waits on, its key and the object in words. */
static void classify(struct hx_dl_analysis *an, struct hx_dl_node *nd)
{
	const unsigned long *a = nd->sc.args;

	nd->fdi = -1;
	if (nd->kind == HX_WAIT_STOPPED) {
		nd->on = DL_ON_STOPPED;
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
			nd->on = DL_ON_FD;
			snprintf(nd->what, sizeof(nd->what), "fd %d", (int)a[0]);
			break;
		}
		const struct hx_dl_fd *fe = &an->fds[nd->fdi];

		nd->on = strncmp(fe->link, "socket:", 7) == 0 ? DL_ON_SOCKET : DL_ON_PIPE;
		snprintf(nd->what, sizeof(nd->what), "%s", fe->link);
		snprintf(nd->key, sizeof(nd->key), "%s %lu:%lu", reading ? "read" : "write",
			 (unsigned long)fe->dev, (unsigned long)fe->ino);
		break;
	}
	case SYS_wait4: case SYS_waitid:
		nd->on = DL_ON_CHILD;
		break;
	case SYS_futex: case SYS_futex_waitv:
		classify_futex(an, nd);
		break;
	case SYS_semop: case SYS_semtimedop:
		nd->on = DL_ON_SEMOP;
		snprintf(nd->key, sizeof(nd->key), "semop %d %d %d", nd->semid, nd->semnum, nd->semop);
		if (nd->semnum >= 0)
			snprintf(nd->what, sizeof(nd->what), "System V semaphore set id %d (semaphore %d, "
				 "operation %+d)", nd->semid, nd->semnum, nd->semop);
		else
			snprintf(nd->what, sizeof(nd->what), "System V semaphore set id %d", nd->semid);
		nd->named = true;
		break;
	case SYS_msgrcv: case SYS_msgsnd:
		nd->on = DL_ON_MSG;
		nd->writing = nd->sc.nr == SYS_msgsnd;
		nd->named = true;
		snprintf(nd->key, sizeof(nd->key), "msg %c %d", nd->writing ? 'w' : 'r', (int)a[0]);
		snprintf(nd->what, sizeof(nd->what), "System V message queue id %d", (int)a[0]);
		break;
	case SYS_mq_timedreceive: case SYS_mq_timedsend: {
		const char *name = "?";

		nd->on = DL_ON_MQ;
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
		nd->on = DL_ON_SIGNAL;
		snprintf(nd->key, sizeof(nd->key), "signal %s", hx_dl_call_name(nd->sc.nr));
		break;
	case SYS_open: case SYS_openat:
		nd->on = DL_ON_FIFO;
		nd->named = true;
		snprintf(nd->path, sizeof(nd->path), "?");
		hx_proc_read_string(nd->tid, nd->sc.nr == SYS_open ? a[0] : a[1], nd->path, sizeof(nd->path));
		snprintf(nd->key, sizeof(nd->key), "fifo %s", nd->path);
		break;
	default:
		nd->on = DL_ON_OTHER;
		break;
	}
}

/* ---- who would have to act ------------------------------------------ */

/* The holders of the other end of nd's pipe, socket or queue (all of
 * them, nd itself included). */
void hx_dl_other_end(const struct hx_dl_analysis *an, const struct hx_dl_node *nd, struct hx_dl_pidset *out)
{
	if (nd->fdi < 0)
		return;
	const struct hx_dl_fd *obj = &an->fds[nd->fdi];
	bool want_write = !nd->writing;

	for (int i = 0; i < an->nfds; i++) {
		const struct hx_dl_fd *f = &an->fds[i];
		bool w = f->accmode == O_WRONLY || f->accmode == O_RDWR;
		bool r = f->accmode == O_RDONLY || f->accmode == O_RDWR;

		if (f->dev == obj->dev && f->ino == obj->ino && (want_write ? w : r))
			hx_dl_pidset_add(out, f->box_pid);
	}
}

/* The blocked processes that could post, change, send or open what nd
 * waits for: those that would act (hx_dl_could_act), are not waiting on the
 * very same object, and (a shared futex) map it. */
void hx_dl_posters(const struct hx_dl_analysis *an, const struct hx_dl_node *nd, struct hx_dl_pidset *out)
{
	struct hx_dl_pidset ends;

	if (nd->on == DL_ON_MQ) {
		hx_dl_pidset_init(&ends, an);
		hx_dl_other_end(an, nd, &ends);
	}
	for (int i = 0; i < an->n; i++) {
		const struct hx_dl_node *o = &an->nodes[i];

		if (o == nd || !hx_dl_could_act(o) || strcmp(o->key, nd->key) == 0)
			continue;
		if (nd->on == DL_ON_FUTEX_SHARED && !maps_object(o, nd->fmap.dev, nd->fmap.ino))
			continue;
		if (nd->on == DL_ON_MQ && !hx_dl_pidset_has(&ends, o->box_pid))
			continue;
		hx_dl_pidset_add(out, o->box_pid);
	}
	if (nd->on == DL_ON_MQ)
		hx_dl_pidset_release(&ends);
}

/* Whether an exited process could have shared an anonymous mapping: its
 * nearest live ancestor maps it (mappings are inherited by fork). */
static bool could_share_anon(const struct hx_dl_analysis *an, int box_pid, const struct hx_dl_mapping *m)
{
	for (int hops = 0, p = box_pid; hops <= an->nexited; hops++) {
		const struct hx_dl_node *o;

		p = hx_tracer_parent_box(an->t, p);
		if (p <= 0)
			return false;
		if ((o = hx_dl_node_of(an, p)))
			return maps_object(o, m->dev, m->ino);
	}
	return false;
}

/* The processes of the run that have exited and could have done what nd
 * waits for: any of them for a named object, the sharers of an
 * anonymous mapping. */
void hx_dl_exited_could(const struct hx_dl_analysis *an, const struct hx_dl_node *nd, struct hx_dl_pidset *out)
{
	bool any = nd->named || nd->on == DL_ON_MQ || nd->on == DL_ON_FIFO || nd->on == DL_ON_SEMOP ||
		   nd->on == DL_ON_MSG;

	if (nd->on != DL_ON_FUTEX_SHARED && !any)
		return;
	for (int i = 0; i < an->nexited; i++)
		if (any || could_share_anon(an, an->exited[i], &nd->fmap))
			hx_dl_pidset_add(out, an->exited[i]);
}

/* The live children nd's wait4 or waitid waits for. */
void hx_dl_live_children(const struct hx_dl_analysis *an, const struct hx_dl_node *nd, struct hx_dl_pidset *out)
{
	struct hx_pids kids = { 0 };
	int want = nd->sc.nr == SYS_wait4 ? (int)nd->sc.args[0] : -1;

	hx_proc_children(nd->host_pid, &kids);
	for (size_t i = 0; i < kids.n; i++) {
		int bp = hx_tracer_box_pid(an->t, kids.v[i]);

		if (!hx_dl_node_of(an, bp))
			continue;	/* a zombie, or not ours */
		if (want > 0 && hx_proc_nspid(kids.v[i]) != want && kids.v[i] != want)
			continue;
		hx_dl_pidset_add(out, bp);
	}
	hx_pids_release(&kids);
}

/* nd's wait-for edges: the blocked processes that would have to act. */
void hx_dl_waits_for(const struct hx_dl_analysis *an, const struct hx_dl_node *nd, struct hx_dl_pidset *out)
{
	switch (nd->on) {
	case DL_ON_PIPE: case DL_ON_SOCKET:
		hx_dl_other_end(an, nd, out);
		break;
	case DL_ON_CHILD:
		hx_dl_live_children(an, nd, out);
		break;
	case DL_ON_FUTEX_SHARED:
		if (nd->fkind == DL_FUTEX_MUTEX)
			hx_dl_pidset_add(out, hx_dl_node_of(an, nd->owner) ? nd->owner : 0);
		else
			hx_dl_posters(an, nd, out);
		break;
	case DL_ON_SEMOP: case DL_ON_MSG: case DL_ON_MQ: case DL_ON_FIFO:
		hx_dl_posters(an, nd, out);
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

/* ---- the analysis ---------------------------------------------------- */

/* One node per blocked process of the box: its first live thread
 * stands for it. */
static void collect_nodes(struct hx_dl_analysis *an, pid_t init_pid)
{
	struct hx_pids pids = { 0 }, tids = { 0 };

	hx_proc_descendants(init_pid, &pids);	/* empty when the box is gone */
	for (size_t i = 0; i < pids.n; i++) {
		struct hx_dl_node *grown = hx_grow(an->nodes, &an->cnodes, (size_t)an->n + 1, sizeof(*grown));

		if (!grown)
			break;
		an->nodes = grown;
		struct hx_dl_node *nd = &an->nodes[an->n];

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
static void collect_exited(struct hx_dl_analysis *an)
{
	int n = hx_tracer_nprocs(an->t);

	an->exited = calloc((size_t)(n > 0 ? n : 1), sizeof(int));
	for (int p = 1; an->exited && p <= n; p++)
		if (!hx_dl_node_of(an, p))
			an->exited[an->nexited++] = p;
}

/* A semop's semaphore: its set, number and operation (the first of its
 * sembufs). */
static void read_semop(struct hx_dl_node *nd)
{
	struct sembuf op;

	nd->semid = nd->semnum = -1;
	if (nd->sc.nr != SYS_semop && nd->sc.nr != SYS_semtimedop)
		return;
	nd->semid = (int)nd->sc.args[0];
	if (hx_proc_read_mem(nd->tid, nd->sc.args[1], &op, sizeof(op)) == sizeof(op)) {
		nd->semnum = op.sem_num;
		nd->semop = op.sem_op;
	}
}

void hx_dl_analyse(struct hx_dl_analysis *an, pid_t init_pid, struct hx_tracer *t)
{
	an->t = t;
	hx_waitgraph_init(&an->graph);
	hx_tracer_discover(t);
	collect_nodes(an, init_pid);
	collect_exited(an);
	for (int i = 0; i < an->n; i++) {
		struct hx_dl_node *nd = &an->nodes[i];

		collect_fds(an, nd);
		collect_maps(nd);
		read_semop(nd);
	}
	/* The fd table is complete: what each waits on. */
	for (int i = 0; i < an->n; i++)
		classify(an, &an->nodes[i]);
	recognise_semaphores(an);
}

void hx_dl_release(struct hx_dl_analysis *an)
{
	for (int i = 0; i < an->n; i++)
		free(an->nodes[i].maps);
	free(an->nodes);
	free(an->fds);
	free(an->exited);
	hx_waitgraph_release(&an->graph);
	memset(an, 0, sizeof(*an));
}

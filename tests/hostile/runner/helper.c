/*
 * helper.c - the hostile runner's small tools (tests/hostile/run.sh builds
 * it with gcc against jansson, into the runner's own work directory).
 *
 *   helper supervise OUTDIR TIMEOUT_MS BAITFILE -- COMMAND [ARGS...]
 *       Runs COMMAND (the grader) in its own process group with stdin
 *       /dev/null, stdout OUTDIR/out, stderr OUTDIR/err, and BAITFILE open
 *       on fd 9 (an inherited descriptor a careless grader could leak into
 *       the box). Watches it every millisecond or so until it exits or
 *       TIMEOUT_MS passes (then everything it started is SIGKILLed) and
 *       writes OUTDIR/super:
 *         status exited N | status signaled N | status hung
 *         elapsed_ms N
 *         uid N                       a uid other than ours among COMMAND's descendants
 *         stopped PID COMM MS         a grader-side process stopped (state T) for MS ms
 *         traced PID COMM TRACER      a grader-side process traced by a non-grader process
 *         hung-state PID STATE COMM   what was alive when the timeout hit
 *       Grader-side processes: COMMAND and its descendants with our uid in
 *       our PID namespace (the box runs under another uid or namespace).
 *
 *   helper json FILE OUTDIR
 *       Parses the JSON object `ipcgrade run --json` printed and writes
 *       OUTDIR/verdict, detail, stdout, stderr, isolation, limits (the
 *       limits it applied: "wall cpu memory processes output"), denied
 *       (the "denied" object, compact JSON) and summary (one line for
 *       humans). Exit 1 when FILE is not such an object.
 *
 *   helper listen PORTFILE LOGFILE
 *       Listens on 127.0.0.1 (a free port, written to PORTFILE) and appends
 *       one line per connection it accepts to LOGFILE, until SIGTERM.
 *
 *   helper snapshot RUNNERPID EXCLUDE_TMP HOME
 *       Prints the host state the runner compares, one item a line:
 *         proc PID STARTTIME UID COMM     processes of this PID namespace,
 *                                         except pid 1 and RUNNERPID's tree
 *         shm|mq|tmp|home NAME UID 0 CTIME    entries of /dev/shm, the POSIX
 *                                         queues, /tmp and HOME (names with
 *                                         blanks: '?'); the queues through
 *                                         /dev/mqueue when it is mounted, else
 *                                         (as root) a mount of the queue file
 *                                         system attached nowhere: whether or
 *                                         not /dev/mqueue exists
 *         sysv-shm ID CUID CPID CTIME     CPID/LSPID: 0 when that process is
 *         sysv-msg ID CUID LSPID CTIME    outside our PID namespace
 *         sysv-sem ID CUID 0 CTIME
 *       /tmp's entry EXCLUDE_TMP (the runner's work directory) is left out.
 *
 *   helper hostprocs
 *       Prints "PID STARTTIME UID PPID COMM" for every process that is not
 *       a kernel thread (for the outer, unguarded before/after comparison).
 *
 *   helper mq-unlink NAME
 *       Removes the POSIX queue /NAME (no mount needed).
 *
 *   helper kill-strays RUNNERPID
 *       SIGKILLs every process of this PID namespace except pid 1 and
 *       RUNNERPID's tree (after a failed run, so the next starts clean).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <linux/kcmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <mqueue.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAXP 65536

struct pinfo {
	int pid, ppid;
	char state;
	char comm[32];
	unsigned long long start;
	unsigned long flags;
	int uid;
};

static void die(const char *m)
{
	fprintf(stderr, "helper: %s: %s\n", m, strerror(errno));
	exit(2);
}

static long long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Reads /proc/PID/stat and the real uid; false when the process is gone. */
static bool read_proc(int pid, struct pinfo *p)
{
	char path[64], buf[1024];
	int fd;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	char *l = strchr(buf, '('), *r = strrchr(buf, ')');

	if (!l || !r || r < l)
		return false;
	size_t cl = (size_t)(r - l - 1);

	if (cl >= sizeof(p->comm))
		cl = sizeof(p->comm) - 1;
	memcpy(p->comm, l + 1, cl);
	p->comm[cl] = '\0';
	for (char *c = p->comm; *c; c++)
		if (!isgraph((unsigned char)*c))
			*c = '_';
	p->pid = pid;
	/* after ")": state ppid pgrp session tty tpgid flags ... starttime(22) */
	char *s = r + 2;
	int field = 3;
	char *save = NULL;

	p->flags = 0;
	p->start = 0;
	for (char *tok = strtok_r(s, " ", &save); tok; tok = strtok_r(NULL, " ", &save), field++) {
		if (field == 3)
			p->state = tok[0];
		else if (field == 4)
			p->ppid = atoi(tok);
		else if (field == 9)
			p->flags = strtoul(tok, NULL, 10);
		else if (field == 22) {
			p->start = strtoull(tok, NULL, 10);
			break;
		}
	}
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%d", pid);
	p->uid = stat(path, &st) == 0 ? (int)st.st_uid : -1;
	return true;
}

static int tracer_of(int pid)
{
	char path[64], line[256];
	FILE *f;
	int t = 0;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "TracerPid: %d", &t) == 1)
			break;
	fclose(f);
	return t;
}

/* Whether a and b share one address space (a CLONE_VM child); false
 * when either is gone. */
static bool shares_vm(int a, int b)
{
	return syscall(SYS_kcmp, a, b, KCMP_VM, 0, 0) == 0;
}

/* Whether pid has no address space left (gone, or past exit_mm: its
 * status has no VmSize line), and so kcmp can no longer compare it. */
static bool no_address_space(int pid)
{
	char path[64], line[256];
	bool vm = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "re");
	if (!f)
		return true;
	while (!vm && fgets(line, sizeof(line), f))
		vm = strncmp(line, "VmSize:", 7) == 0;
	fclose(f);
	return !vm;
}

/* Whether pid's name (comm) is comm now. */
static bool named(int pid, const char *comm)
{
	char path[64], buf[64] = "";
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	f = fopen(path, "re");
	if (!f)
		return false;
	if (fgets(buf, sizeof(buf), f))
		buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
	return strcmp(buf, comm) == 0;
}

static unsigned long ns_of(int pid)
{
	char path[64], link[64];
	ssize_t n;
	unsigned long ino = 0;

	snprintf(path, sizeof(path), "/proc/%d/ns/pid", pid);
	n = readlink(path, link, sizeof(link) - 1);
	if (n <= 0)
		return 0;
	link[n] = '\0';
	sscanf(link, "pid:[%lu]", &ino);
	return ino;
}

/* All processes of our /proc. */
static int scan(struct pinfo *ps, int max)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int n = 0;

	if (!d)
		die("opendir /proc");
	while ((e = readdir(d)) && n < max) {
		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		if (read_proc(atoi(e->d_name), &ps[n]))
			n++;
	}
	closedir(d);
	return n;
}

static struct pinfo *find(struct pinfo *ps, int n, int pid)
{
	for (int i = 0; i < n; i++)
		if (ps[i].pid == pid)
			return &ps[i];
	return NULL;
}

/* Is pid `root` an ancestor of (or) ps[i]? */
static bool below(struct pinfo *ps, int n, int pid, int root)
{
	for (int hops = 0; pid > 0 && hops < 4096; hops++) {
		if (pid == root)
			return true;
		struct pinfo *p = find(ps, n, pid);

		if (!p)
			return false;
		pid = p->ppid;
	}
	return false;
}

/* The parent of pid, read now from /proc (-1 when it is gone). */
static int ppid_now(int pid)
{
	char path[64], buf[512];
	FILE *f;
	int ppid = -1;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "r");
	if (f && fgets(buf, sizeof(buf), f)) {
		char *close = strrchr(buf, ')');

		if (close)
			sscanf(close + 2, "%*c %d", &ppid);
	}
	if (f)
		fclose(f);
	return ppid;
}

/* ------------------------------------------------------------ supervise */

static int write_file(const char *dir, const char *name, const char *data, size_t len)
{
	char path[4096];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	while (len > 0) {
		ssize_t w = write(fd, data, len);

		if (w <= 0)
			break;
		data += w;
		len -= (size_t)w;
	}
	close(fd);
	return 0;
}

struct watch {
	int pid;
	unsigned long long start;
	long long stopped_since;	/* ms, 0 when running */
	bool reported_stop, reported_trace;
};

static int cmd_supervise(int argc, char **argv)
{
	if (argc < 6 || strcmp(argv[4], "--") != 0) {
		fprintf(stderr, "usage: helper supervise OUTDIR TIMEOUT_MS BAITFILE -- COMMAND...\n");
		return 2;
	}
	const char *outdir = argv[1];
	long long timeout = atoll(argv[2]);
	const char *bait = argv[3];
	char path[4096];
	static struct pinfo ps[MAXP / 8];
	static struct watch w[256];
	int nw = 0, uids[64], nuids = 0;
	FILE *rep;
	unsigned long myns = ns_of(getpid());
	int myuid = (int)getuid();
	const char *san = getenv("HOSTILE_SANITIZED");
	bool sanitized = san && *san && strcmp(san, "0") != 0;

	snprintf(path, sizeof(path), "%s/super", outdir);
	rep = fopen(path, "we");
	if (!rep)
		die(path);
	setvbuf(rep, NULL, _IOLBF, 0);

	long long t0 = now_ms();
	pid_t child = fork();

	if (child < 0)
		die("fork");
	if (child == 0) {
		int fd;

		setpgid(0, 0);
		fd = open("/dev/null", O_RDONLY);
		if (fd >= 0 && fd != 0) {
			dup2(fd, 0);
			close(fd);
		}
		snprintf(path, sizeof(path), "%s/out", outdir);
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd >= 0 && fd != 1) {
			dup2(fd, 1);
			close(fd);
		}
		snprintf(path, sizeof(path), "%s/err", outdir);
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd >= 0 && fd != 2) {
			dup2(fd, 2);
			close(fd);
		}
		/* exactly 0, 1, 2 and the bait on 9, whatever we inherited */
		syscall(SYS_close_range, 3, ~0U, 0);
		fd = open(bait, O_RDONLY);	/* no O_CLOEXEC on purpose */
		if (fd >= 0 && fd != 9) {
			dup2(fd, 9);
			close(fd);
		}
		signal(SIGPIPE, SIG_DFL);
		execvp(argv[5], argv + 5);
		fprintf(stderr, "helper: cannot run %s: %s\n", argv[5], strerror(errno));
		_exit(127);
	}
	setpgid(child, child);

	int status = 0;
	bool done = false, hung = false;
	long long interval_us = 1000;

	while (!done) {
		pid_t r = waitpid(child, &status, WNOHANG);

		if (r == child) {
			done = true;
			break;
		}
		long long t = now_ms();
		int n = scan(ps, (int)(sizeof(ps) / sizeof(ps[0])));

		for (int i = 0; i < n; i++) {
			if (!below(ps, n, ps[i].pid, child))
				continue;
			bool grader = ps[i].uid == myuid && ns_of(ps[i].pid) == myns;

			if (!grader) {
				bool seen = false;

				for (int k = 0; k < nuids; k++)
					seen |= uids[k] == ps[i].uid;
				if (!seen && nuids < 64 && ps[i].uid >= 0 && ps[i].uid != myuid) {
					uids[nuids++] = ps[i].uid;
					fprintf(rep, "uid %d\n", ps[i].uid);
				}
				continue;
			}
			struct watch *x = NULL;

			for (int k = 0; k < nw; k++)
				if (w[k].pid == ps[i].pid && w[k].start == ps[i].start)
					x = &w[k];
			if (!x && nw < 256) {
				x = &w[nw++];
				memset(x, 0, sizeof(*x));
				x->pid = ps[i].pid;
				x->start = ps[i].start;
			}
			if (!x)
				continue;
			if (ps[i].state == 'T') {
				if (!x->stopped_since)
					x->stopped_since = t;
				else if (t - x->stopped_since >= 200 && !x->reported_stop) {
					x->reported_stop = true;
					fprintf(rep, "stopped %d %s %lld\n", ps[i].pid, ps[i].comm,
						t - x->stopped_since);
				}
			} else {
				x->stopped_since = 0;
			}
			int tr = tracer_of(ps[i].pid);

			if (tr > 0 && !x->reported_trace) {
				/*
				 * Nothing may trace the grader (it never traces itself),
				 * but for a sanitizer's leak checker, which ptraces its
				 * own process from a short-lived child at exit: in a
				 * sanitized build (HOSTILE_SANITIZED=1), a tracer that is
				 * the traced process's own child, as its user in its pid
				 * namespace (the box's init is a sanitized copy of the
				 * grader too: its checker runs in the box's namespace),
				 * or is already gone when we look. Read live: its pid may
				 * have been another process's at our snapshot.
				 */
				bool own = false;

				/* LeakSanitizer's tracer is a clone sharing the traced
				 * process's address space: kcmp says so exactly. */
				if (sanitized && shares_vm(tr, ps[i].pid))
					own = true;
				/* ... unless the traced process is past exit_mm
				 * (kcmp has no address space to compare; its clone,
				 * named as it is, reparented): still its own. */
				else if (sanitized && no_address_space(ps[i].pid) && named(tr, ps[i].comm))
					own = true;
				else if (sanitized) {
					int pp = ppid_now(tr);
					char proc[32];
					struct stat ts;

					snprintf(proc, sizeof(proc), "/proc/%d", tr);
					own = pp < 0 ||
					      ((pp == ps[i].pid || below(ps, n, pp, child)) &&
					       stat(proc, &ts) == 0 &&
					       ((int)ts.st_uid == myuid || (int)ts.st_uid == ps[i].uid) &&
					       (ns_of(tr) == myns || ns_of(tr) == ns_of(ps[i].pid)));
				}
				if (!own) {
					x->reported_trace = true;
					fprintf(rep, "traced %d %s %d (the tracer's parent %d)\n", ps[i].pid,
						ps[i].comm, tr, ppid_now(tr));
				}
			}
		}
		if (t - t0 > timeout) {
			hung = true;
			for (int i = 0; i < n; i++)
				if (below(ps, n, ps[i].pid, child))
					fprintf(rep, "hung-state %d %c %s uid=%d\n", ps[i].pid, ps[i].state,
						ps[i].comm, ps[i].uid);
			/* kill the whole tree, repeatedly, until the grader is reaped */
			for (int round = 0; round < 200 && !done; round++) {
				n = scan(ps, (int)(sizeof(ps) / sizeof(ps[0])));
				for (int i = 0; i < n; i++)
					if (ps[i].pid != getpid() && below(ps, n, ps[i].pid, child))
						kill(ps[i].pid, SIGKILL);
				kill(-child, SIGKILL);
				usleep(10000);
				if (waitpid(child, &status, WNOHANG) == child)
					done = true;
			}
			if (!done && waitpid(child, &status, 0) == child)
				done = true;
			break;
		}
		/* short runs are over in milliseconds: look often at first, so
		 * the box's uid is seen (it attributes leftovers to the run) */
		if (t - t0 < 100)
			sched_yield();
		else
			usleep((useconds_t)interval_us);
		if (t - t0 > 300)
			interval_us = 5000;
	}
	if (hung)
		fprintf(rep, "status hung\n");
	else if (WIFEXITED(status))
		fprintf(rep, "status exited %d\n", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		fprintf(rep, "status signaled %d\n", WTERMSIG(status));
	fprintf(rep, "elapsed_ms %lld\n", now_ms() - t0);
	fclose(rep);
	return 0;
}

/* ------------------------------------------------------------------ json */

static int cmd_json(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: helper json FILE OUTDIR\n");
		return 2;
	}
	json_error_t err;
	json_t *root = json_load_file(argv[1], JSON_DISABLE_EOF_CHECK, &err);
	const char *dir = argv[2];

	if (!root || !json_is_object(root)) {
		fprintf(stderr, "helper: %s: not a JSON object (%s, line %d)\n", argv[1], err.text, err.line);
		return 1;
	}
	const char *v = json_string_value(json_object_get(root, "verdict"));

	if (!v) {
		fprintf(stderr, "helper: %s: no verdict\n", argv[1]);
		return 1;
	}
	write_file(dir, "verdict", v, strlen(v));
	const char *keys[] = { "verdict_detail", "stdout", "stderr", "isolation" };
	const char *files[] = { "detail", "stdout", "stderr", "isolation" };

	for (int i = 0; i < 4; i++) {
		json_t *s = json_object_get(root, keys[i]);
		const char *txt = json_string_value(s);

		write_file(dir, files[i], txt ? txt : "", txt ? json_string_length(s) : 0);
	}
	json_t *lim = json_object_get(root, "limits");
	char buf[8192];

	snprintf(buf, sizeof(buf), "%lld %lld %lld %lld %lld\n",
		 json_integer_value(json_object_get(lim, "wall_ms")),
		 json_integer_value(json_object_get(lim, "cpu_ms")),
		 json_integer_value(json_object_get(lim, "memory_mb")),
		 json_integer_value(json_object_get(lim, "processes")),
		 json_integer_value(json_object_get(lim, "output_kb")));
	write_file(dir, "limits", buf, strlen(buf));

	char *denied = json_dumps(json_object_get(root, "denied"), JSON_COMPACT);
	char *cleanup = json_dumps(json_object_get(root, "cleanup"), JSON_COMPACT);

	if (denied)
		write_file(dir, "denied", denied, strlen(denied));
	json_t *sig = json_object_get(root, "signal");
	char sigbuf[32];

	if (json_is_integer(sig))
		snprintf(sigbuf, sizeof(sigbuf), "%lld", json_integer_value(sig));
	else if (json_is_string(sig))
		snprintf(sigbuf, sizeof(sigbuf), "%s", json_string_value(sig));
	else
		snprintf(sigbuf, sizeof(sigbuf), "-");
	snprintf(buf, sizeof(buf),
		 "exit_code=%lld signal=%s wall_ms=%lld cpu_ms=%lld memory_peak_kb=%lld "
		 "leftover_processes=%lld stdout_truncated=%s denied=%s cleanup=%s\n",
		 json_integer_value(json_object_get(root, "exit_code")), sigbuf,
		 json_integer_value(json_object_get(root, "wall_ms")),
		 json_integer_value(json_object_get(root, "cpu_ms")),
		 json_integer_value(json_object_get(root, "memory_peak_kb")),
		 json_integer_value(json_object_get(root, "leftover_processes")),
		 json_is_true(json_object_get(root, "stdout_truncated")) ? "yes" : "no",
		 denied ? denied : "-", cleanup ? cleanup : "-");
	write_file(dir, "summary", buf, strlen(buf));
	free(denied);
	free(cleanup);
	json_decref(root);
	return 0;
}

/* ---------------------------------------------------------------- listen */

static volatile sig_atomic_t stop_listening;
static void on_term(int s)
{
	(void)s;
	stop_listening = 1;
}

static int cmd_listen(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: helper listen PORTFILE LOGFILE\n");
		return 2;
	}
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t al = sizeof(a);
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sigaction sa = { .sa_handler = on_term };

	sigaction(SIGTERM, &sa, NULL);
	if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(s, 16) < 0 ||
	    getsockname(s, (struct sockaddr *)&a, &al) < 0)
		die("listen");
	char port[16];
	int n = snprintf(port, sizeof(port), "%d\n", ntohs(a.sin_port));
	char tmp[4096];
	int pf;

	snprintf(tmp, sizeof(tmp), "%s.tmp", argv[1]);
	pf = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (pf < 0 || write(pf, port, (size_t)n) != n || close(pf) < 0 || rename(tmp, argv[1]) < 0)
		die(tmp);
	while (!stop_listening) {
		struct pollfd p = { .fd = s, .events = POLLIN };

		if (poll(&p, 1, 100) <= 0)
			continue;
		int c = accept4(s, NULL, NULL, SOCK_CLOEXEC);

		if (c < 0)
			continue;
		char data[256] = "";
		struct pollfd q = { .fd = c, .events = POLLIN };

		if (poll(&q, 1, 500) > 0) {
			ssize_t r = read(c, data, sizeof(data) - 1);

			data[r > 0 ? r : 0] = '\0';
		}
		for (char *d = data; *d; d++)
			if (!isprint((unsigned char)*d))
				*d = ' ';
		FILE *f = fopen(argv[2], "ae");

		if (f) {
			fprintf(f, "connection: %s\n", data);
			fclose(f);
		}
		close(c);
	}
	return 0;
}

/* -------------------------------------------------------------- snapshot */

static void list_dir_at(const char *kind, int at, const char *dir, const char *exclude);

static void list_dir(const char *kind, const char *dir, const char *exclude)
{
	list_dir_at(kind, -1, dir, exclude);
}

/* The queue file system of our IPC namespace: /dev/mqueue when it is one,
 * else (root) a mount of it attached nowhere, which needs no mount point
 * and changes no mount namespace; -1 when neither. */
static int mqueue_dir(void)
{
	struct statfs sf;
	int fd = open("/dev/mqueue", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0 && fstatfs(fd, &sf) == 0 && sf.f_type == 0x19800202)
		return fd;
	if (fd >= 0)
		close(fd);
	int fs = (int)syscall(SYS_fsopen, "mqueue", FSOPEN_CLOEXEC), mnt = -1;

	if (fs < 0)
		return -1;
	if (syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) == 0)
		mnt = (int)syscall(SYS_fsmount, fs, FSMOUNT_CLOEXEC, 0);
	close(fs);
	if (mnt < 0)
		return -1;
	fd = openat(mnt, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	close(mnt);
	return fd;
}

/* at >= 0: that open directory (dup'ed), else the path dir. */
static void list_dir_at(const char *kind, int at, const char *dir, const char *exclude)
{
	int fd = at >= 0 ? openat(at, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC) :
		 open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *e;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((e = readdir(d))) {
		struct stat st;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (exclude && !strcmp(e->d_name, exclude))
			continue;
		if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		/* names with spaces or control characters stay one field */
		char name[1024];
		size_t k = 0;

		for (const char *c = e->d_name; *c && k < sizeof(name) - 1; c++)
			name[k++] = (unsigned char)*c <= ' ' ? '?' : *c;
		name[k] = '\0';
		printf("%s %s %d 0 %lld\n", kind, name, (int)st.st_uid, (long long)st.st_ctime);
	}
	closedir(d);
}

static void list_sysv(const char *kind, const char *file, int uidcol, int cpidcol, int ctimecol)
{
	FILE *f = fopen(file, "re");
	char line[1024];
	bool first = true;

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (first) {
			first = false;
			continue;
		}
		char *tok[32], *save = NULL;
		int n = 0;

		for (char *t = strtok_r(line, " \t\n", &save); t && n < 32; t = strtok_r(NULL, " \t\n", &save))
			tok[n++] = t;
		if (n <= uidcol || (cpidcol >= 0 && n <= cpidcol) || n <= ctimecol || n < 2)
			continue;
		printf("%s %s %s %s %s\n", kind, tok[1], tok[uidcol], cpidcol >= 0 ? tok[cpidcol] : "0",
		       tok[ctimecol]);
	}
	fclose(f);
}

static int cmd_snapshot(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: helper snapshot RUNNERPID EXCLUDE_TMP HOME\n");
		return 2;
	}
	static struct pinfo ps[MAXP];
	int runner = atoi(argv[1]);
	int n = scan(ps, MAXP);

	for (int i = 0; i < n; i++) {
		if (ps[i].pid == 1 || below(ps, n, ps[i].pid, runner) || (ps[i].flags & 0x00200000))
			continue;
		printf("proc %d %llu %d %s\n", ps[i].pid, ps[i].start, ps[i].uid, ps[i].comm);
	}
	list_dir("shm", "/dev/shm", NULL);
	int mq = mqueue_dir();

	if (mq >= 0) {
		list_dir_at("mq", mq, NULL, NULL);
		close(mq);
	} else {
		fprintf(stderr, "helper: snapshot: the POSIX queues cannot be listed here "
			"(no /dev/mqueue, and not root)\n");
	}
	list_dir("tmp", "/tmp", argv[2]);
	list_dir("home", argv[3], NULL);
	/* shm: key shmid perms size cpid lpid nattch uid gid cuid cgid atime dtime ctime */
	list_sysv("sysv-shm", "/proc/sysvipc/shm", 9, 4, 13);
	/* sem: key semid perms nsems uid gid cuid cgid otime ctime */
	list_sysv("sysv-sem", "/proc/sysvipc/sem", 6, -1, 9);
	/* msg: key msqid perms cbytes qnum lspid lrpid uid gid cuid cgid stime rtime ctime */
	list_sysv("sysv-msg", "/proc/sysvipc/msg", 9, 5, 13);
	return 0;
}

static int cmd_hostprocs(void)
{
	static struct pinfo ps[MAXP];
	int n = scan(ps, MAXP);

	for (int i = 0; i < n; i++) {
		if ((ps[i].flags & 0x00200000) || ps[i].pid == getpid())	/* PF_KTHREAD, or us */
			continue;
		printf("%d %llu %d %d %s\n", ps[i].pid, ps[i].start, ps[i].uid, ps[i].ppid, ps[i].comm);
	}
	return 0;
}

static int cmd_kill_strays(int argc, char **argv)
{
	if (argc != 2)
		return 2;
	static struct pinfo ps[MAXP];
	int runner = atoi(argv[1]), killed = 0;

	for (int round = 0; round < 50; round++) {
		int n = scan(ps, MAXP), left = 0;

		for (int i = 0; i < n; i++) {
			if (ps[i].pid == 1 || below(ps, n, ps[i].pid, runner) || (ps[i].flags & 0x00200000))
				continue;
			kill(ps[i].pid, SIGKILL);
			left++;
			killed++;
		}
		if (!left)
			break;
		usleep(20000);
	}
	printf("%d\n", killed);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: helper supervise|json|listen|snapshot|hostprocs|kill-strays|mq-unlink ...\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	if (!strcmp(argv[1], "supervise"))
		return cmd_supervise(argc - 1, argv + 1);
	if (!strcmp(argv[1], "json"))
		return cmd_json(argc - 1, argv + 1);
	if (!strcmp(argv[1], "listen"))
		return cmd_listen(argc - 1, argv + 1);
	if (!strcmp(argv[1], "snapshot"))
		return cmd_snapshot(argc - 1, argv + 1);
	if (!strcmp(argv[1], "hostprocs"))
		return cmd_hostprocs();
	if (!strcmp(argv[1], "kill-strays"))
		return cmd_kill_strays(argc - 1, argv + 1);
	if (!strcmp(argv[1], "mq-unlink") && argc == 3) {
		char name[300];

		snprintf(name, sizeof(name), "/%s", argv[2]);
		return mq_unlink(name) == 0 ? 0 : 1;
	}
	fprintf(stderr, "helper: unknown command %s\n", argv[1]);
	return 2;
}

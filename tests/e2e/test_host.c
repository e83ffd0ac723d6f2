/*
 * test_host.c - the host is never touched (issue 15): what a run leaves is
 * found and removed whatever the machine offers, and nothing else is.
 *
 *  - every kind of IPC object a run leaks is named and removed, in both
 *    modes (reduced isolation tracks what the run creates: whether or not
 *    /dev/mqueue is mounted); host objects made during a reduced run, or
 *    before it, survive it and are not reported;
 *  - a process whose main thread called pthread_exit while a worker runs
 *    is a live process: counted as a leftover and killed, in both modes,
 *    with and without cgroups;
 *  - no process of a run becomes a zombie of whoever started ipcgrade
 *    (100 deadlocked runs with unreaped children, each mode);
 *  - `--cpus N` picks from the CPUs we may use: inside a one-CPU cpuset
 *    that excludes CPU 0;
 *  - kills of the run's own reaped children get ESRCH, not a denial;
 *    signals through pidfds are checked like kill;
 *  - a reduced run that waits for another one's turn notes how long;
 *  - a reduced run, then a full one, in one process as an ordinary user
 *    (the supervisor's dumpable flag and timer slack come back).
 *
 * Runs that need root (cpusets, hiding cgroups, an ordinary user to drop
 * to) say SKIPPED with the reason elsewhere.
 */
#include "testutil.h"
#include "harness.h"

#include <dirent.h>
#include <grp.h>
#include <mqueue.h>
#include <sched.h>
#include <sys/file.h>
#include <sys/msg.h>
#include <sys/prctl.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/vfs.h>

static char full_why[512];

static bool full_ok(void)
{
	return full_why[0] == '\0';
}

/* `ipcgrade run --json --isolation MODE EXTRA... -- FIXTURE ARGS...`,
 * optionally through a wrapper command (WRAP... then ipcgrade's argv). */
static json_t *run_wrapped(const char *const *wrap, const char *mode, const char *fixture,
			   const char *const *extra, const char *const *args)
{
	const char *argv[64];
	int n = 0;
	char *prog = tu_fixture(fixture);

	for (int i = 0; wrap && wrap[i]; i++)
		argv[n++] = wrap[i];
	argv[n++] = tu_ipcgrade();
	argv[n++] = "run";
	argv[n++] = "--json";
	argv[n++] = "--isolation";
	argv[n++] = mode;
	for (int i = 0; extra && extra[i] && n < 40; i++)
		argv[n++] = extra[i];
	argv[n++] = "--";
	argv[n++] = prog;
	for (int i = 0; args && args[i] && n < 62; i++)
		argv[n++] = args[i];
	argv[n] = NULL;

	struct proc_out r = tu_run(argv, NULL, 60000);
	json_error_t jerr;
	json_t *j = json_loads(r.out, 0, &jerr);

	if (!j || r.status != 0)
		fprintf(stderr, "%s (%s): exit %d, %s\nstdout: %.2000s\nstderr: %.2000s\n", fixture, mode,
			r.status, j ? "valid JSON" : jerr.text, r.out, r.err);
	assert_non_null(j);
	assert_int_equal(r.status, 0);
	if (strcmp(tu_str(j, "verdict"), "internal_error") == 0)
		fail_msg("%s (%s): internal_error: %s", fixture, mode, tu_str(j, "verdict_detail"));
	assert_string_equal(tu_str(j, "isolation"), mode);
	tu_free(&r);
	free(prog);
	return j;
}

static json_t *run(const char *mode, const char *fixture, const char *const *extra,
		   const char *const *args)
{
	return run_wrapped(NULL, mode, fixture, extra, args);
}

/* ipcgrade in a mount namespace of its own without any cgroup mount: the
 * machine "without cgroups" (rlimits only). Root only. */
static const char *const no_cgroups[] = {
	"unshare", "-m", "--propagation", "private", "sh", "-c",
	"umount -l /sys/fs/cgroup 2>/dev/null; if grep -q ' - cgroup' /proc/self/mountinfo; then "
	"echo 'cgroups still mounted' >&2; exit 9; fi; exec \"$@\"", "sh", NULL,
};

static bool is_mode(const char *mode, const char *want)
{
	return strcmp(mode, want) == 0;
}

static const char *const modes[] = { "full", "reduced" };

#define FOR_EACH_MODE(m) \
	for (size_t mi_ = 0; mi_ < 2; mi_++) \
		for (const char *m = modes[mi_]; m; m = NULL) \
			if (is_mode(m, "full") && !full_ok()) \
				fprintf(stderr, "SKIPPED (full isolation): %s\n", full_why); \
			else

/* ---- leaked objects ------------------------------------------------------ */

/* After each test, pass or fail: whatever a test of ours may have left
 * (names with our pid, keys made from it), so that a failure leaves the
 * host as clean as a pass. */
static int remove_ours(void **state)
{
	char mine[32], path[400];
	DIR *d;
	struct dirent *e;

	(void)state;
	snprintf(mine, sizeof(mine), "-%d-", (int)getpid());
	if ((d = opendir("/dev/shm"))) {
		while ((e = readdir(d)))
			if (strstr(e->d_name, "ipcgrade-host") && strstr(e->d_name, mine)) {
				snprintf(path, sizeof(path), "rm -rf '/dev/shm/%s'", e->d_name);
				if (system(path) != 0)
					fprintf(stderr, "cannot remove /dev/shm/%s\n", e->d_name);
			}
		closedir(d);
	}
	static const char *const kinds[] = { "leak", "mq" };
	static const char *const modes_[] = { "full", "reduced" };
	static const char *const ends[] = { "-mq", "-mq-mq" };

	for (int k = 0; k < 2; k++)
		for (int m = 0; m < 2; m++)
			for (int x = 0; x < 2; x++) {
				snprintf(path, sizeof(path), "/ipcgrade-host%s-%d-%s%s", kinds[k], (int)getpid(),
					 modes_[m], ends[x]);
				mq_unlink(path);
			}
	snprintf(path, sizeof(path), "/ipcgrade-hostmq-user-%d-mq", (int)getpid());
	mq_unlink(path);
	snprintf(path, sizeof(path), "/sys/fs/cgroup/cpuset/ipcgrade-test-cpuset-%d", (int)getpid());
	rmdir(path);
	for (unsigned base = 0x4950; base <= 0x4953; base++) {
		key_t first = (key_t)((base << 16) | (base == 0x4952 ? ((unsigned)getpid() & 0xffff) :
								   (((unsigned)getpid() & 0xfff) << 4)));

		for (key_t key = first; key < first + 4; key++) {
			int id;

			if ((id = shmget(key, 0, 0)) >= 0)
				shmctl(id, IPC_RMID, NULL);
			if ((id = semget(key, 0, 0)) >= 0)
				semctl(id, 0, IPC_RMID);
			if ((id = msgget(key, 0)) >= 0)
				msgctl(id, IPC_RMID, NULL);
		}
	}
	return 0;
}

/* Objects of that kind whose name ends with end (any, NULL). */
static int count_kind(json_t *ipc, const char *kind, const char *end)
{
	int n = 0;

	for (size_t i = 0; i < json_array_size(ipc); i++) {
		json_t *o = json_array_get(ipc, i);
		const char *name = tu_str(o, "name");
		size_t len = strlen(name), elen = end ? strlen(end) : 0;

		if (strcmp(tu_str(o, "kind"), kind) == 0 && len >= elen && strcmp(name + len - elen, end ? end : "") == 0)
			n++;
	}
	return n;
}

static void print_ipc(const char *what, json_t *ipc)
{
	fprintf(stderr, "%s: cleanup.ipc =", what);
	for (size_t i = 0; i < json_array_size(ipc); i++)
		fprintf(stderr, " %s %s;", tu_str(json_array_get(ipc, i), "kind"),
			tu_str(json_array_get(ipc, i), "name"));
	fprintf(stderr, "\n");
}

static bool queue_exists(const char *name)
{
	mqd_t q = mq_open(name, O_RDONLY);

	if (q != (mqd_t)-1) {
		mq_close(q);
		return true;
	}
	return errno != ENOENT;
}

/* Queues in reduced isolation: skipped, loudly, where they are refused. */
static bool queues_refused(const char *mode)
{
	if (!is_mode(mode, "reduced") || !*tu_reduced_mqueue_missing())
		return false;
	fprintf(stderr, "SKIPPED (reduced): mq_open is refused in reduced isolation here: %s\n",
		tu_reduced_mqueue_missing());
	return true;
}

static void test_host_every_leaked_object_is_named_and_removed(void **state)
{
	(void)state;
	FOR_EACH_MODE(mode) {
		if (queues_refused(mode))
			continue;
		char base[64], keyarg[32], path[128];
		key_t key = (key_t)(0x49500000 | ((getpid() & 0xfff) << 4));

		snprintf(base, sizeof(base), "ipcgrade-hostleak-%d-%s", (int)getpid(), mode);
		snprintf(keyarg, sizeof(keyarg), "%#x", (unsigned)key);
		json_t *j = run(mode, "host/leak_all", NULL, (const char *[]){ base, keyarg, NULL });
		json_t *ipc = json_object_get(json_object_get(j, "cleanup"), "ipc");

		print_ipc(mode, ipc);
		assert_string_equal(tu_str(j, "stdout"), "made\n");
		assert_int_equal(count_kind(ipc, "posix_shm", "-shm"), 1);
		assert_int_equal(count_kind(ipc, "posix_sem", "-sem"), 1);
		assert_int_equal(count_kind(ipc, "posix_mq", "-mq"), 1);
		assert_int_equal(count_kind(ipc, "posix_shm", "-fifo"), 1);
		assert_int_equal(count_kind(ipc, "posix_shm", "-dir"), 1);
		assert_int_equal(count_kind(ipc, "posix_shm", "-re"), 1);
		assert_int_equal(count_kind(ipc, "posix_shm", "-gone"), 0);
		assert_int_equal(count_kind(ipc, "sysv_sem", NULL), 1);
		assert_int_equal(count_kind(ipc, "sysv_msg", NULL), 2);
		assert_int_equal(count_kind(ipc, "sysv_shm", NULL), 1);
		assert_int_equal(json_array_size(ipc), 10);
		/* none of it is left on the host */
		static const char *const files[] = { "%s-shm", "sem.%s-sem", "%s-fifo", "%s-dir", "%s-re" };
		for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
			char name[96];

			snprintf(name, sizeof(name), files[i], base);
			snprintf(path, sizeof(path), "/dev/shm/%s", name);
			if (access(path, F_OK) == 0)
				fail_msg("%s (%s) is still on the host", path, mode);
		}
		snprintf(path, sizeof(path), "/%s-mq", base);
		if (queue_exists(path))
			fail_msg("queue %s (%s) is still on the host", path, mode);
		assert_true(semget(key + 1, 0, 0) < 0 && errno == ENOENT);
		assert_true(msgget(key + 2, 0) < 0 && errno == ENOENT);
		json_decref(j);
	}
}

static void test_host_leaked_queue_is_named_and_removed(void **state)
{
	(void)state;
	FOR_EACH_MODE(mode) {
		if (queues_refused(mode))
			continue;
		char name[96];

		snprintf(name, sizeof(name), "/ipcgrade-hostmq-%d-%s", (int)getpid(), mode);
		char key[32];

		snprintf(key, sizeof(key), "%#x", 0x49510000u | (((unsigned)getpid() & 0xfff) << 4));
		json_t *j = run(mode, "host/leak_all", NULL, (const char *[]){ name + 1, key, NULL });
		json_t *ipc = json_object_get(json_object_get(j, "cleanup"), "ipc");

		/* mq_open worked (no "mq_open: Permission denied" on stderr) */
		assert_null(strstr(tu_str(j, "stderr"), "mq_open"));
		char q[128];

		snprintf(q, sizeof(q), "%s-mq", name);
		assert_int_equal(count_kind(ipc, "posix_mq", q), 1);
		assert_false(queue_exists(q));
		json_decref(j);
	}
}

/* Start ipcgrade in the background, its stdout to a file. */
static pid_t spawn_to_file(const char *const *argv, const char *out)
{
	pid_t pid = fork();

	if (pid == 0) {
		int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		int null = open("/dev/null", O_RDWR);

		dup2(null, 0);
		dup2(fd, 1);
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	return pid;
}

static void test_host_objects_of_the_host_survive_a_reduced_run(void **state)
{
	char ready[96], host[96], pre[96], path[160], out[] = "/tmp/ipcgrade-hosttest-XXXXXX";
	key_t key = (key_t)(0x49520000 | (getpid() & 0xffff));

	(void)state;
	snprintf(ready, sizeof(ready), "/ipcgrade-hosttest-%d-ready", (int)getpid());
	snprintf(host, sizeof(host), "/ipcgrade-hosttest-%d-host", (int)getpid());
	snprintf(pre, sizeof(pre), "/ipcgrade-hosttest-%d-pre", (int)getpid());
	int tmp = mkstemp(out);

	assert_true(tmp >= 0);
	close(tmp);
	/* made before the run, open to everyone: the run opens it with O_CREAT */
	snprintf(path, sizeof(path), "/dev/shm%s", pre);
	int fd = open(path, O_CREAT | O_EXCL | O_RDWR, 0666);

	assert_true(fd >= 0);
	fchmod(fd, 0666);
	close(fd);

	char *prog = tu_fixture("host/host_object_race");
	const char *argv[] = { tu_ipcgrade(), "run", "--json", "--isolation", "reduced", "--timeout", "10000",
			       "--", prog, ready, host, pre, NULL };
	pid_t pid = spawn_to_file(argv, out);

	/* when the run has started, the host makes objects of its own */
	snprintf(path, sizeof(path), "/dev/shm%s", ready);
	for (int i = 0; i < 2000 && access(path, F_OK) < 0; i++)
		usleep(5000);
	assert_int_equal(access(path, F_OK), 0);
	snprintf(path, sizeof(path), "/dev/shm%s", host);
	fd = open(path, O_CREAT | O_EXCL | O_RDWR, 0600);
	assert_true(fd >= 0);
	close(fd);
	int msq = msgget(key, IPC_CREAT | IPC_EXCL | 0600);

	assert_true(msq >= 0);
	int st = 0;

	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	json_t *j = json_load_file(out, 0, NULL);

	unlink(out);
	free(prog);
	assert_non_null(j);
	json_t *ipc = json_object_get(json_object_get(j, "cleanup"), "ipc");

	print_ipc("reduced", ipc);
	assert_string_equal(tu_str(j, "stdout"), "host object seen; pre-existing: opened\n");
	/* the run's own object: reported, removed */
	assert_int_equal(count_kind(ipc, "posix_shm", ready), 1);
	snprintf(path, sizeof(path), "/dev/shm%s", ready);
	assert_int_equal(access(path, F_OK), -1);
	/* the host's: neither reported nor removed */
	assert_int_equal(count_kind(ipc, "posix_shm", host), 0);
	assert_int_equal(count_kind(ipc, "posix_shm", pre), 0);
	assert_int_equal(count_kind(ipc, "sysv_msg", NULL), 0);
	snprintf(path, sizeof(path), "/dev/shm%s", host);
	bool host_there = access(path, F_OK) == 0;

	unlink(path);
	snprintf(path, sizeof(path), "/dev/shm%s", pre);
	bool pre_there = access(path, F_OK) == 0;

	unlink(path);
	bool msq_there = msgctl(msq, IPC_RMID, NULL) == 0;

	assert_true(host_there);
	assert_true(pre_there);
	assert_true(msq_there);
	json_decref(j);
}

/* ---- processes ----------------------------------------------------------- */

static int count_lines(const char *s, const char *prefix)
{
	int n = 0;

	for (const char *p = s; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		n += strncmp(p, prefix, strlen(prefix)) == 0;
	return n;
}

static void check_pthread_exit(const char *const *wrap, const char *mode, const char *what)
{
	json_t *j = run_wrapped(wrap, mode, "host/pthread_exit_child", NULL, NULL);
	const char *out = tu_str(j, "stdout");
	json_t *procs = json_object_get(json_object_get(j, "cleanup"), "processes");

	fprintf(stderr, "%s, %s: leftover %lld, %lld ms, %d worker lines\n", mode, what,
		tu_int(j, "leftover_processes"), tu_int(j, "wall_ms"), count_lines(out, "worker"));
	assert_string_equal(tu_str(j, "verdict"), "ok");
	assert_non_null(strstr(out, "parent done\n"));
	/* counted, listed, and killed when the first process ended (0.1 s),
	 * not when its worker would have (5 s) or the box was torn down */
	assert_int_equal(tu_int(j, "leftover_processes"), 1);
	assert_int_equal(json_array_size(procs), 1);
	assert_true(tu_int(j, "wall_ms") < 1500);
	assert_true(count_lines(out, "worker") < 25);
	json_decref(j);
}

static void test_host_pthread_exit_leaves_a_live_process(void **state)
{
	(void)state;
	FOR_EACH_MODE(mode) {
		check_pthread_exit(NULL, mode, "as the machine is");
		if (geteuid() != 0)
			fprintf(stderr, "SKIPPED (without cgroups): hiding the cgroup mounts needs root\n");
		else
			check_pthread_exit(no_cgroups, mode, "without cgroups");
	}
}

/* Without cgroups (hidden here, or a cgroup that cannot be joined),
 * rlimits hold every limit, and limits_by says so. */
static void test_host_without_cgroups_rlimits_hold_every_limit(void **state)
{
	(void)state;
	if (geteuid() != 0)
		TU_SKIP("hiding the cgroup mounts needs root");
	FOR_EACH_MODE(mode) {
		json_t *j = run_wrapped(no_cgroups, mode, "basic/memhog", (const char *[]){ "--memory-mb", "64", NULL }, NULL);
		json_t *by = json_object_get(j, "limits_by");

		assert_string_equal(tu_str(j, "verdict"), "memory_limit");
		assert_string_equal(tu_str(by, "memory"), "RLIMIT_AS per process");
		assert_string_equal(tu_str(by, "cpu"), "/proc sampling + RLIMIT_CPU per process");
		assert_non_null(strstr(tu_str(by, "processes"), "RLIMIT_NPROC"));
		json_decref(j);
		j = run_wrapped(no_cgroups, mode, "host/fork_many", (const char *[]){ "--processes", "16", NULL }, NULL);
		int forked = -1;

		sscanf(tu_str(j, "stdout"), "forked %d", &forked);
		fprintf(stderr, "%s without cgroups, --processes 16: %s", mode, tu_str(j, "stdout"));
		assert_true(forked >= 8 && forked < 16);
		json_decref(j);
		j = run_wrapped(no_cgroups, mode, "basic/spin", (const char *[]){ "--cpu-ms", "300", "--timeout", "20000", NULL },
				NULL);
		assert_string_equal(tu_str(j, "verdict"), "timeout");
		assert_non_null(strstr(tu_str(j, "verdict_detail"), "CPU"));
		json_decref(j);
	}
}

/* Children of ours that are zombies or alive, other than those we know. */
static int reap_strays(void)
{
	int n = 0, st;
	pid_t pid;

	while ((pid = waitpid(-1, &st, WNOHANG | __WALL)) > 0)
		n++;
	return n;
}

static void test_host_no_zombie_reaches_the_caller(void **state)
{
	int repeat = atoi(tu_env("HOST_ZOMBIE_REPEAT", "100"));

	(void)state;
	/* orphans of ipcgrade would come to us, not to init */
	assert_int_equal(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
	FOR_EACH_MODE(mode) {
		int handed = 0, deadlocks = 0;

		for (int i = 0; i < repeat; i++) {
			json_t *j = run(mode, "host/deadlock_zombies",
					(const char *[]){ "--deadlock-after-ms", "100", "--timeout", "5000", NULL }, NULL);

			deadlocks += strcmp(tu_str(j, "verdict"), "deadlock") == 0;
			json_decref(j);
			handed += reap_strays();
		}
		fprintf(stderr, "%s: %d runs, %d deadlocks, %d processes handed to the caller\n", mode, repeat,
			deadlocks, handed);
		assert_int_equal(deadlocks, repeat);
		assert_int_equal(handed, 0);
	}
	prctl(PR_SET_CHILD_SUBREAPER, 0);
}

static void test_host_kill_of_a_reaped_child_is_esrch(void **state)
{
	(void)state;
	FOR_EACH_MODE(mode) {
		json_t *j = run(mode, "host/kill_reaped", NULL, NULL);

		assert_string_equal(tu_str(j, "stdout"), "kill: No such process\n");
		assert_string_equal(tu_str(j, "verdict"), "ok");
		assert_int_equal(json_object_size(json_object_get(j, "denied")), 0);
		json_decref(j);
	}
}

static void test_host_pidfd_signals_are_checked_like_kill(void **state)
{
	char target[32];

	(void)state;
	pid_t victim = fork();

	if (victim == 0) {
		pause();
		_exit(0);
	}
	snprintf(target, sizeof(target), "%d", (int)victim);
	json_t *j = run("reduced", "host/pidfd_signal", NULL, (const char *[]){ target, NULL });
	json_t *denied = json_object_get(j, "denied");
	int st;
	bool alive = waitpid(victim, &st, WNOHANG) == 0;

	kill(victim, SIGKILL);
	waitpid(victim, &st, 0);
	fprintf(stderr, "stdout: %s", tu_str(j, "stdout"));
	assert_true(alive);
	assert_int_equal(tu_int(denied, "pidfd_send_signal(a process outside the run)"), 1);
	assert_int_equal(tu_int(denied, "pidfd_open(a process outside the run)"), 1);
	assert_non_null(strstr(tu_str(j, "stdout"), "own child: ok\n"));
	json_decref(j);
}

/* ---- waiting for our turn ------------------------------------------------ */

/* The machine-wide lock reduced runs take turns by, where ipcgrade keeps it
 * for the user we are (harness/slot.c). */
static int open_reduced_lock(void)
{
	const char *rt = getenv("XDG_RUNTIME_DIR");
	char dir[300], path[340];

	if (geteuid() == 0)
		snprintf(dir, sizeof(dir), "/run/ipcgrade");
	else if (rt && *rt)
		snprintf(dir, sizeof(dir), "%s/ipcgrade", rt);
	else
		snprintf(dir, sizeof(dir), "/tmp/ipcgrade-locks-%d", (int)getuid());
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return -1;
	snprintf(path, sizeof(path), "%s/reduced.lock", dir);
	return open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
}

/* A reduced run that waits for another one says how long in its notes
 * (the wait is the caller's time, not the run's: tests/progfuzz takes it
 * off its "within the limits" check). */
static void test_host_a_wait_for_our_turn_is_noted(void **state)
{
	int fd = open_reduced_lock(), ready[2];
	char c;

	(void)state;
	if (fd < 0) {
		fprintf(stderr, "SKIPPED: cannot open the reduced runs' lock: %s\n", strerror(errno));
		skip();
	}
	assert_int_equal(pipe(ready), 0);
	pid_t holder = fork();

	if (holder == 0) {
		if (flock(fd, LOCK_EX) < 0)
			_exit(1);
		if (write(ready[1], "x", 1) != 1)
			_exit(1);
		usleep(800000);
		_exit(0);
	}
	close(ready[1]);
	assert_int_equal(read(ready[0], &c, 1), 1);
	close(ready[0]);
	close(fd);
	json_t *j = run("reduced", "host/kill_reaped", NULL, NULL);
	json_t *notes = json_object_get(j, "notes"), *n;
	double waited = 0;
	size_t i;
	int st;

	waitpid(holder, &st, 0);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	json_array_foreach(notes, i, n) {
		if (sscanf(json_string_value(n) ? json_string_value(n) : "",
			   "waited %lf s for other reduced runs", &waited) == 1) {
			break;
		}
	}
	fprintf(stderr, "waited %.2f s\n", waited);
	assert_true(waited >= 0.5);
	json_decref(j);
}

/* ---- CPUs ---------------------------------------------------------------- */

static void test_host_cpus_come_from_the_allowed_set(void **state)
{
	cpu_set_t set;
	int last = -1;
	char dir[128], cpu[16], wrap_cmd[512];

	(void)state;
	if (geteuid() != 0)
		TU_SKIP("making a cpuset needs root");
	if (access("/sys/fs/cgroup/cpuset/cpuset.cpus", W_OK) != 0)
		TU_SKIP("no writable cgroup v1 cpuset hierarchy at /sys/fs/cgroup/cpuset");
	assert_int_equal(sched_getaffinity(0, sizeof(set), &set), 0);
	for (int i = 0; i < CPU_SETSIZE; i++)
		if (CPU_ISSET(i, &set))
			last = i;
	if (last <= 0)
		TU_SKIP("one CPU only: no cpuset can exclude CPU 0 here");
	snprintf(dir, sizeof(dir), "/sys/fs/cgroup/cpuset/ipcgrade-test-cpuset-%d", (int)getpid());
	snprintf(cpu, sizeof(cpu), "%d", last);
	assert_int_equal(mkdir(dir, 0755), 0);
	tu_write_file(dir, "cpuset.cpus", cpu);
	char mems[64] = "0";
	FILE *f = fopen("/sys/fs/cgroup/cpuset/cpuset.mems", "r");

	if (f) {
		if (!fgets(mems, sizeof(mems), f))
			snprintf(mems, sizeof(mems), "0");
		fclose(f);
	}
	tu_write_file(dir, "cpuset.mems", mems);
	snprintf(wrap_cmd, sizeof(wrap_cmd), "echo $$ > %s/cgroup.procs && exec \"$@\"", dir);
	const char *const wrap[] = { "sh", "-c", wrap_cmd, "sh", NULL };
	char want[32];

	snprintf(want, sizeof(want), "cpus: %d\n", last);
	FOR_EACH_MODE(mode) {
		for (int cpus = 1; cpus <= 2; cpus++) {
			char n[8];

			snprintf(n, sizeof(n), "%d", cpus);
			json_t *j = run_wrapped(wrap, mode, "host/affinity", (const char *[]){ "--cpus", n, NULL }, NULL);

			fprintf(stderr, "%s, --cpus %d in cpuset {%d}: %s", mode, cpus, last, tu_str(j, "stdout"));
			assert_string_equal(tu_str(j, "verdict"), "ok");
			assert_string_equal(tu_str(j, "stdout"), want);
			json_decref(j);
		}
	}
	for (int i = 0; i < 100 && rmdir(dir) < 0; i++)
		usleep(10000);
	assert_int_equal(access(dir, F_OK), -1);
}

/* ---- one process, several runs, as an ordinary user ------------------------ */

static int one_run(enum hx_isolation iso, const char *workdir, const char *prog, unsigned jitter,
		   char *what, size_t size)
{
	struct hx_config cfg;
	struct hx_result res;
	char err[256];

	/* reduced isolation runs only what is in the working directory */
	char cmd[700], copy[400];

	snprintf(copy, sizeof(copy), "%s/prog", workdir);
	snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", prog, copy);
	if (system(cmd) != 0) {
		snprintf(what, size, "cannot copy %s", prog);
		return -1;
	}
	hx_config_init(&cfg);
	cfg.argv = (const char *const[]){ "./prog", NULL };
	cfg.workdir = workdir;
	cfg.isolation = iso;
	cfg.jitter_max_us = jitter;
	int rc = hx_run(&cfg, &res, err, sizeof(err));

	snprintf(what, size, "%s run: %s", hx_isolation_name(iso), rc < 0 ? err : hx_verdict_name(res.verdict));
	rc = rc < 0 ? -1 : res.verdict == HX_VERDICT_OK ? 0 : 1;
	hx_result_release(&res);
	return rc;
}

/* A copy of program src in dir, made now, as root: an ordinary user may not
 * reach the build folder (a checkout in a private folder, as mktemp -d
 * makes). malloc'd path. */
static char *copy_for_user(const char *src, const char *dir, const char *name)
{
	char *dst = NULL;

	assert_true(asprintf(&dst, "%s/%s", dir, name) > 0);
	tu_sh("cp '%s' '%s' && chmod 755 '%s'", src, dst, dst);
	return dst;
}

static void test_host_reduced_then_full_as_an_ordinary_user(void **state)
{
	char dir[] = "/tmp/ipcgrade-hosttest-user-XXXXXX";
	int p[2];

	(void)state;
	if (geteuid() != 0)
		TU_SKIP("dropping to an ordinary user needs root");
	assert_non_null(mkdtemp(dir));
	assert_int_equal(chown(dir, 65534, 65534), 0);
	assert_int_equal(pipe(p), 0);
	char *fixture = tu_fixture("basic/ok");
	char *prog = copy_for_user(fixture, dir, "ok");
	pid_t pid = fork();

	free(fixture);

	if (pid == 0) {
		char msg[1024] = "", what[300], work[300];
		int bad = 0;

		close(p[0]);
		if (setgroups(0, NULL) < 0 || setresgid(65534, 65534, 65534) < 0 ||
		    setresuid(65534, 65534, 65534) < 0)
			_exit(3);
		/* as an ordinary user's process is (a change of uid clears it) */
		prctl(PR_SET_DUMPABLE, 1);
		setenv("XDG_RUNTIME_DIR", dir, 1);
		long slack = prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0);

		snprintf(work, sizeof(work), "%s/w1", dir);
		mkdir(work, 0700);
		bad |= one_run(HX_ISOLATION_REDUCED, work, prog, 100, what, sizeof(what)) != 0;
		snprintf(msg + strlen(msg), sizeof(msg) - strlen(msg), "%s; ", what);
		if (prctl(PR_GET_DUMPABLE) != 1)
			bad = 1, snprintf(msg + strlen(msg), sizeof(msg) - strlen(msg), "not dumpable after it; ");
		if (prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0) != slack)
			bad = 1, snprintf(msg + strlen(msg), sizeof(msg) - strlen(msg), "timer slack not restored; ");
		snprintf(work, sizeof(work), "%s/w2", dir);
		mkdir(work, 0700);
		int full = one_run(HX_ISOLATION_FULL, work, prog, 0, what, sizeof(what));

		snprintf(msg + strlen(msg), sizeof(msg) - strlen(msg), "%s", what);
		bad |= full != 0;
		if (write(p[1], msg, strlen(msg)) < 0)
			_exit(4);
		_exit(bad);
	}
	close(p[1]);
	char msg[1024] = "";
	ssize_t n = read(p[0], msg, sizeof(msg) - 1);
	int st = 0;

	close(p[0]);
	waitpid(pid, &st, 0);
	msg[n > 0 ? n : 0] = '\0';
	fprintf(stderr, "as uid 65534: %s\n", msg);
	tu_sh("rm -rf '%s'", dir);
	free(prog);
	if (strstr(msg, "full run: full isolation is not available"))
		TU_SKIP("%s", msg);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

/* /dev/mqueue is an mqueue file system here */
static bool mqueue_mounted(void)
{
	struct statfs sf;

	return statfs("/dev/mqueue", &sf) == 0 && sf.f_type == 0x19800202;
}

/* An ordinary user's reduced run that makes a queue: with /dev/mqueue it
 * works and the queue is removed; without, mq_open is refused before the
 * kernel makes anything, and the report says why. */
static void test_host_queue_of_an_ordinary_users_reduced_run(void **state)
{
	char dir[] = "/tmp/ipcgrade-hosttest-mq-XXXXXX", name[96], queue[128], out[160], key[32];

	(void)state;
	if (geteuid() != 0)
		TU_SKIP("dropping to an ordinary user needs root");
	assert_non_null(mkdtemp(dir));
	assert_int_equal(chown(dir, 65534, 65534), 0);
	snprintf(name, sizeof(name), "ipcgrade-hostmq-user-%d", (int)getpid());
	snprintf(queue, sizeof(queue), "/%s-mq", name);
	snprintf(out, sizeof(out), "%s/out.json", dir);
	snprintf(key, sizeof(key), "%#x", 0x49530000u | (((unsigned)getpid() & 0xfff) << 4));
	char *fixture = tu_fixture("host/leak_all");
	char *prog = copy_for_user(fixture, dir, "leak_all");
	char *grader = copy_for_user(tu_ipcgrade(), dir, "grader-bin");
	pid_t pid = fork();

	free(fixture);
	if (pid == 0) {
		if (setgroups(0, NULL) < 0 || setresgid(65534, 65534, 65534) < 0 ||
		    setresuid(65534, 65534, 65534) < 0)
			_exit(3);
		setenv("XDG_RUNTIME_DIR", dir, 1);
		setenv("TMPDIR", dir, 1);
		/* An ordinary user cannot load BPF: a forced backend (make
		 * e2e-ebpf) would be refused; auto falls back, as it must. */
		setenv("IPCGRADE_TRACER", "auto", 1);
		int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		dup2(fd, 1);
		execl(grader, grader, "run", "--json", "--isolation", "reduced", "--", prog, name,
		      key, (char *)NULL);
		_exit(127);
	}
	int st = 0;

	assert_int_equal(waitpid(pid, &st, 0), pid);
	json_t *j = json_load_file(out, 0, NULL);

	tu_sh("rm -rf '%s'", dir);
	free(prog);
	free(grader);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	assert_non_null(j);
	json_t *ipc = json_object_get(json_object_get(j, "cleanup"), "ipc");
	json_t *denied = json_object_get(j, "denied");

	print_ipc("reduced, uid 65534", ipc);
	if (mqueue_mounted()) {
		assert_string_equal(tu_str(j, "stdout"), "made\n");
		assert_int_equal(count_kind(ipc, "posix_mq", queue), 1);
	} else {
		fprintf(stderr, "/dev/mqueue is not mounted: mq_open must be refused\n");
		assert_int_equal(tu_int(denied, "mq_open(reduced isolation without /dev/mqueue)"), 1);
		assert_string_equal(tu_str(j, "verdict"), "forbidden_syscall");
		assert_int_equal(count_kind(ipc, "posix_mq", NULL), 0);
		/* everything else was made and removed all the same */
		assert_int_equal(count_kind(ipc, "posix_shm", "-shm"), 1);
	}
	assert_false(queue_exists(queue));
	json_decref(j);
}

int main(void)
{
	snprintf(full_why, sizeof(full_why), "%s", tu_full_isolation_missing());
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_host_every_leaked_object_is_named_and_removed, remove_ours),
		cmocka_unit_test_teardown(test_host_leaked_queue_is_named_and_removed, remove_ours),
		cmocka_unit_test_teardown(test_host_objects_of_the_host_survive_a_reduced_run, remove_ours),
		cmocka_unit_test_teardown(test_host_pthread_exit_leaves_a_live_process, remove_ours),
		cmocka_unit_test_teardown(test_host_without_cgroups_rlimits_hold_every_limit, remove_ours),
		cmocka_unit_test_teardown(test_host_no_zombie_reaches_the_caller, remove_ours),
		cmocka_unit_test_teardown(test_host_kill_of_a_reaped_child_is_esrch, remove_ours),
		cmocka_unit_test_teardown(test_host_pidfd_signals_are_checked_like_kill, remove_ours),
		cmocka_unit_test_teardown(test_host_a_wait_for_our_turn_is_noted, remove_ours),
		cmocka_unit_test_teardown(test_host_cpus_come_from_the_allowed_set, remove_ours),
		cmocka_unit_test_teardown(test_host_reduced_then_full_as_an_ordinary_user, remove_ours),
		cmocka_unit_test_teardown(test_host_queue_of_an_ordinary_users_reduced_run, remove_ours),
	};

	return cmocka_run_group_tests_name("host", tests, NULL, NULL);
}

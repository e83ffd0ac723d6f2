/*
 * cgroup.c - a cgroup per run, for the limits rlimits cannot hold.
 *
 * Memory and process counts of a whole process tree, and its CPU time,
 * are only enforceable with cgroups. We use cgroup v2 where the
 * controllers are delegated to us, else the v1 hierarchies that are
 * writable, else nothing (the box falls back to rlimits, and the report
 * says so in limits_by). The run's cgroup is created UNDER the caller's
 * own cgroup, so limits an outer guard sets (a test's pids.max) nest.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "internal.h"

#define CGROUP_MAGIC 0x27e0eb
#define CGROUP2_MAGIC 0x63677270

struct hierarchy {
	char mount[256];
	char self[256];		/* our cgroup, relative to the mount */
};

/* Find the mount point of a v1 controller (or v2 with ctrl NULL) and our
 * cgroup in it. */
static bool lookup_hierarchy(const char *ctrl, struct hierarchy *h)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[1024];
	bool found = false;

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		char mnt[256], fstype[32], opts[512];
		/* id parent major:minor root mountpoint options ... - fstype source superopts */
		char *dash = strstr(line, " - ");

		if (!dash || sscanf(line, "%*s %*s %*s %*s %255s", mnt) != 1)
			continue;
		if (sscanf(dash + 3, "%31s %*s %511s", fstype, opts) != 2)
			continue;
		if (!ctrl && strcmp(fstype, "cgroup2") == 0) {
			found = true;
		} else if (ctrl && strcmp(fstype, "cgroup") == 0) {
			for (char *tok = strtok(opts, ","); tok; tok = strtok(NULL, ","))
				if (strcmp(tok, ctrl) == 0)
					found = true;
		}
		if (found)
			snprintf(h->mount, sizeof(h->mount), "%s", mnt);
	}
	fclose(f);
	if (!found)
		return false;
	/* Still a cgroup file system at that path, not something mounted
	 * over it (a tmpfs hiding /sys/fs/cgroup): a directory made there
	 * would hold no limit. */
	struct statfs sf;

	if (statfs(h->mount, &sf) < 0 ||
	    (sf.f_type != CGROUP_MAGIC && sf.f_type != CGROUP2_MAGIC))
		return false;

	f = fopen("/proc/self/cgroup", "re");
	if (!f)
		return false;
	found = false;
	while (!found && fgets(line, sizeof(line), f)) {
		char *c1 = strchr(line, ':');
		char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;

		if (!c2)
			continue;
		*c2 = '\0';
		char *path = c2 + 1;

		path[strcspn(path, "\n")] = '\0';
		if (!ctrl && strcmp(c1 + 1, "") == 0 && strncmp(line, "0", 1) == 0) {
			found = true;
		} else if (ctrl) {
			for (char *tok = strtok(c1 + 1, ","); tok; tok = strtok(NULL, ","))
				if (strcmp(tok, ctrl) == 0)
					found = true;
		}
		if (found)
			snprintf(h->self, sizeof(h->self), "%s", strcmp(path, "/") == 0 ? "" : path);
	}
	fclose(f);
	return found;
}

/* lookup_hierarchy, once per process and controller: reading
 * /proc/self/mountinfo and /proc/self/cgroup eight times was most of a
 * run's cgroup set-up (0.3 of 0.5 ms). A process that is moved to
 * another cgroup after its first run keeps making its runs' cgroups
 * under the first one. */
static bool find_hierarchy(const char *ctrl, struct hierarchy *h)
{
	static const char *const names[] = { NULL, "memory", "pids", "cpuacct" };
	static struct { bool done, found; struct hierarchy h; } cache[HX_ARRAY_SIZE(names)];

	for (size_t i = 0; i < HX_ARRAY_SIZE(names); i++) {
		if (ctrl ? !names[i] || strcmp(ctrl, names[i]) != 0 : names[i] != NULL)
			continue;
		if (!cache[i].done) {
			cache[i].found = lookup_hierarchy(ctrl, &cache[i].h);
			cache[i].done = true;
		}
		*h = cache[i].h;
		return cache[i].found;
	}
	return lookup_hierarchy(ctrl, h);
}

static bool make_dir(const struct hierarchy *h, const char *name, char *out, size_t size)
{
	if ((size_t)snprintf(out, size, "%s%s/%s", h->mount, h->self, name) >= size)
		return false;
	if (mkdir(out, 0755) < 0 && errno != EEXIST) {
		out[0] = '\0';
		return false;
	}
	return true;
}

static int knob(const char *dir, const char *file, const char *fmt, unsigned long long v)
{
	char path[600], text[64];

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	snprintf(text, sizeof(text), fmt, v);
	return hx_write_file(path, text);
}

static long long read_number(const char *dir, const char *file, const char *key)
{
	char path[600], buf[4096];

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	if (hx_read_file(path, buf, sizeof(buf)) < 0)
		return -1;
	if (!key)
		return strtoll(buf, NULL, 10);
	size_t klen = strlen(key);

	for (char *p = buf; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (strncmp(p, key, klen) == 0 && p[klen] == ' ')
			return strtoll(p + klen + 1, NULL, 10);
	return -1;
}

/* v2: controllers must be enabled in our cgroup's subtree_control. */
static bool v2_enable(const struct hierarchy *h, bool *mem, bool *pids)
{
	char path[600], buf[256];

	snprintf(path, sizeof(path), "%s%s/cgroup.controllers", h->mount, h->self);
	if (hx_read_file(path, buf, sizeof(buf)) < 0)
		return false;
	*mem = strstr(buf, "memory") != NULL;
	*pids = strstr(buf, "pids") != NULL;
	if (!*mem && !*pids)
		return false;
	snprintf(path, sizeof(path), "%s%s/cgroup.subtree_control", h->mount, h->self);
	if (hx_read_file(path, buf, sizeof(buf)) < 0)
		return false;
	if (*mem && !strstr(buf, "memory") && hx_write_file(path, "+memory") < 0)
		*mem = false;
	if (*pids && !strstr(buf, "pids") && hx_write_file(path, "+pids") < 0)
		*pids = false;
	return *mem || *pids;
}

/* ---- kept cgroups ----------------------------------------------------- */

enum { KEPT_MAX = 8 };

static unsigned counter;	/* of the cgroups this process made */

/* A slot's cgroups between its runs, and the limits last written. */
static struct kept {
	pid_t owner;		/* the process that made them; 0: free */
	int slot;
	struct hx_cgroup cg;
	unsigned long long memory_max, pids_max;
} kept[KEPT_MAX];

static void kill_and_remove(char *dir);

static bool is_empty(const char *dir)
{
	char path[600], buf[64];

	if (!dir[0])
		return true;
	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	return hx_read_file(path, buf, sizeof(buf)) == 0;
}

/* Empty cgroups of ours (ipcgrade-PID-SLOT-N) under h whose PID is gone:
 * kept by a process that was killed before it could remove them. */
static void sweep_stale(const struct hierarchy *h)
{
	char dir[600], path[900];
	DIR *d;
	struct dirent *e;

	snprintf(dir, sizeof(dir), "%s%s", h->mount, h->self);
	if (!(d = opendir(dir)))
		return;
	while ((e = readdir(d))) {
		int pid, slot;
		unsigned n;
		char end;

		if (e->d_type != DT_DIR ||
		    sscanf(e->d_name, "ipcgrade-%d-%d-%u%c", &pid, &slot, &n, &end) != 3 ||
		    pid <= 0 || pid == (int)getpid() || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		rmdir(path);	/* EBUSY when something is in it: left alone */
	}
	closedir(d);
}

static void sweep_stale_once(void)
{
	static pid_t swept;
	static const char *const ctrls[] = { NULL, "memory", "pids", "cpuacct" };
	struct hierarchy h;

	if (swept == getpid())
		return;
	swept = getpid();
	for (size_t i = 0; i < HX_ARRAY_SIZE(ctrls); i++)
		if (find_hierarchy(ctrls[i], &h))
			sweep_stale(&h);
}

static struct kept *kept_of(int slot)
{
	for (int i = 0; i < KEPT_MAX; i++)
		if (kept[i].owner == getpid() && kept[i].slot == slot)
			return &kept[i];
	return NULL;
}

static bool make_fresh_memory(struct hx_cgroup *cg, const char *name, const struct hx_limits *lim);

/* The kept cgroups of the slot, their counters reset and limits set;
 * false when there are none (or they could not be reset: removed). */
static bool reuse_kept(struct hx_cgroup *cg, const struct hx_limits *lim, int slot, const char *name)
{
	struct kept *k = kept_of(slot);
	unsigned long long mem = (unsigned long long)lim->memory_mb << 20;

	if (!k)
		return false;
	*cg = k->cg;
	k->owner = 0;
	if (!is_empty(cg->memory) || !is_empty(cg->pids) || !is_empty(cg->cpuacct)) {
		hx_cgroup_destroy(cg);
		memset(cg, 0, sizeof(*cg));
		return false;
	}
	cg->reused = true;
	if (cg->memory[0]) {
		/* Pages the last run left charged (page cache of the files it
		 * wrote) would count in this run's peak and limit; force_empty
		 * costs 8-30 ms, a fresh cgroup 0.2. */
		if (read_number(cg->memory, "memory.usage_in_bytes", NULL) != 0) {
			hx_prof_mark("cgroup: memory still charged");
			kill_and_remove(cg->memory);
			cg->has_memory = false;
			make_fresh_memory(cg, name, lim);
		} else {
			if (mem != k->memory_max) {
				if (knob(cg->memory, "memory.limit_in_bytes", "%llu", mem) < 0)
					cg->has_memory = false;
				knob(cg->memory, "memory.memsw.limit_in_bytes", "%llu", mem);
			}
			knob(cg->memory, "memory.max_usage_in_bytes", "%llu", 0);
			knob(cg->memory, "memory.failcnt", "%llu", 0);
			cg->oom_base = read_number(cg->memory, "memory.oom_control", "oom_kill");
		}
	}
	if (cg->pids[0] && lim->processes != k->pids_max &&
	    knob(cg->pids, "pids.max", "%llu", lim->processes) < 0)
		cg->has_pids = false;
	if (cg->cpuacct[0] && knob(cg->cpuacct, "cpuacct.usage", "%llu", 0) < 0) {
		kill_and_remove(cg->cpuacct);
		cg->has_cpu = false;
	}
	return true;
}

void hx_cgroup_keep(struct hx_cgroup *cg, int slot)
{
	struct kept *k = NULL;

	for (int i = 0; i < KEPT_MAX && !k; i++)
		if (kept[i].owner != getpid())
			k = &kept[i];
	if (!k || cg->version != 1 || cg->v2[0] || !is_empty(cg->memory) || !is_empty(cg->pids) ||
	    !is_empty(cg->cpuacct)) {
		hx_cgroup_destroy(cg);
		return;
	}
	/* Pages the run left charged (page cache of the files it wrote:
	 * most runs) would count in the next run's peak and limit: its
	 * memory cgroup is replaced now, off the next run's path. */
	if (cg->memory[0] && read_number(cg->memory, "memory.usage_in_bytes", NULL) != 0) {
		struct hx_limits lim = { .memory_mb = (unsigned)(read_number(cg->memory,
						"memory.limit_in_bytes", NULL) >> 20) };
		char name[96];

		kill_and_remove(cg->memory);
		cg->has_memory = false;
		snprintf(name, sizeof(name), "ipcgrade-%d-%d-%u", (int)getpid(), slot, counter++);
		make_fresh_memory(cg, name, &lim);
	}
	k->owner = getpid();
	k->slot = slot;
	k->cg = *cg;
	k->memory_max = k->pids_max = 0;
	/* the limits written last, read back: a reset skips equal ones */
	if (cg->memory[0])
		k->memory_max = (unsigned long long)read_number(cg->memory, "memory.limit_in_bytes", NULL);
	if (cg->pids[0])
		k->pids_max = (unsigned long long)read_number(cg->pids, "pids.max", NULL);
	memset(cg, 0, sizeof(*cg));
}

void hx_cgroup_remove_kept(void)
{
	for (int i = 0; i < KEPT_MAX; i++) {
		if (kept[i].owner != getpid())
			continue;
		hx_cgroup_destroy(&kept[i].cg);
		kept[i].owner = 0;
	}
}

/* ---- a run's cgroups ----------------------------------------------------- */

static bool make_fresh_memory(struct hx_cgroup *cg, const char *name, const struct hx_limits *lim)
{
	struct hierarchy h;

	if (!find_hierarchy("memory", &h) || !make_dir(&h, name, cg->memory, sizeof(cg->memory)))
		return false;
	cg->version = 1;
	if (knob(cg->memory, "memory.limit_in_bytes", "%llu",
		 (unsigned long long)lim->memory_mb << 20) == 0) {
		cg->has_memory = true;
		/* Only present with swap accounting. */
		knob(cg->memory, "memory.memsw.limit_in_bytes", "%llu",
		     (unsigned long long)lim->memory_mb << 20);
	}
	cg->oom_base = read_number(cg->memory, "memory.oom_control", "oom_kill");
	return true;
}

void hx_cgroup_create(struct hx_cgroup *cg, const struct hx_limits *lim, int slot)
{
	struct hierarchy h;
	char name[96];

	memset(cg, 0, sizeof(*cg));
	snprintf(name, sizeof(name), "ipcgrade-%d-%d-%u", (int)getpid(), slot, counter++);
	sweep_stale_once();
	if (reuse_kept(cg, lim, slot, name))
		return;

	bool mem = false, pids = false;

	if (find_hierarchy(NULL, &h) && v2_enable(&h, &mem, &pids) &&
	    make_dir(&h, name, cg->v2, sizeof(cg->v2))) {
		cg->version = 2;
		if (mem && knob(cg->v2, "memory.max", "%llu", (unsigned long long)lim->memory_mb << 20) == 0) {
			cg->has_memory = true;
			knob(cg->v2, "memory.swap.max", "%llu", 0);
		}
		if (pids && knob(cg->v2, "pids.max", "%llu", lim->processes) == 0)
			cg->has_pids = true;
		cg->has_cpu = true;	/* cpu.stat is always there */
		return;
	}
	make_fresh_memory(cg, name, lim);
	if (find_hierarchy("pids", &h) && make_dir(&h, name, cg->pids, sizeof(cg->pids))) {
		cg->version = 1;
		if (knob(cg->pids, "pids.max", "%llu", lim->processes) == 0)
			cg->has_pids = true;
	}
	if (find_hierarchy("cpuacct", &h) && make_dir(&h, name, cg->cpuacct, sizeof(cg->cpuacct))) {
		cg->version = 1;
		cg->has_cpu = true;
	}
}

/* A controller's directory that could not be joined is given up: removed
 * (nothing is in it) and its limit left to rlimits. */
static void give_up(char *dir, bool *has)
{
	rmdir(dir);
	dir[0] = '\0';
	*has = false;
}

static char *v1_dir(struct hx_cgroup *cg, int which)
{
	return which == HX_CG_V1_MEMORY ? cg->memory : which == HX_CG_V1_PIDS ? cg->pids : cg->cpuacct;
}

void hx_cgroup_open_self_joins(const struct hx_cgroup *cg, int fds[HX_CG_V1_COUNT])
{
	for (int i = 0; i < HX_CG_V1_COUNT; i++) {
		const char *dir = v1_dir((struct hx_cgroup *)cg, i);
		char path[600];

		fds[i] = -1;
		if (!dir[0])
			continue;
		snprintf(path, sizeof(path), "%s/tasks", dir);
		fds[i] = open(path, O_WRONLY | O_CLOEXEC);
	}
}

int hx_cgroup_join_self(int fd)
{
	ssize_t n;

	do
		n = write(fd, "0", 1);
	while (n < 0 && errno == EINTR);
	return n == 1 ? 0 : n < 0 ? -errno : -EIO;
}

int hx_cgroup_attach(struct hx_cgroup *cg, pid_t pid, unsigned joined)
{
	int rc = 0;

	if (cg->v2[0] && knob(cg->v2, "cgroup.procs", "%llu", (unsigned long long)pid) < 0) {
		rc = -errno;
		give_up(cg->v2, &cg->has_memory);
		cg->has_pids = cg->has_cpu = false;
	}
	struct { char *dir; bool *has; } v1[] = {
		[HX_CG_V1_MEMORY] = { cg->memory, &cg->has_memory },
		[HX_CG_V1_PIDS] = { cg->pids, &cg->has_pids },
		[HX_CG_V1_CPUACCT] = { cg->cpuacct, &cg->has_cpu },
	};
	for (size_t i = 0; i < HX_ARRAY_SIZE(v1); i++) {
		if (!v1[i].dir[0] || (joined & (1u << i)) ||
		    knob(v1[i].dir, "cgroup.procs", "%llu", (unsigned long long)pid) == 0)
			continue;
		rc = -errno;
		give_up(v1[i].dir, v1[i].has);
	}
	if (!cg->v2[0] && !cg->memory[0] && !cg->pids[0] && !cg->cpuacct[0])
		cg->version = 0;
	return rc;
}

long long hx_cgroup_cpu_us(const struct hx_cgroup *cg)
{
	if (cg->version == 2 && cg->v2[0])
		return read_number(cg->v2, "cpu.stat", "usage_usec");
	if (cg->cpuacct[0]) {
		long long ns = read_number(cg->cpuacct, "cpuacct.usage", NULL);

		return ns < 0 ? -1 : ns / 1000;
	}
	return -1;
}

long long hx_cgroup_cpu_wait_us(const struct hx_cgroup *cg)
{
	const char *dir = cg->version == 2 && cg->v2[0] ? cg->v2 : cg->pids[0] ? cg->pids
			  : cg->cpuacct[0] ? cg->cpuacct : cg->memory;
	char path[600];
	long long longest = -1;
	FILE *tasks;
	long tid;

	if (!dir[0])
		return -1;
	snprintf(path, sizeof(path), "%s/%s", dir, cg->version == 2 && cg->v2[0] ? "cgroup.threads" : "tasks");
	tasks = fopen(path, "re");
	if (!tasks)
		return -1;
	/* schedstat: time on a CPU, time waiting on a run queue (ns), slices */
	while (fscanf(tasks, "%ld", &tid) == 1) {
		unsigned long long on_cpu, waited;
		FILE *f;

		snprintf(path, sizeof(path), "/proc/%ld/schedstat", tid);
		f = fopen(path, "re");
		if (!f)
			continue;	/* ended meanwhile */
		if (fscanf(f, "%llu %llu", &on_cpu, &waited) == 2 && (long long)(waited / 1000) > longest)
			longest = (long long)(waited / 1000);
		fclose(f);
	}
	fclose(tasks);
	return longest;
}

void hx_cgroup_limits_by(const struct hx_cgroup *cg, struct hx_limits_by *by)
{
	bool v2 = cg->version == 2 && cg->v2[0];

	if (cg->has_memory)
		by->memory = v2 ? "cgroup v2 memory" : "cgroup v1 memory";
	if (cg->has_pids)
		by->processes = v2 ? "cgroup v2 pids" : "cgroup v1 pids";
	if (v2)
		by->cpu = "cgroup v2 cpu.stat";
	else if (cg->cpuacct[0])
		by->cpu = "cgroup v1 cpuacct";
}

unsigned long hx_cgroup_oom_kills(const struct hx_cgroup *cg)
{
	long long v = -1;

	if (cg->version == 2 && cg->v2[0])
		v = read_number(cg->v2, "memory.events", "oom_kill");
	else if (cg->memory[0]) {
		v = read_number(cg->memory, "memory.oom_control", "oom_kill");
		if (v >= 0 && cg->oom_base > 0)
			v -= cg->oom_base;	/* a kept cgroup's earlier runs' */
		/* Kernels before 4.13 only count failures to charge. */
		if (v < 0 && read_number(cg->memory, "memory.failcnt", NULL) > 0)
			v = 1;
	}
	return v > 0 ? (unsigned long)v : 0;
}

unsigned long hx_cgroup_memory_peak_kb(const struct hx_cgroup *cg)
{
	long long v = -1;

	if (cg->version == 2 && cg->v2[0])
		v = read_number(cg->v2, "memory.peak", NULL);
	else if (cg->memory[0])
		v = read_number(cg->memory, "memory.max_usage_in_bytes", NULL);
	return v > 0 ? (unsigned long)(v / 1024) : 0;
}

static void kill_and_remove(char *dir)
{
	char path[600], buf[8192];

	if (!dir[0])
		return;
	snprintf(path, sizeof(path), "%s/cgroup.kill", dir);
	hx_write_file(path, "1");
	for (int tries = 0; tries < 200; tries++) {
		snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
		if (hx_read_file(path, buf, sizeof(buf)) > 0)
			for (char *p = buf; *p; ) {
				char *end;
				long pid = strtol(p, &end, 10);

				if (end == p)
					break;
				kill((pid_t)pid, SIGKILL);
				p = end;
			}
		if (rmdir(dir) == 0 || errno == ENOENT)
			break;
		usleep(5000);
	}
	dir[0] = '\0';
}

void hx_cgroup_destroy(struct hx_cgroup *cg)
{
	kill_and_remove(cg->v2);
	kill_and_remove(cg->memory);
	kill_and_remove(cg->pids);
	kill_and_remove(cg->cpuacct);
	cg->version = 0;
}

void hx_cgroup_probe(struct hx_caps *caps)
{
	struct hierarchy h;
	char dir[600];
	char name[64];

	snprintf(name, sizeof(name), "ipcgrade-probe-%d", (int)getpid());
	if (find_hierarchy(NULL, &h)) {
		bool mem = false, pids = false;

		caps->cgroup_v2 = true;
		if (v2_enable(&h, &mem, &pids) && make_dir(&h, name, dir, sizeof(dir))) {
			snprintf(caps->cgroup_v2_controllers, sizeof(caps->cgroup_v2_controllers),
				 "%s%s%s", mem ? "memory" : "", mem && pids ? " " : "", pids ? "pids" : "");
			rmdir(dir);
		}
		caps->cgroup_memory = mem;
		caps->cgroup_pids = pids;
		if (mem || pids)
			return;	/* v2 wins when it has controllers */
	}
	static const char *const ctrls[] = { "memory", "pids", "cpuacct" };
	bool *flags[] = { &caps->cgroup_v1_memory, &caps->cgroup_v1_pids, &caps->cgroup_v1_cpuacct };

	for (size_t i = 0; i < HX_ARRAY_SIZE(ctrls); i++) {
		if (find_hierarchy(ctrls[i], &h) && make_dir(&h, name, dir, sizeof(dir))) {
			*flags[i] = true;
			rmdir(dir);
		}
	}
	caps->cgroup_memory = caps->cgroup_v1_memory;
	caps->cgroup_pids = caps->cgroup_v1_pids;
}

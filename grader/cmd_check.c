/*
 * cmd_check.c - `check`, `validate`, `list` and `doctor`: the commands
 * that look at one spec, one submission or this machine.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "grader.h"

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

/* SIGINT/SIGTERM end the current run cleanly (the box is killed, temp
 * folders removed) instead of killing ipcgrade mid-way. */
static void catch_interrupts(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

static struct spec *load_spec_or_complain(const char *name)
{
	char *path = assignment_spec_path(name);
	struct spec *s = NULL;
	struct diag d;
	struct stat st;

	diag_init(&d);
	if (!path)
		return NULL;
	if (!strchr(name, '/') && stat(path, &st) < 0) {
		fprintf(stderr, "ipcgrade: no assignment named '%s' (looked for %s); "
			"`ipcgrade list` shows the bundled ones\n", name, path);
		free(path);
		return NULL;
	}
	if (spec_load(path, &s, &d) < 0)
		diag_print(&d, stderr);
	diag_release(&d);
	free(path);
	return s;
}

int cmd_check(const struct check_cmd *c)
{
	struct spec *s = load_spec_or_complain(c->spec);
	struct grade_report rep;
	struct grade_opts o;
	char err[512] = "";
	struct stat st;

	if (!s)
		return EXIT_USAGE;
	if (stat(c->dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		fprintf(stderr, "ipcgrade: '%s' is not a folder with your submission\n", c->dir);
		spec_free(s);
		return EXIT_USAGE;
	}
	catch_interrupts();
	memset(&o, 0, sizeof(o));
	o.visible_only = !c->all_tests;
	o.isolation = c->require_isolation ? HX_ISOLATION_FULL : c->isolation;
	o.cancel = &interrupted;
	o.verbose = c->verbose;
	if (grade_submission(s, c->dir, &o, &rep, err, sizeof(err)) < 0) {
		fprintf(stderr, "ipcgrade: %s\n", err);
		grade_report_release(&rep);
		spec_free(s);
		return interrupted ? 130 : EXIT_INTERNAL;
	}
	bool all_passed = rep.build.ok;

	for (size_t i = 0; i < rep.ntests; i++)
		all_passed = all_passed && rep.tests[i].passed;
	if (c->json) {
		char *j = report_json_grade(&rep);

		if (j)
			printf("%s\n", j);
		free(j);
	} else {
		report_text_grade(stdout, &rep, term_color(stdout), o.visible_only);
	}
	grade_report_release(&rep);
	spec_free(s);
	return all_passed ? EXIT_OK : EXIT_FAILED;
}

int cmd_validate(const char *const *specs, size_t n)
{
	int rc = EXIT_OK;

	for (size_t i = 0; i < n; i++) {
		struct spec *s = NULL;
		struct diag d;
		char *path = assignment_spec_path(specs[i]);

		diag_init(&d);
		if (path && spec_load(path, &s, &d) == 0) {
			printf("%s: ok (%zu tests, %.4g points)\n", path, s->ntests, s->total_points);
			spec_free(s);
		} else {
			diag_print(&d, stdout);
			rc = EXIT_USAGE;
		}
		diag_release(&d);
		free(path);
	}
	return rc;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int cmd_list(void)
{
	const char *dir = assignment_dir();
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL;
	size_t n = 0;

	if (!d) {
		fprintf(stderr, "ipcgrade: no assignments folder at %s\n", dir);
		return EXIT_INTERNAL;
	}
	while ((e = readdir(d))) {
		char *spec = str_printf("%s/%s/spec.yaml", dir, e->d_name);
		struct stat st;

		if (e->d_name[0] != '.' && spec && stat(spec, &st) == 0) {
			char **g = realloc(names, (n + 1) * sizeof(*g));

			if (g) {
				names = g;
				names[n++] = strdup(e->d_name);
			}
		}
		free(spec);
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), by_name);
	for (size_t i = 0; i < n; i++) {
		char *path = str_printf("%s/%s/spec.yaml", dir, names[i]);
		struct spec *s = NULL;
		struct diag dg;

		diag_init(&dg);
		if (path && spec_load(path, &s, &dg) == 0)
			printf("%-22s %s\n", names[i], s->title);
		else
			printf("%-22s (invalid spec: run ipcgrade validate %s)\n", names[i], names[i]);
		spec_free(s);
		diag_release(&dg);
		free(path);
		free(names[i]);
	}
	free(names);
	return EXIT_OK;
}

int cmd_doctor(bool json)
{
	const struct hx_caps *c = hx_probe();
	struct hx_limits_by by;

	hx_limits_mechanisms(c->best, &by);
	if (json) {
		json_t *o = json_pack("{s:s, s:s, s:s, s:b, s:b, s:s, s:b, s:s, s:b, s:b, s:b, s:b, s:s, "
				      "s:b, s:b, s:s, s:{s:s, s:s, s:s, s:s, s:s}}",
				      "version", hx_version(), "kernel", c->kernel,
				      "libseccomp", c->libseccomp, "root", c->running_as_root,
				      "user_namespaces", c->user_namespaces,
				      "user_namespaces_why", c->user_namespaces_why,
				      "namespaces", c->namespaces, "namespaces_why", c->namespaces_why,
				      "seccomp_notify", c->seccomp_notify,
				      "seccomp_wait_killable", c->seccomp_wait_killable,
				      "seccomp_sync_wakeup", c->seccomp_sync_wakeup,
				      "cgroup_v2", c->cgroup_v2,
				      "cgroup_v2_controllers", c->cgroup_v2_controllers,
				      "cgroup_memory", c->cgroup_memory, "cgroup_pids", c->cgroup_pids,
				      "isolation", hx_isolation_name(c->best),
				      "limits_by", "wall", by.wall, "cpu", by.cpu, "memory", by.memory,
				      "processes", by.processes, "output", by.output);
		char *text = o ? json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;

		if (text)
			printf("%s\n", text);
		free(text);
		json_decref(o);
		return c->best == HX_ISOLATION_FULL ? EXIT_OK : EXIT_FAILED;
	}
	printf("ipcgrade %s\n", hx_version());
	printf("kernel                %s\n", c->kernel);
	printf("libseccomp            %s\n", c->libseccomp);
	printf("running as            %s\n", c->running_as_root ? "root (boxes run as uid 60000+N)"
							: "an ordinary user (boxes run as you)");
	printf("user namespaces       %s%s%s\n", c->user_namespaces ? "yes" : "no",
	       c->user_namespaces ? "" : ": ", c->user_namespaces ? "" : c->user_namespaces_why);
	printf("pid/ipc/mount/net/uts %s%s%s\n", c->namespaces ? "yes" : "no",
	       c->namespaces ? "" : ": ", c->namespaces ? "" : c->namespaces_why);
	printf("seccomp notification  %s\n", c->seccomp_notify ? "yes" : "no (the sandbox cannot run)");
	printf("  WAIT_KILLABLE_RECV  %s\n", c->seccomp_wait_killable
	       ? "yes" : "no (a signal during a traced call may make it fail with EINTR)");
	printf("  SYNC_WAKE_UP        %s\n", c->seccomp_sync_wakeup
	       ? "yes" : "no (Linux 6.6+: each traced call costs more)");
	printf("cgroup v2             %s%s%s\n", c->cgroup_v2 ? "mounted" : "not mounted",
	       c->cgroup_v2_controllers[0] ? ", writable controllers: " : "",
	       c->cgroup_v2_controllers);
	printf("cgroup v1 writable    memory %s, pids %s, cpuacct %s\n",
	       c->cgroup_v1_memory ? "yes" : "no", c->cgroup_v1_pids ? "yes" : "no",
	       c->cgroup_v1_cpuacct ? "yes" : "no");
	printf("limits enforced by    wall: %s; cpu: %s; memory: %s; processes: %s; output: %s\n",
	       by.wall, by.cpu, by.memory, by.processes, by.output);
	printf("\nruns will use %s isolation", hx_isolation_name(c->best));
	if (c->best == HX_ISOLATION_FULL)
		printf(" (namespaces, seccomp policy, limits)\n");
	else
		printf(": seccomp policy, rlimits, a process group and a subreaper;\n"
		       "runs take turns, since they share the host's IPC namespace.\n"
		       "Use --require-isolation to refuse grading without full isolation.\n");
	return c->best == HX_ISOLATION_FULL ? EXIT_OK : EXIT_FAILED;
}

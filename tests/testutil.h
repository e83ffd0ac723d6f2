/*
 * testutil.h - helpers for the end-to-end tests: run the real ipcgrade
 * binary, capture what it prints, parse its JSON, read the header of a
 * fixture program.
 *
 * Environment (set by the Makefile): IPCGRADE (the binary), FIXTURES (the
 * built fixture programs), SRCDIR (the source tree).
 */
#ifndef IPCGRADE_TESTUTIL_H
#define IPCGRADE_TESTUTIL_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdbool.h>

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "fixture_header.h"

struct proc_out {
	int status;		/* exit status, or 128+signal */
	char *out;		/* stdout, NUL-terminated */
	size_t out_len;
	char *err;
	size_t err_len;
};

static inline const char *tu_env(const char *name, const char *fallback)
{
	const char *v = getenv(name);

	return v && *v ? v : fallback;
}

static inline const char *tu_ipcgrade(void)
{
	return tu_env("IPCGRADE", "build/ipcgrade");
}

static inline char *tu_fixture(const char *rel)
{
	char *p = NULL;

	if (asprintf(&p, "%s/%s", tu_env("FIXTURES", "build/fixtures"), rel) < 0)
		return NULL;
	return p;
}

static inline void tu_append(char **buf, size_t *len, const char *data, size_t n)
{
	char *g = realloc(*buf, *len + n + 1);

	if (!g)
		return;
	memcpy(g + *len, data, n);
	*len += n;
	g[*len] = '\0';
	*buf = g;
}

/* Run argv (argv[0] searched in PATH), with stdin from in (may be NULL),
 * killing it after outer_ms: the test's own, larger timeout around the
 * harness's limit. */
static inline struct proc_out tu_run(const char *const *argv, const char *in, int outer_ms)
{
	struct proc_out r = { 0 };
	int o[2], e[2], i[2];

	if (pipe(o) < 0 || pipe(e) < 0 || pipe(i) < 0) {
		r.status = -1;
		return r;
	}
	pid_t pid = fork();

	if (pid == 0) {
		dup2(i[0], 0);
		dup2(o[1], 1);
		dup2(e[1], 2);
		close(o[0]); close(o[1]); close(e[0]); close(e[1]); close(i[0]); close(i[1]);
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(o[1]);
	close(e[1]);
	close(i[0]);
	if (in) {
		size_t left = strlen(in);

		while (left) {
			ssize_t n = write(i[1], in, left);

			if (n <= 0)
				break;
			in += n;
			left -= (size_t)n;
		}
	}
	close(i[1]);
	r.out = calloc(1, 1);
	r.err = calloc(1, 1);
	struct timespec t0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	bool oe = false, ee = false, killed = false;

	while (!oe || !ee) {
		struct pollfd p[2] = { { .fd = oe ? -1 : o[0], .events = POLLIN },
				       { .fd = ee ? -1 : e[0], .events = POLLIN } };
		struct timespec now;

		clock_gettime(CLOCK_MONOTONIC, &now);
		long el = (now.tv_sec - t0.tv_sec) * 1000 + (now.tv_nsec - t0.tv_nsec) / 1000000;

		if (el > outer_ms && !killed) {
			kill(pid, SIGKILL);
			killed = true;
		}
		if (poll(p, 2, 100) < 0 && errno != EINTR)
			break;
		char buf[65536];

		for (int k = 0; k < 2; k++) {
			if (!(p[k].revents & (POLLIN | POLLHUP)))
				continue;
			ssize_t n = read(k ? e[0] : o[0], buf, sizeof(buf));

			if (n <= 0)
				*(k ? &ee : &oe) = true;
			else if (k)
				tu_append(&r.err, &r.err_len, buf, (size_t)n);
			else
				tu_append(&r.out, &r.out_len, buf, (size_t)n);
		}
	}
	close(o[0]);
	close(e[0]);
	int st = 0;

	waitpid(pid, &st, 0);
	r.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	if (killed)
		r.status = -2;	/* the outer timeout fired: a hang of ipcgrade itself */
	return r;
}

static inline void tu_free(struct proc_out *r)
{
	free(r->out);
	free(r->err);
	memset(r, 0, sizeof(*r));
}

/* Start argv[0] (a path) with stdout and stderr to /dev/null and return
 * its pid at once: for tests that signal ipcgrade while it works. */
static inline pid_t tu_spawn_quiet(const char *const *argv)
{
	pid_t pid = fork();

	if (pid == 0) {
		int devnull = open("/dev/null", O_WRONLY);

		dup2(devnull, 1);
		dup2(devnull, 2);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	return pid;
}

/* Write text into dir/name (a test's own file); fails the test if it cannot. */
static inline void tu_write_file(const char *dir, const char *name, const char *text)
{
	char path[1024];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* The isolation mode of the test group running now, in files that run
 * their tests in both: set by these setups. */
static const char *tu_mode __attribute__((unused));

static inline int tu_setup_full(void **state)
{
	(void)state;
	tu_mode = "full";
	return 0;
}

static inline int tu_setup_reduced(void **state)
{
	(void)state;
	tu_mode = "reduced";
	return 0;
}

/* Splits value at spaces into at most max words, which point into buf. */
static inline int tu_words(const char *value, char *buf, size_t size, char **w, int max)
{
	int n = 0;

	snprintf(buf, size, "%s", value ? value : "");
	for (char *save = NULL, *t = strtok_r(buf, " ", &save); t && n < max; t = strtok_r(NULL, " ", &save))
		w[n++] = t;
	return n;
}

/* `ipcgrade run --json [extra...] -- PROGRAM [args...]`, parsed, killed
 * after outer_ms (the test's own timeout). The caller owns the json_t.
 * Fails the test on invalid JSON. */
static inline json_t *tu_run_json_within(const char *const *extra, const char *program,
					 const char *const *args, const char *in, int outer_ms)
{
	const char *argv[64];
	int n = 0;

	argv[n++] = tu_ipcgrade();
	argv[n++] = "run";
	argv[n++] = "--json";
	for (int k = 0; extra && extra[k] && n < 40; k++)
		argv[n++] = extra[k];
	argv[n++] = "--";
	argv[n++] = program;
	for (int k = 0; args && args[k] && n < 62; k++)
		argv[n++] = args[k];
	argv[n] = NULL;

	struct proc_out r = tu_run(argv, in, outer_ms);
	json_error_t jerr;
	json_t *j = json_loads(r.out, 0, &jerr);

	if (!j)
		fprintf(stderr, "invalid JSON from ipcgrade run (%s at line %d): %.2000s\nstderr: %.2000s\n",
			jerr.text, jerr.line, r.out, r.err);
	assert_non_null(j);
	assert_int_equal(r.status, 0);
	tu_free(&r);
	return j;
}

/* The same within 60 s: every run but those long by design. */
static inline json_t *tu_run_json(const char *const *extra, const char *program,
				  const char *const *args, const char *in)
{
	return tu_run_json_within(extra, program, args, in, 60000);
}

static inline const char *tu_str(json_t *j, const char *key)
{
	json_t *v = json_object_get(j, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

static inline long long tu_int(json_t *j, const char *key)
{
	json_t *v = json_object_get(j, key);

	return json_is_integer(v) ? json_integer_value(v) : -999;
}

/* The test of that name in a report's "tests" (fails the test if none). */
static inline json_t *tu_test_named(json_t *report, const char *name)
{
	json_t *t;
	size_t i;

	json_array_foreach(json_object_get(report, "tests"), i, t)
		if (strcmp(tu_str(t, "name"), name) == 0)
			return t;
	fail_msg("no test named %s", name);
	return NULL;
}

/* Whether a test of a report failed for this reason. */
static inline bool tu_has_reason(json_t *t, const char *reason)
{
	json_t *r;
	size_t i;

	json_array_foreach(json_object_get(t, "reasons"), i, r)
		if (strcmp(json_string_value(r), reason) == 0)
			return true;
	return false;
}

/* Why full isolation is not available here ("" when it is), from
 * `ipcgrade doctor --json`; tests of full isolation skip, loudly, then. */
static inline const char *tu_full_isolation_missing(void)
{
	static char why[512];
	static bool asked;

	if (!asked) {
		const char *argv[] = { tu_ipcgrade(), "doctor", "--json", NULL };
		struct proc_out r = tu_run(argv, NULL, 30000);
		json_t *j = json_loads(r.out, 0, NULL);
		const char *iso = j ? tu_str(j, "isolation") : NULL;

		if (!iso || strcmp(iso, "full") != 0)
			snprintf(why, sizeof(why), "%s",
				 j && tu_str(j, "namespaces_why") ? tu_str(j, "namespaces_why") : "doctor failed");
		json_decref(j);
		tu_free(&r);
		asked = true;
	}
	return why;
}

/* "" when mq_open works in reduced isolation here, else why not (`ipcgrade
 * doctor --json`: an ordinary user without /dev/mqueue); tests of queues
 * in reduced isolation skip, loudly, then. */
static inline const char *tu_reduced_mqueue_missing(void)
{
	static char why[512];
	static bool asked;

	if (!asked) {
		const char *argv[] = { tu_ipcgrade(), "doctor", "--json", NULL };
		struct proc_out r = tu_run(argv, NULL, 30000);
		json_t *j = json_loads(r.out, 0, NULL);

		if (j && json_is_false(json_object_get(j, "reduced_mqueue")))
			snprintf(why, sizeof(why), "%s", tu_str(j, "reduced_mqueue_how") ? tu_str(j, "reduced_mqueue_how") : "refused");
		json_decref(j);
		tu_free(&r);
		asked = true;
	}
	return why;
}

/* Whether the file at path (a fixture's source) contains word. */
static inline bool tu_file_has(const char *path, const char *word)
{
	FILE *f = fopen(path, "r");
	char line[1024];
	bool found = false;

	while (f && !found && fgets(line, sizeof(line), f))
		found = strstr(line, word) != NULL;
	if (f)
		fclose(f);
	return found;
}

/* The header comment of a fixture program (fixture_header.h); fails the
 * test when it does not parse. */
static inline void tu_fixture_header(const char *path, struct fixture_header *h)
{
	char err[512];

	if (fh_parse(path, h, err, sizeof(err)) < 0)
		fail_msg("%s", err);
}

/* Run a shell command made with printf; fail the test when it fails. */
static inline void tu_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline void tu_sh(const char *fmt, ...)
{
	char cmd[8192];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	if (system(cmd) != 0)
		fail_msg("command failed: %s", cmd);
}

/* The message printed when a feature is missing: cmocka's skip() shows
 * SKIPPED; the reason goes to stderr first, so it is never silent. */
#define TU_SKIP(...) do { fprintf(stderr, "SKIPPED: "); fprintf(stderr, __VA_ARGS__); \
		fprintf(stderr, "\n"); skip(); } while (0)

#endif

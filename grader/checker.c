/*
 * checker.c - running an instructor's checker on a finished run (see
 * checker.h).
 *
 * The checker's box gets a folder RUNDIR.check: the run's stdin, stdout,
 * stderr and trace.json as files, and files/ with a copy of what the
 * program left. In full isolation the folder is /box inside the box and
 * the spec's folder is bound read-only at its host path; in reduced
 * isolation both are reached by their host paths, and when we are root
 * and others may not enter the spec's folder, the checker runs from a
 * copy of it (the box's user is not root).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "checker.h"
#include "file.h"
#include "fs.h"
#include "run_json.h"
#include "str.h"
#include "text.h"

/* The most of a spec's folder copied for a checker (reduced isolation). */
#define CHECKER_COPY_MAX ((size_t)64 << 20)
/* The checker's box; its wall and CPU time come from the spec. */
#define CHECKER_MEMORY_MB 512
#define CHECKER_PROCESSES 32
#define CHECKER_OUTPUT_KB 64
/* How much of a broken checker's stderr is quoted. */
#define CHECKER_STDERR_QUOTED 255

void checker_release(struct checker *c)
{
	strv_free(c->argv);
	memset(c, 0, sizeof(*c));
}

void checker_verdict_release(struct checker_verdict *v)
{
	free(v->output);
	free(v->message);
	memset(v, 0, sizeof(*v));
}

/* A copy of the word list v in which words naming a path below `from`
 * name the same path below `to`; NULL when out of memory. */
static char **strv_rebase(char *const *v, const char *from, const char *to)
{
	size_t n = strv_len(v), fl = strlen(from);
	char **out = calloc(n + 1, sizeof(*out));

	for (size_t i = 0; out && i < n; i++) {
		bool below = strncmp(v[i], from, fl) == 0 && v[i][fl] == '/';

		out[i] = below ? str_printf("%s%s", to, v[i] + fl) : strdup(v[i]);
		if (!out[i]) {
			strv_free(out);
			return NULL;
		}
	}
	return out;
}

/* The test's arguments as a JSON array (IPCGRADE_ARGS); NULL when out
 * of memory. */
static char *args_json(char *const *args, size_t nargs)
{
	json_t *a = json_array();
	char *text;

	for (size_t i = 0; i < nargs; i++)
		json_array_append_new(a, json_string(args[i]));
	text = a ? json_dumps(a, JSON_COMPACT) : NULL;
	json_decref(a);
	return text;
}

/* The checker's folder: the run's streams and trace, files/ with its
 * files. Returns 0 or -errno. */
static int stage(const struct checker_input *in, const char *cdir, const char *files)
{
	const struct hx_result *res = in->res;
	char *trace = NULL, skipped[256];
	int rc;

	if (mkdir(cdir, 0755) < 0 || mkdir(files, 0755) < 0)
		return -errno;
	/* A file that cannot be copied is one the checker does not see. */
	(void)fs_copy_dir_files(in->rundir, files, FS_COPY_BEST_EFFORT, skipped, sizeof(skipped));
	trace = run_json_text(res);
	rc = file_write_in(cdir, "stdout", res->out.data ? res->out.data : "", res->out.len);
	if (rc == 0)
		rc = file_write_in(cdir, "stderr", res->err.data ? res->err.data : "", res->err.len);
	if (rc == 0)
		rc = file_write_in(cdir, "stdin", in->stdin_data ? in->stdin_data : "", in->stdin_len);
	if (rc == 0)
		rc = file_write_in(cdir, "trace.json", trace ? trace : "{}", trace ? strlen(trace) : 2);
	free(trace);
	return rc;
}

/* What the checker printed says its verdict: a "score: X" line is a
 * partial score; the rest is feedback. */
static void judge_output(const struct hx_result *cr, struct checker_verdict *v)
{
	char *said = text_sanitize(cr->out.data ? cr->out.data : "", cr->out.len);
	double partial = -1;

	for (char *line = said; line && *line; ) {
		char *nl = strchr(line, '\n');
		double x;

		if (sscanf(line, "score: %lf", &x) == 1 && x >= 0 && x <= 1)
			partial = x;
		line = nl ? nl + 1 : NULL;
	}
	v->output = said;
	bool accepted = cr->verdict == HX_VERDICT_OK ||
			(cr->exit_code == CHECKER_EXIT_ACCEPTED && !cr->signal);
	bool rejected = !accepted && !cr->signal &&
			(cr->exit_code == 1 || cr->exit_code == CHECKER_EXIT_REJECTED);

	if (accepted) {
		v->outcome = CHECKER_ACCEPTED;
		v->fraction = 1.0;
		if (partial >= 0 && partial < 1) {
			v->outcome = CHECKER_PARTIAL;
			v->fraction = partial;
			v->message = str_printf("the checker gives partial credit (%.0f%%): %s",
						partial * 100, said && *said ? said : "");
		}
	} else if (rejected) {
		v->outcome = CHECKER_REJECTED;
		v->fraction = partial >= 0 ? partial : 0.0;
		v->message = str_printf("the checker says: %s",
					said && *said ? said : "the output is not correct");
	} else {
		size_t elen = cr->err.len < CHECKER_STDERR_QUOTED ? cr->err.len : CHECKER_STDERR_QUOTED;

		v->outcome = CHECKER_BROKEN;
		v->fraction = 0.0;
		v->message = str_printf("the checker failed (%s%s%s): %.*s", hx_verdict_name(cr->verdict),
					cr->verdict_detail[0] ? ", " : "", cr->verdict_detail,
					(int)elen, cr->err.data ? cr->err.data : "");
	}
}

int checker_run(const struct checker *c, const struct checker_input *in, struct checker_verdict *v,
		char *err, size_t errlen)
{
	char *cdir = str_printf("%s.check", in->rundir), *files = NULL, *args = NULL;
	char *staged = NULL, **moved_argv = NULL;
	const struct hx_result *res = in->res;
	struct hx_result cr;
	char herr[256];
	bool full = res->isolation == HX_ISOLATION_FULL;
	const char *env[12];	/* PATH, LANG, envs, NULL */
	char *envs[9] = { 0 };
	int ne = 0, rc;

	memset(v, 0, sizeof(*v));
	memset(&cr, 0, sizeof(cr));
	files = cdir ? fs_path_join(cdir, "files") : NULL;
	rc = !cdir || !files ? -ENOMEM : stage(in, cdir, files);
	if (rc < 0) {
		snprintf(err, errlen, "the checker could not be prepared: %s", strerror(-rc));
		goto out;
	}
	args = args_json(in->args, in->nargs);
	/* Paths as the checker sees them: /box in full isolation. */
	const char *base = full ? "/box" : cdir;

	env[ne++] = "PATH=/usr/local/bin:/usr/bin:/bin";
	env[ne++] = "LANG=C.UTF-8";
	envs[0] = str_printf("IPCGRADE_TEST=%s", in->test_name);
	envs[1] = str_printf("IPCGRADE_ARGS=%s", args ? args : "[]");
	envs[2] = str_printf("IPCGRADE_STDIN=%s/stdin", base);
	envs[3] = str_printf("IPCGRADE_STDOUT=%s/stdout", base);
	envs[4] = str_printf("IPCGRADE_STDERR=%s/stderr", base);
	envs[5] = str_printf("IPCGRADE_FILES=%s/files", base);
	envs[6] = str_printf("IPCGRADE_TRACE=%s/trace.json", base);
	envs[7] = str_printf("IPCGRADE_EXIT_CODE=%d", res->exit_code);
	envs[8] = str_printf("IPCGRADE_VERDICT=%s", hx_verdict_name(res->verdict));
	for (size_t i = 0; i < sizeof(envs) / sizeof(envs[0]); i++)
		if (envs[i])
			env[ne++] = envs[i];
	env[ne] = NULL;

	/* In reduced isolation the checker reaches the spec's folder by its
	 * host path, under the box's uid when we are root: where others may
	 * not enter that folder, it runs from a copy (full isolation binds
	 * the folder itself, through an fd). */
	const char *const *argv = (const char *const *)c->argv;

	if (!full && geteuid() == 0 && in->spec_dir && !fs_others_can_read(in->spec_dir)) {
		staged = fs_path_join(cdir, "spec");
		rc = staged ? fs_copy_tree(in->spec_dir, staged, CHECKER_COPY_MAX) : -ENOMEM;
		if (rc == 0) {
			moved_argv = strv_rebase(c->argv, in->spec_dir, staged);
			rc = moved_argv ? 0 : -ENOMEM;
		}
		if (rc < 0) {
			snprintf(err, errlen, "the checker's folder %s could not be copied for the box's "
				 "user: %s", in->spec_dir, strerror(-rc));
			goto out;
		}
		argv = (const char *const *)moved_argv;
	}

	struct hx_config cfg;
	const char *ro_dirs[] = { staged ? staged : in->spec_dir, NULL };

	hx_config_init(&cfg);
	cfg.argv = argv;
	cfg.workdir = cdir;
	cfg.readonly_dirs = ro_dirs;
	cfg.envp = env;
	cfg.purpose = HX_PURPOSE_CHECKER;
	cfg.isolation = full ? HX_ISOLATION_FULL : in->isolation;
	cfg.limits.wall_ms = c->timeout_ms;
	cfg.limits.cpu_ms = c->timeout_ms;
	cfg.limits.memory_mb = CHECKER_MEMORY_MB;
	cfg.limits.processes = CHECKER_PROCESSES;
	cfg.limits.output_kb = CHECKER_OUTPUT_KB;
	cfg.cancel = in->cancel;
	rc = hx_run(&cfg, &cr, herr, sizeof(herr));
	if (rc < 0) {
		snprintf(err, errlen, "the checker could not run: %s", herr);
		goto out;
	}
	judge_output(&cr, v);
out:
	hx_result_release(&cr);
	if (cdir)
		(void)fs_remove_tree(cdir);	/* a temporary folder's leftovers go with its parent */
	for (size_t i = 0; i < sizeof(envs) / sizeof(envs[0]); i++)
		free(envs[i]);
	free(cdir);
	free(files);
	free(args);
	free(staged);
	strv_free(moved_argv);
	return rc;
}

/*
 * cmd_run.c - `ipcgrade run`: one program in the box, a verdict out.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "grader.h"

/* Programs under these stay where they are: the box sees them. */
static bool in_system_dir(const char *real)
{
	static const char *const dirs[] = { "/usr/", "/bin/", "/sbin/", "/lib/", "/lib64/", NULL };

	for (const char *const *d = dirs; *d; d++)
		if (strncmp(real, *d, strlen(*d)) == 0)
			return true;
	return false;
}

/* Copy the program into the box's working directory, unless the box can
 * see it where it is. Sets *argv0 to what the box should execute. */
static int place_program(const char *prog, const char *workdir, char **argv0, char *err, size_t errlen)
{
	char real[PATH_MAX];
	struct stat st;

	if (!prog || !*prog) {
		snprintf(err, errlen, "no program given");
		return -1;
	}
	if (!strchr(prog, '/')) {
		*argv0 = strdup(prog);	/* looked up in the box's PATH */
		return 0;
	}
	if (!realpath(prog, real) || stat(real, &st) < 0) {
		snprintf(err, errlen, "cannot find the program '%s': %s", prog, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "'%s' is not a regular file", prog);
		return -1;
	}
	if (in_system_dir(real)) {
		*argv0 = strdup(real);
		return 0;
	}
	char *copy = strdup(real), *dir = strdup(real);
	int src = dir ? open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
	int dst = open(workdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc = -1;

	if (copy && src >= 0 && dst >= 0) {
		const char *base = basename(copy);

		rc = fs_copy_file(src, base, dst, base, 0755, err, errlen);
		if (rc == 0)
			*argv0 = str_printf("./%s", base);
	} else {
		snprintf(err, errlen, "cannot copy '%s' into the box: %s", prog, strerror(errno));
	}
	if (src >= 0)
		close(src);
	if (dst >= 0)
		close(dst);
	free(copy);
	free(dir);
	return rc;
}

int cmd_run(const struct run_cmd *c)
{
	char err[512] = "";
	char *tmp = fs_make_temp_dir("run"), *workdir = tmp ? fs_path_join(tmp, "box") : NULL;
	char *argv0 = NULL;
	const char **argv = NULL;
	struct hx_result res;
	struct hx_config cfg;
	int rc = EXIT_INTERNAL;
	size_t argc = 0;

	memset(&res, 0, sizeof(res));
	if (!tmp || !workdir || mkdir(workdir, 0755) < 0) {
		fprintf(stderr, "ipcgrade: cannot create a temporary folder: %s\n", strerror(errno));
		goto out;
	}
	while (c->argv[argc])
		argc++;
	if (place_program(c->argv[0], workdir, &argv0, err, sizeof(err)) < 0) {
		fprintf(stderr, "ipcgrade: %s\n", err);
		rc = EXIT_USAGE;
		goto out;
	}
	argv = calloc(argc + 1, sizeof(*argv));
	if (!argv)
		goto out;
	argv[0] = argv0;
	for (size_t i = 1; i < argc; i++)
		argv[i] = c->argv[i];

	hx_config_init(&cfg);
	cfg.argv = argv;
	cfg.workdir = workdir;
	cfg.limits = c->limits;
	cfg.isolation = c->require_isolation ? HX_ISOLATION_FULL : c->isolation;
	cfg.purpose = HX_PURPOSE_SUBMISSION;
	cfg.trace = HX_TRACE_EVENTS | (c->trace_hot ? HX_TRACE_HOT : 0);
	cfg.jitter_max_us = c->jitter_max_us;
	cfg.seed = c->seed;
	cfg.cpus = c->cpus;
	/* `run` forwards its own stdin, so `echo x | ipcgrade run -- prog` works. */
	size_t inlen = 0;
	char *input = NULL;

	if (!isatty(STDIN_FILENO)) {
		size_t cap = 0;
		char buf[65536];
		ssize_t n;

		while ((n = read(STDIN_FILENO, buf, sizeof(buf))) > 0 && inlen < (64u << 20)) {
			if (inlen + (size_t)n > cap) {
				cap = (inlen + (size_t)n) * 2;
				char *g = realloc(input, cap);

				if (!g)
					break;
				input = g;
			}
			memcpy(input + inlen, buf, (size_t)n);
			inlen += (size_t)n;
		}
	}
	cfg.stdin_data = input;
	cfg.stdin_len = inlen;

	int hrc = hx_run(&cfg, &res, err, sizeof(err));

	free(input);
	if (c->json) {
		char *j = report_json_run(&res);

		if (j) {
			printf("%s\n", j);
			free(j);
		}
	} else {
		report_text_run(stdout, &res, term_color(stdout), c->trace);
	}
	if (hrc < 0) {
		fprintf(stderr, "ipcgrade: %s\n", err);
		rc = EXIT_INTERNAL;
	} else {
		rc = EXIT_OK;
	}
out:
	hx_result_release(&res);
	if (tmp)
		fs_remove_tree(tmp);
	free(tmp);
	free(workdir);
	free(argv0);
	free(argv);
	return rc;
}

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

#include "commands.h"
#include "fs.h"
#include "run_json.h"
#include "report_text.h"
#include "str.h"
#include "term.h"

/* The most of our own stdin passed to the program. */
#define RUN_STDIN_MAX ((size_t)64 << 20)
/* The most of the box's folder `--keep` copies out. */
#define RUN_KEEP_MAX ((size_t)1 << 30)

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
 * see it where it is. Sets *argv0 (malloc'd) to what the box should
 * execute. Returns 0 or -errno with err set. */
static int place_program(const char *prog, const char *workdir, char **argv0, char *err, size_t errlen)
{
	char real[PATH_MAX];
	struct stat st;

	if (!prog || !*prog) {
		snprintf(err, errlen, "no program given");
		return -EINVAL;
	}
	if (!strchr(prog, '/')) {
		*argv0 = strdup(prog);	/* looked up in the box's PATH */
		return *argv0 ? 0 : -ENOMEM;
	}
	if (!realpath(prog, real) || stat(real, &st) < 0) {
		int rc = -errno;

		snprintf(err, errlen, "cannot find the program '%s': %s", prog, strerror(errno));
		return rc;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "'%s' is not a regular file", prog);
		return -EINVAL;
	}
	if (in_system_dir(real)) {
		*argv0 = strdup(real);
		return *argv0 ? 0 : -ENOMEM;
	}
	char *copy = strdup(real), *dir = strdup(real);
	int src = dir ? open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
	int dst = open(workdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc;

	if (copy && src >= 0 && dst >= 0) {
		const char *base = basename(copy);

		rc = fs_copy_file(src, base, dst, base, 0755, err, errlen);
		if (rc == 0 && !(*argv0 = str_printf("./%s", base)))
			rc = -ENOMEM;
	} else {
		rc = errno ? -errno : -ENOMEM;
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

/* Whether dest (a --file DEST) stays inside the box's folder: relative,
 * no "." or ".." component, no empty one. */
static bool dest_inside(const char *dest)
{
	if (!*dest || dest[0] == '/')
		return false;
	for (const char *p = dest; *p; ) {
		size_t n = strcspn(p, "/");

		if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			return false;
		p += n;
		if (*p == '/')
			p++;
		if (!*p && p[-1] == '/')
			return false;
	}
	return true;
}

/* --file SRC[:DEST]: SRC copied to DEST in the box's folder (DEST after
 * the last ':', SRC's own name without one). 0, or -errno with err set. */
static int place_file(const char *arg, const char *workdir, char *err, size_t errlen)
{
	char *src = strdup(arg), *colon = src ? strrchr(src, ':') : NULL, *dest, real[PATH_MAX];
	struct stat st;
	int rc = 0, dst = -1;

	if (!src)
		return -ENOMEM;
	if (colon)
		*colon = '\0';
	dest = colon ? colon + 1 : basename(src);
	if (!dest_inside(dest)) {
		snprintf(err, errlen, "--file %s: '%s' must be a relative path inside the box's folder "
			 "(no leading '/', no '.' or '..')", arg, dest);
		rc = -EINVAL;
	} else if (!realpath(src, real) || stat(real, &st) < 0) {
		rc = -errno;
		snprintf(err, errlen, "--file %s: cannot find '%s': %s", arg, src, strerror(errno));
	} else if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "--file %s: '%s' is not a regular file", arg, src);
		rc = -EINVAL;
	} else if ((dst = open(workdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		rc = -errno;
		snprintf(err, errlen, "cannot open the box's folder: %s", strerror(errno));
	} else if ((rc = fs_mkdirs_at(dst, dest)) < 0) {
		snprintf(err, errlen, "--file %s: cannot make the folders of '%s': %s", arg, dest,
			 strerror(-rc));
	} else {
		char inner[256];

		rc = fs_copy_file_into(real, dst, dest, (st.st_mode & 0111) ? 0755 : 0644, inner,
				       sizeof(inner));
		if (rc < 0)
			snprintf(err, errlen, "--file %s: %s", arg, inner);
	}
	if (dst >= 0)
		close(dst);
	free(src);
	return rc;
}

/* --keep DIR must be a new folder in an existing one. */
static int check_keep(const char *dir, char *err, size_t errlen)
{
	char *copy = strdup(dir);
	struct stat st;
	int rc = 0;

	if (!copy)
		return -ENOMEM;
	if (lstat(dir, &st) == 0) {
		snprintf(err, errlen, "--keep %s: it already exists (name a new folder)", dir);
		rc = -EEXIST;
	} else if (stat(dirname(copy), &st) < 0 || !S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "--keep %s: its folder does not exist", dir);
		rc = -ENOENT;
	}
	free(copy);
	return rc;
}

int cmd_run(const struct run_cmd *c)
{
	char err[512] = "";
	char *tmp = NULL, *workdir = NULL;
	char *argv0 = NULL;
	const char **argv = NULL;
	struct hx_result res;
	struct hx_config cfg;
	int rc = EXIT_INTERNAL;
	size_t argc = 0;

	memset(&res, 0, sizeof(res));
	int frc = fs_make_temp_dir("run", &tmp);

	if (frc == 0 && !(workdir = fs_path_join(tmp, "box")))
		frc = -ENOMEM;
	if (frc == 0 && mkdir(workdir, 0755) < 0)
		frc = -errno;
	if (frc != 0) {
		fprintf(stderr, "ipcgrade: cannot create a temporary folder: %s\n", strerror(-frc));
		goto out;
	}
	while (c->argv[argc])
		argc++;
	if (c->keep && check_keep(c->keep, err, sizeof(err)) < 0) {
		fprintf(stderr, "ipcgrade: run: %s\n", err);
		rc = EXIT_USAGE;
		goto out;
	}
	for (size_t i = 0; i < c->nfiles; i++) {
		if (place_file(c->files[i], workdir, err, sizeof(err)) < 0) {
			fprintf(stderr, "ipcgrade: run: %s\n", err);
			rc = EXIT_USAGE;
			goto out;
		}
	}
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
	cfg.trace = HX_TRACE_EVENTS | HX_TRACE_FDS | (c->trace_hot ? HX_TRACE_HOT : 0);
	cfg.time_scale = c->time_scale < 1 ? c->time_scale : 0;
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

		while ((n = read(STDIN_FILENO, buf, sizeof(buf))) > 0 && inlen < RUN_STDIN_MAX) {
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
		char *j = run_json_text(&res);

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
	if (c->keep) {
		int krc = fs_copy_tree(workdir, c->keep, RUN_KEEP_MAX);

		if (krc < 0) {
			fprintf(stderr, "ipcgrade: run: cannot keep the box's folder in '%s': %s\n",
				c->keep, krc == -EFBIG ? "more than 1 GB" : strerror(-krc));
			rc = EXIT_INTERNAL;
		}
	}
out:
	hx_result_release(&res);
	if (tmp)
		(void)fs_remove_tree(tmp);	/* in $TMPDIR: the host's to see if it stays */
	free(tmp);
	free(workdir);
	free(argv0);
	free(argv);
	return rc;
}

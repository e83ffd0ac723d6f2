/*
 * similarity.c - which submissions are the same program, with Dick
 * Grune's similarity tester (sim_c, Debian's similarity-tester).
 *
 * sim_c compares C token streams: layout, comments, identifiers and the
 * contents of literals do not matter, so renamed variables do not hide a
 * copy, and runs are found wherever they are, so reordered functions do
 * not either. What is compared: one file per student, SIMILARITY_SOURCES,
 * the submission's .c and .h files one after another (written by `grade`
 * with similarity_snapshot), and the assignment's starter code.
 *
 * How a pair is scored. sim_c -e -s -n lists every run of at least
 * min_run tokens that two files share, with its lines in both. Runs of a
 * student that also match the starter (more than half of their lines
 * inside a run shared with the starter) are the handout's, not the
 * student's, and are dropped; of the others, the share of their lines
 * that lie in the starter's runs is not counted. What is left, the shared
 * tokens, is
 * divided by the smaller of the two students' own token counts (their
 * tokens less those matching the starter): a pair at 100% means the
 * smaller submission is all in the larger one. Pairs at or above the
 * threshold are listed in similarity.csv and similarity.json (with the
 * matching regions, which index.html marks side by side).
 *
 * sim_c runs as a child: stdin /dev/null, its output to a file in a
 * temporary folder of links named s1.c, s2.c, ... (ids can hold any
 * character; sim's output then parses unambiguously), CPU time bounded.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "csv.h"
#include "file.h"
#include "fs.h"
#include "report.h"
#include "similarity.h"
#include "str.h"
#include "term.h"
#include "text.h"

#define MAX_FILE_BYTES (256 * 1024)
#define MAX_BUNDLE_BYTES (1024 * 1024)
#define MAX_FILES 200

static bool is_source(const char *name)
{
	size_t n = strlen(name);

	return n > 2 && name[n - 2] == '.' && (name[n - 1] == 'c' || name[n - 1] == 'h');
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Regular .c/.h files of dir and of its folders one level down, as
 * relative paths, sorted; never through a link. */
static size_t list_sources(const char *dir, char **names, size_t max)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;

	while (d && n < max && (e = readdir(d))) {
		struct stat st;
		char *full = e->d_name[0] == '.' ? NULL : fs_path_join(dir, e->d_name);

		if (!full || lstat(full, &st) < 0) {
			free(full);
			continue;
		}
		if (S_ISREG(st.st_mode) && is_source(e->d_name)) {
			names[n] = strdup(e->d_name);
			n += names[n] != NULL;
		} else if (S_ISDIR(st.st_mode)) {
			DIR *s = opendir(full);
			struct dirent *f;

			while (s && n < max && (f = readdir(s))) {
				char *sub = str_printf("%s/%s", full, f->d_name);
				struct stat ss;

				if (f->d_name[0] != '.' && is_source(f->d_name) && sub && lstat(sub, &ss) == 0 &&
				    S_ISREG(ss.st_mode)) {
					names[n] = str_printf("%s/%s", e->d_name, f->d_name);
					n += names[n] != NULL;
				}
				free(sub);
			}
			if (s)
				closedir(s);
		}
		free(full);
	}
	if (d)
		closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), by_name);
	return n;
}

/* Read a regular file without following a link, at most max bytes. */
static char *read_source(const char *path, size_t max, size_t *len, struct stat *st)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	char *buf = NULL;
	ssize_t n;

	*len = 0;
	if (fd < 0 || fstat(fd, st) < 0 || !S_ISREG(st->st_mode) || !(buf = malloc(max + 1))) {
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	while (*len < max && (n = read(fd, buf + *len, max - *len)) > 0)
		*len += (size_t)n;
	buf[*len] = '\0';
	close(fd);
	return buf;
}

/* The bundle: each file after a comment naming it (sim_c skips
 * comments, so the names count for nothing). */
static int bundle(const char *base, char **names, size_t n, const char *dst, json_t *files,
		  time_t *newest, char *err, size_t errlen)
{
	char *out = NULL;
	size_t outlen = 0, total = 0;
	FILE *f = open_memstream(&out, &outlen);
	int rc = 0;

	if (!f)
		return -1;
	for (size_t i = 0; i < n; i++) {
		char *path = names[i][0] ? fs_path_join(base, names[i]) : strdup(base);
		const char *shown = names[i][0] ? names[i] : strrchr(base, '/') ? strrchr(base, '/') + 1 : base;
		struct stat st;
		size_t len;
		char *text = path ? read_source(path, MAX_FILE_BYTES, &len, &st) : NULL;

		free(path);
		if (!text)
			continue;
		char *name = strdup(shown);

		for (char *p = name; p && *p; p++)
			if ((p[0] == '*' && p[1] == '/') || (unsigned char)*p < 0x20)
				*p = '_';
		if (total + len <= MAX_BUNDLE_BYTES) {
			fprintf(f, "/* ==== %s ==== */\n", name ? name : "?");
			fwrite(text, 1, len, f);
			if (len && text[len - 1] != '\n')
				fputc('\n', f);
			total += len;
		}
		if (files) {
			char when[32];

			strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime(&st.st_mtime));
			json_array_append_new(files, json_pack("{s:s, s:I, s:s, s:I}", "name", name ? name : "?",
							       "bytes", (json_int_t)st.st_size, "mtime", when,
							       "mtime_epoch", (json_int_t)st.st_mtime));
		}
		if (newest && st.st_mtime > *newest)
			*newest = st.st_mtime;
		free(name);
		free(text);
	}
	if (fclose(f) != 0 || file_write_atomic(dst, out ? out : "", outlen) < 0) {
		snprintf(err, errlen, "cannot write %s: %s", dst, strerror(errno));
		rc = -1;
	}
	free(out);
	return rc;
}

int similarity_snapshot(const char *submission, bool single_file, const char *studentdir, char *err,
			size_t errlen)
{
	char *names[MAX_FILES];
	size_t n = 0;
	json_t *files = json_array();
	time_t newest = 0;
	char *dst = fs_path_join(studentdir, SIMILARITY_SOURCES), *meta = fs_path_join(studentdir, "submission.json");
	int rc = -1;

	if (single_file) {
		names[n++] = strdup("");
	} else {
		n = list_sources(submission, names, MAX_FILES);
	}
	if (dst && meta && bundle(submission, names, n, dst, files, &newest, err, errlen) == 0) {
		char when[32] = "";
		json_t *o;
		char *text;

		if (newest)
			strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime(&newest));
		o = json_pack("{s:s, s:o, s:s?, s:I}", "path", submission, "files", json_incref(files),
			      "newest_mtime", newest ? when : NULL, "newest_mtime_epoch", (json_int_t)newest);
		text = o ? json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII) : NULL;
		rc = text && file_write_atomic(meta, text, strlen(text)) == 0 ? 0 : -1;
		if (rc < 0)
			snprintf(err, errlen, "cannot write %s: %s", meta, strerror(errno));
		free(text);
		json_decref(o);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	json_decref(files);
	free(dst);
	free(meta);
	return rc;
}

int similarity_bundle_starter(const struct spec *s, const char *outdir, char *err, size_t errlen)
{
	char *dir = fs_path_join(s->dir, "starter"), *dst = fs_path_join(outdir, SIMILARITY_STARTER);
	char *names[MAX_FILES];
	size_t n = dir ? list_sources(dir, names, MAX_FILES) : 0;
	int rc = 0;

	if (dst)
		unlink(dst);
	if (n && dst)
		rc = bundle(dir, names, n, dst, NULL, NULL, err, errlen);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(dir);
	free(dst);
	return rc;
}

/* ---- running sim_c ---------------------------------------------------------------- */

static char *find_program(const char *name)
{
	const char *path = getenv("PATH");

	if (strchr(name, '/'))
		return access(name, X_OK) == 0 ? strdup(name) : NULL;
	for (const char *p = path && *path ? path : "/usr/bin:/bin"; p && *p;) {
		size_t len = strcspn(p, ":");
		char *full = str_printf("%.*s/%s", (int)len, p, name);

		if (full && access(full, X_OK) == 0)
			return full;
		free(full);
		p += len;
		if (*p)
			p++;
	}
	return NULL;
}

/* Run argv with stdin and stderr on /dev/null, stdout into out_path. */
static int run_tool(char *const *argv, const char *out_path, char *err, size_t errlen)
{
	pid_t pid = fork();
	int st = 0;

	if (pid < 0) {
		snprintf(err, errlen, "cannot fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		int in = open("/dev/null", O_RDWR), out = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		struct rlimit cpu = { 600, 600 };

		if (in < 0 || out < 0)
			_exit(127);
		dup2(in, 0);
		dup2(out, 1);
		dup2(in, 2);
		setrlimit(RLIMIT_CPU, &cpu);
		execv(argv[0], argv);
		_exit(127);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR) {
			snprintf(err, errlen, "cannot wait for %s: %s", argv[0], strerror(errno));
			return -1;
		}
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		snprintf(err, errlen, "%s failed (%s %d)", argv[0], WIFEXITED(st) ? "exit status" : "signal",
			 WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
		return -1;
	}
	return 0;
}

struct range {
	int from, to;
	int tokens;
};

struct file_info {
	char *id;
	int tokens;
	struct range *starter;	/* runs shared with the starter, lines here */
	size_t nstarter;
	int starter_tokens;
};

struct run {
	int a, b;		/* file indexes, a < b */
	struct range ra, rb;
};

static int file_index(const char *name)
{
	int i;

	if (strcmp(name, "starter.c") == 0)
		return 0;
	if (sscanf(name, "s%d.c", &i) == 1 && i > 0)
		return i;
	return -1;
}

static int add_range(struct range **v, size_t *n, struct range r)
{
	struct range *g = realloc(*v, (*n + 1) * sizeof(*g));

	if (!g)
		return -1;
	*v = g;
	g[(*n)++] = r;
	return 0;
}

/* Lines of r that lie in the starter's runs of this file. */
static int starter_lines(const struct file_info *fi, struct range r)
{
	int in = 0;

	for (int line = r.from; line <= r.to; line++)
		for (size_t k = 0; k < fi->nstarter; k++)
			if (line >= fi->starter[k].from && line <= fi->starter[k].to) {
				in++;
				break;
			}
	return in;
}

struct pair {
	int a, b;
	int tokens;
	double percent;
	json_t *regions;
};

static int by_percent(const void *x, const void *y)
{
	const struct pair *a = x, *b = y;

	if (a->percent != b->percent)
		return a->percent > b->percent ? -1 : 1;
	return a->a != b->a ? a->a - b->a : a->b - b->b;
}

static int by_student_id(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int write_outputs(const char *outdir, json_t *meta, struct pair *pairs, size_t npairs,
			 struct file_info *fi, char *err, size_t errlen)
{
	char *csv = NULL, *text = NULL, *p1 = fs_path_join(outdir, "similarity.csv");
	char *p2 = fs_path_join(outdir, "similarity.json");
	size_t csvlen = 0;
	FILE *f = open_memstream(&csv, &csvlen);
	json_t *jp = json_array();
	int rc = 0;

	if (!f || !p1 || !p2) {
		snprintf(err, errlen, "out of memory");
		rc = -1;
		goto out;
	}
	fputs("student_a,student_b,percent,shared_tokens,tokens_a,tokens_b,regions\r\n", f);
	for (size_t i = 0; i < npairs; i++) {
		struct pair *p = &pairs[i];
		int ta = fi[p->a].tokens - fi[p->a].starter_tokens, tb = fi[p->b].tokens - fi[p->b].starter_tokens;

		csv_field(f, fi[p->a].id);
		fputc(',', f);
		csv_field(f, fi[p->b].id);
		fprintf(f, ",%.1f,%d,%d,%d,%zu\r\n", p->percent, p->tokens, ta, tb, json_array_size(p->regions));
		json_array_append_new(jp, json_pack("{s:s, s:s, s:f, s:i, s:i, s:i, s:O}", "a", fi[p->a].id,
						    "b", fi[p->b].id, "percent", p->percent, "tokens", p->tokens,
						    "tokens_a", ta, "tokens_b", tb, "regions", p->regions));
	}
	json_object_set_new(meta, "pairs", jp);
	jp = NULL;
	text = json_dumps(meta, JSON_INDENT(1) | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
	if (fclose(f) != 0 || !text || file_write_atomic(p1, csv, csvlen) < 0 ||
	    file_write_atomic(p2, text, strlen(text)) < 0) {
		snprintf(err, errlen, "cannot write %s: %s", p2, strerror(errno));
		rc = -1;
	}
	f = NULL;
out:
	if (f)
		fclose(f);
	json_decref(jp);
	free(csv);
	free(text);
	free(p1);
	free(p2);
	return rc;
}

/* The students of outdir that have a report and a sources bundle. */
static size_t list_students(const char *outdir, char ***out)
{
	DIR *d = opendir(outdir);
	struct dirent *e;
	char **v = NULL;
	size_t n = 0;

	while (d && (e = readdir(d))) {
		char *rp = e->d_name[0] == '.' ? NULL : str_printf("%s/%s/report.json", outdir, e->d_name);
		char *sp = rp ? str_printf("%s/%s/%s", outdir, e->d_name, SIMILARITY_SOURCES) : NULL;
		char **g;

		if (rp && sp && access(rp, F_OK) == 0 && access(sp, F_OK) == 0 &&
		    (g = realloc(v, (n + 1) * sizeof(*g)))) {
			v = g;
			v[n] = strdup(e->d_name);
			n += v[n] != NULL;
		}
		free(rp);
		free(sp);
	}
	if (d)
		closedir(d);
	if (n)
		qsort(v, n, sizeof(*v), by_student_id);
	*out = v;
	return n;
}

int similarity_run(const char *outdir, const struct similarity_opts *o, char *err, size_t errlen)
{
	char **ids = NULL, **argv = NULL;
	size_t n = list_students(outdir, &ids), nruns = 0, npairs = 0;
	char *sim = find_program(o->sim_c ? o->sim_c : "sim_c"), *tmp = NULL, *outp = NULL, *text = NULL;
	char *starter = o->starter ? strdup(o->starter) : fs_path_join(outdir, SIMILARITY_STARTER);
	struct file_info *fi = calloc(n + 1, sizeof(*fi));
	struct run *runs = NULL;
	struct pair *pairs = NULL;
	bool have_starter = starter && access(starter, R_OK) == 0;
	uint64_t t0 = term_now_ms();
	char version[128] = "sim_c";
	json_t *meta = NULL;
	int rc = -1;

	if (!fi || !starter)
		goto oom;
	meta = json_pack("{s:f, s:i, s:i, s:b}", "threshold", o->threshold, "min_run", (int)o->min_run,
			 "submissions", (int)n, "starter_excluded", have_starter);
	if (!sim) {
		json_object_set_new(meta, "error", json_string("sim_c (Debian package similarity-tester) is not "
							       "installed: submissions were not compared"));
		json_object_set_new(meta, "tool", json_string("none"));
		rc = write_outputs(outdir, meta, NULL, 0, fi, err, errlen) < 0 ? -1 : 1;
		goto out;
	}
	outp = fs_make_temp_dir("sim", &tmp) == 0 ? fs_path_join(tmp, "out.txt") : NULL;
	argv = calloc(n + 16, sizeof(*argv));
	if (!tmp || !outp || !argv)
		goto oom;
	/* The version line, for the record. */
	{
		char *vargv[] = { sim, "-v", NULL };

		if (run_tool(vargv, outp, err, errlen) == 0 && file_read_all(outp, 4096, &text, NULL) == 0) {
			text[strcspn(text, "\n")] = '\0';
			snprintf(version, sizeof(version), "sim_c: %s", text);
		}
		free(text);
		text = NULL;
	}
	size_t a = 0;

	argv[a++] = sim;
	argv[a++] = "-e";	/* each pair on its own: all their similarities */
	argv[a++] = "-s";	/* not a file with itself */
	argv[a++] = "-n";	/* runs as positions and sizes */
	argv[a++] = str_printf("-r%u", o->min_run);
	argv[a++] = "-w200";
	for (size_t i = 0; i <= n; i++) {
		char *link = str_printf("%s/%s", tmp, i == 0 ? "starter.c" : "");
		char *target;

		if (i == 0) {
			target = have_starter ? realpath(starter, NULL) : NULL;
		} else {
			free(link);
			link = str_printf("%s/s%zu.c", tmp, i);
			char *rel = str_printf("%s/%s/%s", outdir, ids[i - 1], SIMILARITY_SOURCES);

			target = rel ? realpath(rel, NULL) : NULL;
			free(rel);
			fi[i].id = ids[i - 1];
		}
		if (!link || (i > 0 && !target)) {
			free(link);
			free(target);
			goto oom;
		}
		if (target && symlink(target, link) == 0)
			argv[a++] = strdup(strrchr(link, '/') + 1);
		free(link);
		free(target);
	}
	argv[a] = NULL;
	/* sim_c names files as given: run it in the folder of links. */
	{
		char cwd[PATH_MAX];

		if (!getcwd(cwd, sizeof(cwd)) || chdir(tmp) < 0) {
			snprintf(err, errlen, "cannot enter %s: %s", tmp, strerror(errno));
			goto out;
		}
		int r = run_tool(argv, outp, err, errlen);

		if (chdir(cwd) < 0 || r < 0)
			goto out;
	}
	int frc = file_read_all(outp, 64u << 20, &text, NULL);

	if (frc < 0) {
		snprintf(err, errlen, "cannot read sim_c's output: %s", strerror(-frc));
		goto out;
	}
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		char na[64], nb[64];
		struct range ra, rb;
		int tokens, lines, i, j;

		if (sscanf(line, "File %63[^:]: %d tokens, %d lines", na, &tokens, &lines) == 3) {
			if ((i = file_index(na)) >= 0 && (size_t)i <= n)
				fi[i].tokens = tokens;
			continue;
		}
		if (sscanf(line, "%63[^:]: line %d-%d |%63[^:]: line %d-%d [%d]", na, &ra.from, &ra.to, nb,
			   &rb.from, &rb.to, &tokens) != 7)
			continue;
		i = file_index(na);
		j = file_index(nb);
		if (i < 0 || j < 0 || (size_t)i > n || (size_t)j > n || i == j)
			continue;
		ra.tokens = rb.tokens = tokens;
		if (i == 0 || j == 0) {
			struct file_info *x = &fi[i == 0 ? j : i];

			if (add_range(&x->starter, &x->nstarter, i == 0 ? rb : ra) == 0)
				x->starter_tokens += tokens;
			continue;
		}
		struct run *g = realloc(runs, (nruns + 1) * sizeof(*g));

		if (!g)
			goto oom;
		runs = g;
		runs[nruns++] = i < j ? (struct run){ i, j, ra, rb } : (struct run){ j, i, rb, ra };
	}
	/* Per pair: the runs that are not the starter's, each once. */
	for (size_t r = 0; r < nruns; r++) {
		struct run *x = &runs[r];
		bool dup = false;
		struct pair *p = NULL;

		for (size_t q = 0; q < r && !dup; q++)
			dup = runs[q].a == x->a && runs[q].b == x->b && runs[q].ra.from == x->ra.from &&
			      runs[q].ra.to == x->ra.to && runs[q].rb.from == x->rb.from && runs[q].rb.to == x->rb.to;
		int la = x->ra.to - x->ra.from + 1, lb = x->rb.to - x->rb.from + 1;
		double sa = la > 0 ? (double)starter_lines(&fi[x->a], x->ra) / la : 0;
		double sb = lb > 0 ? (double)starter_lines(&fi[x->b], x->rb) / lb : 0;

		if (dup || sa > 0.5 || sb > 0.5)
			continue;
		for (size_t k = 0; k < npairs; k++)
			if (pairs[k].a == x->a && pairs[k].b == x->b)
				p = &pairs[k];
		if (!p) {
			struct pair *g = realloc(pairs, (npairs + 1) * sizeof(*g));

			if (!g)
				goto oom;
			pairs = g;
			p = &pairs[npairs++];
			*p = (struct pair){ .a = x->a, .b = x->b, .regions = json_array() };
		}
		/* What lies in the starter's lines does not count. */
		p->tokens += (int)((double)x->ra.tokens * (1.0 - (sa > sb ? sa : sb)) + 0.5);
		json_array_append_new(p->regions, json_pack("{s:i, s:i, s:i, s:i, s:i}", "a_from", x->ra.from,
							    "a_to", x->ra.to, "b_from", x->rb.from, "b_to", x->rb.to,
							    "tokens", x->ra.tokens));
	}
	size_t kept = 0;

	for (size_t k = 0; k < npairs; k++) {
		int ta = fi[pairs[k].a].tokens - fi[pairs[k].a].starter_tokens;
		int tb = fi[pairs[k].b].tokens - fi[pairs[k].b].starter_tokens;
		int own = ta < tb ? ta : tb;

		pairs[k].percent = own > 0 ? 100.0 * pairs[k].tokens / own : 0;
		if (pairs[k].percent > 100)
			pairs[k].percent = 100;
		if (pairs[k].percent >= o->threshold)
			pairs[kept++] = pairs[k];
		else
			json_decref(pairs[k].regions);
	}
	npairs = kept;
	if (npairs)
		qsort(pairs, npairs, sizeof(*pairs), by_percent);
	json_object_set_new(meta, "tool", json_string(version));
	json_object_set_new(meta, "ms", json_integer((json_int_t)(term_now_ms() - t0)));
	rc = write_outputs(outdir, meta, pairs, npairs, fi, err, errlen);
	goto out;
oom:
	snprintf(err, errlen, "out of memory");
	rc = -1;
out:
	for (size_t k = 0; k < npairs; k++)
		json_decref(pairs[k].regions);
	free(pairs);
	free(runs);
	for (size_t i = 0; i <= n && fi; i++)
		free(fi[i].starter);
	free(fi);
	if (argv) {
		for (size_t i = 4; argv[i]; i++)
			if (i != 5)
				free(argv[i]);
		free(argv);
	}
	for (size_t i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
	if (tmp)
		fs_remove_tree(tmp);
	free(tmp);
	free(outp);
	free(text);
	free(sim);
	free(starter);
	json_decref(meta);
	return rc;
}

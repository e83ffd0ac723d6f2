/*
 * cmd_export.c - `ipcgrade export ASSIGNMENT DIR`: the student's copy of
 * an assignment.
 *
 * DIR gets spec.yaml with only the visible tests, the handout
 * (README.md), starter/, and the files of the spec's folder that the
 * kept parts of the spec name (a visible test's files_in, exact_file,
 * checker). Nothing else: never solution/ or faulty/, no checker or input
 * file that only hidden tests use. `ipcgrade check DIR SUBMISSION` (or
 * --spec DIR/spec.yaml) runs the visible tests on the copy.
 *
 * The spec is rewritten through libyaml (parse the instructor's spec into
 * a document, copy every node but the hidden and after-due-date tests into
 * a new one, emit it), so it stays valid YAML whatever the original's
 * layout; its comments are not carried over, since they may well describe
 * the hidden tests. The copy is loaded again before export reports
 * success.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#include "assignments.h"
#include "commands.h"
#include "file.h"
#include "fs.h"
#include "spec.h"
#include "str.h"

static int copy_node(yaml_document_t *dst, yaml_document_t *src, yaml_node_t *n, bool top,
		     size_t *removed, char ***files, size_t *nfiles, const char *specdir);

static yaml_node_t *map_get(yaml_document_t *d, yaml_node_t *map, const char *key)
{
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(d, p->key);

		if (k && k->type == YAML_SCALAR_NODE && strcmp((const char *)k->data.scalar.value, key) == 0)
			return yaml_document_get_node(d, p->value);
	}
	return NULL;
}

static bool test_is_visible(yaml_document_t *d, yaml_node_t *t)
{
	yaml_node_t *v = t && t->type == YAML_MAPPING_NODE ? map_get(d, t, "visibility") : NULL;

	/* A test without visibility is visible (spec.c's default). */
	return !v || (v->type == YAML_SCALAR_NODE && strcmp((const char *)v->data.scalar.value, "visible") == 0);
}

/* A scalar that names a regular file of the spec's folder, outside
 * solution/ and faulty/, is one the copy needs. */
static void note_file(const char *value, char ***files, size_t *nfiles, const char *specdir)
{
	struct stat st;

	if (!*value || value[0] == '/' || strstr(value, "..") || strncmp(value, "solution/", 9) == 0 ||
	    strncmp(value, "faulty/", 7) == 0 || strchr(value, '\n'))
		return;
	char *abs = fs_path_join(specdir, value);

	if (abs && lstat(abs, &st) == 0 && S_ISREG(st.st_mode)) {
		for (size_t i = 0; i < *nfiles; i++)
			if (strcmp((*files)[i], value) == 0) {
				free(abs);
				return;
			}
		char **g = realloc(*files, (*nfiles + 1) * sizeof(*g));

		if (g) {
			*files = g;
			g[*nfiles] = strdup(value);
			*nfiles += g[*nfiles] != NULL;
		}
	}
	free(abs);
}

static int copy_node(yaml_document_t *dst, yaml_document_t *src, yaml_node_t *n, bool top,
		     size_t *removed, char ***files, size_t *nfiles, const char *specdir)
{
	int id = 0;

	switch (n->type) {
	case YAML_SCALAR_NODE:
		note_file((const char *)n->data.scalar.value, files, nfiles, specdir);
		return yaml_document_add_scalar(dst, NULL, n->data.scalar.value, (int)n->data.scalar.length,
						n->data.scalar.style);
	case YAML_SEQUENCE_NODE:
		id = yaml_document_add_sequence(dst, NULL, n->data.sequence.style);
		for (yaml_node_item_t *i = n->data.sequence.items.start; id && i < n->data.sequence.items.top; i++) {
			int c = copy_node(dst, src, yaml_document_get_node(src, *i), false, removed, files, nfiles,
					  specdir);

			if (!c || !yaml_document_append_sequence_item(dst, id, c))
				return 0;
		}
		return id;
	case YAML_MAPPING_NODE:
		id = yaml_document_add_mapping(dst, NULL, n->data.mapping.style);
		for (yaml_node_pair_t *p = n->data.mapping.pairs.start; id && p < n->data.mapping.pairs.top; p++) {
			yaml_node_t *k = yaml_document_get_node(src, p->key), *v = yaml_document_get_node(src, p->value);
			bool tests = top && k && k->type == YAML_SCALAR_NODE &&
				     strcmp((const char *)k->data.scalar.value, "tests") == 0 && v &&
				     v->type == YAML_SEQUENCE_NODE;
			int kc = k ? copy_node(dst, src, k, false, removed, files, nfiles, specdir) : 0, vc;

			if (!kc || !v)
				return 0;
			if (tests) {
				/* The visible tests only. */
				vc = yaml_document_add_sequence(dst, NULL, v->data.sequence.style);
				for (yaml_node_item_t *i = v->data.sequence.items.start; vc && i < v->data.sequence.items.top;
				     i++) {
					yaml_node_t *t = yaml_document_get_node(src, *i);
					int c;

					if (!test_is_visible(src, t)) {
						(*removed)++;
						continue;
					}
					c = copy_node(dst, src, t, false, removed, files, nfiles, specdir);
					if (!c || !yaml_document_append_sequence_item(dst, vc, c))
						return 0;
				}
			} else {
				vc = copy_node(dst, src, v, false, removed, files, nfiles, specdir);
			}
			if (!vc || !yaml_document_append_mapping_pair(dst, id, kc, vc))
				return 0;
		}
		return id;
	case YAML_NO_NODE:
		break;
	}
	return 0;
}

static int write_handler(void *data, unsigned char *buffer, size_t size)
{
	return fwrite(buffer, 1, size, data) == size;
}

/* The folders on the way to dir/rel's file. */
static int make_parents(const char *dir, const char *rel)
{
	char *p = fs_path_join(dir, rel);

	if (!p)
		return -1;
	for (char *q = p + strlen(dir) + 1; *q; q++) {
		if (*q != '/')
			continue;
		*q = '\0';
		if (mkdir(p, 0755) < 0 && errno != EEXIST) {
			free(p);
			return -1;
		}
		*q = '/';
	}
	free(p);
	return 0;
}

static bool dir_is_empty_or_missing(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	bool empty = true;

	if (!d)
		return errno == ENOENT;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			empty = false;
	closedir(d);
	return empty;
}

int cmd_export(const char *assignment, const char *where)
{
	char *dir = NULL;
	char *specpath = assignment_spec_path(assignment), *text = NULL, *out = NULL;
	struct spec *s = NULL, *copy = NULL;
	struct diag d;
	yaml_parser_t parser;
	yaml_emitter_t emitter;
	yaml_document_t src, dst;
	bool have_src = false, have_dst = false, have_parser = false, created = false;
	char **files = NULL;
	size_t nfiles = 0, removed = 0, len = 0, outlen = 0;
	int rc = EXIT_INTERNAL;
	FILE *f = NULL;

	diag_init(&d);
	if (!specpath || spec_load(specpath, &s, &d) < 0) {
		diag_print(&d, stderr);
		rc = EXIT_USAGE;
		goto out;
	}
	/* A spec.yaml must lie in a folder named after its assignment. */
	{
		size_t wl = strlen(where);
		const char *slash = strrchr(where, '/');
		const char *base = slash && slash[1] ? slash + 1 : where;

		while (wl > 1 && where[wl - 1] == '/')
			wl--;
		dir = strncmp(base, s->assignment, strlen(s->assignment)) == 0 && base[strlen(s->assignment)] == '\0'
		      ? strndup(where, wl) : str_printf("%.*s/%s", (int)wl, where, s->assignment);
		if (!dir)
			goto out;
		if (strcmp(dir, where) != 0 && mkdir(where, 0755) < 0 && errno != EEXIST) {
			fprintf(stderr, "ipcgrade: cannot create '%s': %s\n", where, strerror(errno));
			goto out;
		}
	}
	if (!dir_is_empty_or_missing(dir)) {
		fprintf(stderr, "ipcgrade: '%s' exists and is not empty: export writes into a new folder\n", dir);
		rc = EXIT_USAGE;
		goto out;
	}
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		fprintf(stderr, "ipcgrade: cannot create '%s': %s\n", dir, strerror(errno));
		goto out;
	}
	created = true;
	int frc = file_read_all(specpath, 16u << 20, &text, &len);

	if (frc < 0 || !yaml_parser_initialize(&parser)) {
		fprintf(stderr, "ipcgrade: cannot read '%s': %s\n", specpath, strerror(frc < 0 ? -frc : ENOMEM));
		goto out;
	}
	have_parser = true;
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &src) || !yaml_document_get_root_node(&src)) {
		fprintf(stderr, "ipcgrade: cannot parse '%s'\n", specpath);
		goto out;
	}
	have_src = true;
	if (!yaml_document_initialize(&dst, NULL, NULL, NULL, 0, 1)) {
		fprintf(stderr, "ipcgrade: out of memory\n");
		goto out;
	}
	have_dst = true;
	if (!copy_node(&dst, &src, yaml_document_get_root_node(&src), true, &removed, &files, &nfiles, s->dir)) {
		fprintf(stderr, "ipcgrade: cannot copy the spec '%s'\n", specpath);
		goto out;
	}
	f = open_memstream(&out, &outlen);
	if (!f || !yaml_emitter_initialize(&emitter)) {
		fprintf(stderr, "ipcgrade: out of memory\n");
		goto out;
	}
	fprintf(f, "# %s: the students' copy, written by `ipcgrade export` %s.\n"
		"# The visible tests only (%zu hidden or after-due-date test%s removed).\n"
		"# Check a submission with:  ipcgrade check --spec THIS_FOLDER/spec.yaml SUBMISSION_FOLDER\n",
		s->assignment, hx_version(), removed, removed == 1 ? "" : "s");
	yaml_emitter_set_output(&emitter, write_handler, f);
	yaml_emitter_set_unicode(&emitter, 1);
	yaml_emitter_set_width(&emitter, 100);
	int ok = yaml_emitter_open(&emitter) && yaml_emitter_dump(&emitter, &dst) && yaml_emitter_close(&emitter);

	have_dst = false;	/* yaml_emitter_dump deletes the document */
	yaml_emitter_delete(&emitter);
	if (fclose(f) != 0 || !ok) {
		f = NULL;
		fprintf(stderr, "ipcgrade: cannot write the spec's copy\n");
		goto out;
	}
	f = NULL;
	char *dst_spec = fs_path_join(dir, "spec.yaml");
	char *readme = fs_path_join(s->dir, "README.md"), *readme_dst = fs_path_join(dir, "README.md");
	char *starter = fs_path_join(s->dir, "starter"), *starter_dst = fs_path_join(dir, "starter");
	struct stat st;
	int werr = !dst_spec || file_write_atomic(dst_spec, out, outlen) < 0;

	if (!werr && readme && stat(readme, &st) == 0) {
		int sfd = open(s->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		char e[256];

		werr = sfd < 0 || dfd < 0 || fs_copy_file(sfd, "README.md", dfd, "README.md", 0644, e, sizeof(e)) < 0;
		if (sfd >= 0)
			close(sfd);
		if (dfd >= 0)
			close(dfd);
	}
	if (!werr && starter && stat(starter, &st) == 0 && S_ISDIR(st.st_mode))
		werr = fs_copy_tree(starter, starter_dst, 64u << 20) < 0;
	for (size_t i = 0; !werr && i < nfiles; i++) {
		char *slash = strrchr(files[i], '/');
		char *from_dir = slash ? str_printf("%s/%.*s", s->dir, (int)(slash - files[i]), files[i]) : strdup(s->dir);
		char *to_dir = slash ? str_printf("%s/%.*s", dir, (int)(slash - files[i]), files[i]) : strdup(dir);
		const char *base = slash ? slash + 1 : files[i];
		char e[256];

		if (strncmp(files[i], "starter/", 8) == 0 || strcmp(files[i], "README.md") == 0) {
			free(from_dir);
			free(to_dir);
			continue;	/* there already */
		}
		werr = !from_dir || !to_dir || make_parents(dir, files[i]) < 0;
		int sfd = werr ? -1 : open(from_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		int dfd = werr ? -1 : open(to_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		if (!werr) {
			struct stat fs;
			char *abs = fs_path_join(s->dir, files[i]);

			/* Keep a checker executable. */
			mode_t mode = abs && stat(abs, &fs) == 0 && (fs.st_mode & 0111) ? 0755 : 0644;

			free(abs);
			werr = sfd < 0 || dfd < 0 || fs_copy_file(sfd, base, dfd, base, mode, e, sizeof(e)) < 0;
		}
		if (sfd >= 0)
			close(sfd);
		if (dfd >= 0)
			close(dfd);
		free(from_dir);
		free(to_dir);
	}
	if (werr) {
		fprintf(stderr, "ipcgrade: cannot write the copy into '%s': %s\n", dir, strerror(errno));
	} else {
		struct diag d2;

		diag_init(&d2);
		if (spec_load(dst_spec, &copy, &d2) < 0) {
			fprintf(stderr, "ipcgrade: the copy's spec does not load (a bug of export):\n");
			diag_print(&d2, stderr);
		} else {
			fprintf(stderr, "exported %s into %s: %zu visible test%s, %zu removed; files: spec.yaml%s%s",
				s->assignment, dir, copy->ntests, copy->ntests == 1 ? "" : "s", removed,
				readme && stat(readme, &st) == 0 ? ", README.md" : "",
				starter && stat(starter, &st) == 0 ? ", starter/" : "");
			for (size_t i = 0; i < nfiles; i++)
				if (strncmp(files[i], "starter/", 8) != 0 && strcmp(files[i], "README.md") != 0)
					fprintf(stderr, ", %s", files[i]);
			fprintf(stderr, "\nstudents check their work with: ipcgrade check --spec %s/spec.yaml DIR\n", dir);
			rc = EXIT_OK;
		}
		diag_release(&d2);
	}
	free(dst_spec);
	free(readme);
	free(readme_dst);
	free(starter);
	free(starter_dst);
out:
	if (f)
		fclose(f);
	if (rc != EXIT_OK && created)
		fs_remove_tree(dir);	/* no half copy */
	if (have_dst)
		yaml_document_delete(&dst);
	if (have_src)
		yaml_document_delete(&src);
	if (have_parser)
		yaml_parser_delete(&parser);
	for (size_t i = 0; i < nfiles; i++)
		free(files[i]);
	free(files);
	free(out);
	free(text);
	spec_free(s);
	spec_free(copy);
	diag_release(&d);
	free(specpath);
	free(dir);
	return rc;
}

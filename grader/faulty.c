/*
 * faulty.c - an assignment's faulty submissions: list them, and write one
 * out as a folder a grader can take (see faulty.h).
 *
 * A patch is applied by GNU patch, never by code of ours:
 *
 *   patch -p1 --batch --forward --no-backup-if-mismatch --fuzz=0
 *         --reject-file=- -d DEST -i /abs/NAME.patch
 *
 * run through posix_spawnp with stdin from /dev/null, stdout and stderr
 * into one pipe that we read (what patch says becomes the error message),
 * default signal dispositions and an environment of our making (PATH,
 * LC_ALL=C, TMPDIR), so no POSIXLY_CORRECT or VERSION_CONTROL of the
 * caller changes what it does. It gets PATCH_TIMEOUT_MS, then SIGKILL.
 * --fuzz=0: a hunk whose context changed in solution/ fails with a message
 * instead of landing somewhere else; offsets are fine.
 *
 * Before patch runs, patch_check reads the file as patch would and refuses
 * every file name that could leave DEST (an absolute path but /dev/null, a
 * '..' component), links and binaries (which patch cannot make or would
 * skip), "Only in" lines (a diff made without -N), and a patch whose
 * header says nothing. DEST itself is fresh: a copy of solution/ that has
 * no links (fs_copy_tree copies regular files and folders only).
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "faulty.h"
#include "file.h"
#include "fs.h"
#include "str.h"
#include "term.h"

#define PATCH_SUFFIX ".patch"
#define MAX_PATCH_BYTES (4u << 20)
#define MAX_VARIANT_BYTES (64u << 20)	/* what fs_copy_tree may copy */
#define PATCH_TIMEOUT_MS 30000
#define PATCH_SAYS_MAX 2048		/* of patch's output, for the message */

extern char **environ;

static bool ends_with(const char *s, const char *suffix)
{
	size_t ls = strlen(s), lx = strlen(suffix);

	return ls > lx && strcmp(s + ls - lx, suffix) == 0;
}

/* ---- listing ---------------------------------------------------------------- */

static int by_name(const void *a, const void *b)
{
	const struct faulty_variant *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : (int)x->is_patch - (int)y->is_patch;
}

void faulty_list_free(struct faulty_variant *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++) {
		free(v[i].name);
		free(v[i].path);
	}
	free(v);
}

int faulty_list(const char *assignment, struct faulty_variant **out, size_t *n, char *err,
		size_t errlen)
{
	return faulty_list_in(assignment, "faulty", out, n, err, errlen);
}

int faulty_list_in(const char *assignment, const char *folder, struct faulty_variant **out,
		   size_t *n, char *err, size_t errlen)
{
	char *faulty = fs_path_join(assignment, folder);
	struct faulty_variant *v = NULL;
	size_t nv = 0;
	DIR *d = NULL;
	struct dirent *e;
	int rc = 0;

	*out = NULL;
	*n = 0;
	if (!faulty) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	d = opendir(faulty);
	if (!d) {
		rc = errno == ENOENT ? 0 : -errno;
		if (rc < 0)
			snprintf(err, errlen, "cannot read '%s': %s", faulty, strerror(-rc));
		goto out;
	}
	while ((e = readdir(d))) {
		struct stat st;
		bool patch;

		if (e->d_name[0] == '.' || fstatat(dirfd(d), e->d_name, &st, 0) < 0)
			continue;
		patch = S_ISREG(st.st_mode) && ends_with(e->d_name, PATCH_SUFFIX);
		if (!patch && !S_ISDIR(st.st_mode))
			continue;
		struct faulty_variant *g = realloc(v, (nv + 1) * sizeof(*g));

		if (!g) {
			rc = -ENOMEM;
			break;
		}
		v = g;
		v[nv].name = strndup(e->d_name, strlen(e->d_name) - (patch ? strlen(PATCH_SUFFIX) : 0));
		v[nv].path = fs_path_join(faulty, e->d_name);
		v[nv].is_patch = patch;
		if (!v[nv++].name || !v[nv - 1].path) {
			rc = -ENOMEM;
			break;
		}
	}
	if (rc == -ENOMEM) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (nv)
		qsort(v, nv, sizeof(*v), by_name);
	for (size_t i = 1; i < nv; i++)
		if (strcmp(v[i - 1].name, v[i].name) == 0) {
			snprintf(err, errlen, "%s/%s.patch and the folder %s/%s/ are both there: a "
				 "variant is a patch or a folder", faulty, v[i].name, faulty, v[i].name);
			rc = -EEXIST;
			break;
		}
out:
	if (d)
		closedir(d);
	free(faulty);
	if (rc < 0) {
		faulty_list_free(v, nv);
		return rc;
	}
	*out = v;
	*n = nv;
	return 0;
}

/* ---- checking a patch before patch reads it ------------------------------- */

static bool starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* A file name as it stands on a header line, up to its end or a tab (GNU
 * patch allows spaces in a name when a tab separates the date), checked
 * as a superset of every way patch could cut it: no word of it starts
 * with '/' but /dev/null, no component starts with "..", no quotes. */
static int check_name(const char *file, size_t line, const char *s, char *err, size_t errlen)
{
	size_t len = strcspn(s, "\t");

	while (len && isspace((unsigned char)s[len - 1]))
		len--;
	for (size_t i = 0; i < len; i++) {
		bool word = i == 0 || isspace((unsigned char)s[i - 1]);
		bool comp = word || s[i - 1] == '/';

		if (word && s[i] == '"') {
			snprintf(err, errlen, "%s:%zu: quoted file names are not supported", file, line);
			return -EINVAL;
		}
		if (word && s[i] == '/' &&
		    !(strncmp(s + i, "/dev/null", 9) == 0 && (i + 9 == len || isspace((unsigned char)s[i + 9])))) {
			snprintf(err, errlen, "%s:%zu: '%.*s' is an absolute path: a variant changes only "
				 "files inside its folder", file, line, (int)len, s);
			return -EINVAL;
		}
		if (comp && s[i] == '.' && i + 1 < len && s[i + 1] == '.') {
			snprintf(err, errlen, "%s:%zu: '%.*s' leads out of the folder ('..'): a variant "
				 "changes only files inside it", file, line, (int)len, s);
			return -EINVAL;
		}
	}
	return 0;
}

/* Past "A[,B]" at p, with *count = B (1 when left out). */
static const char *skip_range(const char *p, unsigned long *count)
{
	char *end;

	p += strspn(p, "0123456789");
	if (*p != ',') {
		*count = 1;
		return p;
	}
	*count = strtoul(p + 1, &end, 10);
	return end;
}

/* "@@ -A[,B] +C[,D] @@": B and D. */
static bool hunk_counts(const char *l, unsigned long *old, unsigned long *new)
{
	const char *p;

	if (!starts(l, "@@ -"))
		return false;
	p = skip_range(l + 4, old);
	if (!starts(p, " +"))
		return false;
	p = skip_range(p + 2, new);
	return starts(p, " @@");
}

/* A line diff or git writes before a file's "--- ", not the author's:
 * "diff -ruN a/x b/x", "diff --git a/x b/x", "index 4bb8215..0000000". */
static bool diff_line(const char *l)
{
	size_t hex;

	if (starts(l, "diff -"))
		return true;
	if (!starts(l, "index "))
		return false;
	hex = strspn(l + 6, "0123456789abcdef");
	return hex && starts(l + 6 + hex, "..");
}

static int patch_check(const char *file, char *text, char *err, size_t errlen)
{
	static const char *const named[] = { "--- ", "+++ ", "*** ", "Index: ", "diff --git ",
					     "rename from ", "rename to ", "copy from ", "copy to " };
	static const char *const modes[] = { "new file mode ", "deleted file mode ", "new mode ",
					     "old mode " };
	unsigned long old_left = 0, new_left = 0;
	bool described = false, files = false;
	size_t line = 0;

	for (char *l = text, *next; l; l = next) {
		next = strchr(l, '\n');
		if (next)
			*next++ = '\0';
		line++;
		if (!next && !*l)
			break;
		if (old_left || new_left) {	/* inside a hunk: text, not headers */
			bool context = (*l == ' ' || *l == '\0') && old_left && new_left;

			if (context || (*l == '-' && old_left))
				old_left--;
			if (context || (*l == '+' && new_left))
				new_left--;
			if (context || *l == '-' || *l == '+' || *l == '\\')
				continue;
			old_left = new_left = 0;	/* malformed: patch will say so */
		}
		if (hunk_counts(l, &old_left, &new_left))
			continue;
		for (size_t i = 0; i < sizeof(named) / sizeof(named[0]); i++)
			if (starts(l, named[i]) && check_name(file, line, l + strlen(named[i]), err, errlen) < 0)
				return -EINVAL;
		for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
			if (starts(l, modes[i]) && strcmp(l + strlen(modes[i]), "100644") != 0 &&
			    strcmp(l + strlen(modes[i]), "100755") != 0) {
				snprintf(err, errlen, "%s:%zu: '%s': a variant has regular files only (no "
					 "links)", file, line, l);
				return -EINVAL;
			}
		if (starts(l, "Binary files ") || starts(l, "GIT binary patch")) {
			snprintf(err, errlen, "%s:%zu: patch cannot change a binary file: make this "
				 "variant a folder", file, line);
			return -EINVAL;
		}
		if (starts(l, "Only in ")) {
			snprintf(err, errlen, "%s:%zu: '%s': patch would skip it; make the diff with "
				 "`diff -ruN` (new and deleted files as diffs)", file, line, l);
			return -EINVAL;
		}
		if (starts(l, "--- "))
			files = true;
		else if (!files && !diff_line(l))
			described |= strspn(l, " \t\r") < strlen(l);
	}
	if (!files) {
		snprintf(err, errlen, "%s: not a unified diff (no '--- a/FILE' line)", file);
		return -EINVAL;
	}
	if (!described) {
		snprintf(err, errlen, "%s: no header: say what mistake the variant makes in the text "
			 "before the first '---' line", file);
		return -EINVAL;
	}
	return 0;
}

/* ---- running GNU patch ---------------------------------------------------------- */

/* patch's output as one line: "patching file x; Hunk #1 FAILED at 49; 1
 * out of 1 hunk FAILED" (blank lines and final dots dropped). says holds
 * PATCH_SAYS_MAX bytes. */
static void one_line(char *says)
{
	char copy[PATCH_SAYS_MAX];
	size_t w = 0;

	snprintf(copy, sizeof(copy), "%s", says);
	says[0] = '\0';
	for (char *l = copy, *next; l; l = next) {
		size_t n;

		next = strchr(l, '\n');
		if (next)
			*next++ = '\0';
		l += strspn(l, " \t\r");
		n = strlen(l);
		while (n && (isspace((unsigned char)l[n - 1]) || l[n - 1] == '.'))
			n--;
		if (n)
			w += (size_t)snprintf(says + w, PATCH_SAYS_MAX - w, "%s%.*s", w ? "; " : "", (int)n, l);
		if (w >= PATCH_SAYS_MAX - 1)
			break;
	}
}

/* Run GNU patch on dir; says holds its output (PATCH_SAYS_MAX). Returns 0
 * when it applied everything, -EINVAL when not, -ENOEXEC when it could
 * not be run. */
static int run_patch(const char *dir, const char *patchfile, char *says)
{
	char *const argv[] = { "patch", "-p1", "--batch", "--forward", "--no-backup-if-mismatch",
			       "--fuzz=0", "--reject-file=-", "-d", (char *)dir, "-i",
			       (char *)patchfile, NULL };
	const char *tmpdir = getenv("TMPDIR");
	char *tmpenv = tmpdir && *tmpdir ? str_printf("TMPDIR=%s", tmpdir) : NULL;
	char *const envp[] = { "PATH=/usr/local/bin:/usr/bin:/bin", "LC_ALL=C", tmpenv, NULL };
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t all, none;
	size_t got = 0;
	int p[2], rc, status = 0;
	pid_t pid = -1;
	bool killed = false;

	says[0] = '\0';
	if (pipe2(p, O_CLOEXEC) < 0) {
		free(tmpenv);
		snprintf(says, PATCH_SAYS_MAX, "cannot make a pipe: %s", strerror(errno));
		return -ENOEXEC;
	}
	sigfillset(&all);
	sigemptyset(&none);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, p[1], 1);
	posix_spawn_file_actions_adddup2(&fa, p[1], 2);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setsigdefault(&attr, &all);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
	rc = posix_spawnp(&pid, "patch", &fa, &attr, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	free(tmpenv);
	close(p[1]);
	if (rc != 0) {
		close(p[0]);
		snprintf(says, PATCH_SAYS_MAX, "cannot run GNU patch: %s (it is the Debian package "
			 "'patch')", strerror(rc));
		return -ENOEXEC;
	}
	uint64_t deadline = term_now_ms() + PATCH_TIMEOUT_MS;

	for (;;) {
		char chunk[4096];
		uint64_t now = term_now_ms();
		struct pollfd pfd = { .fd = p[0], .events = POLLIN };

		if (now >= deadline && !killed) {
			kill(pid, SIGKILL);
			killed = true;
		}
		int r = poll(&pfd, 1, killed ? 1000 : (int)(deadline - now));

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0 && killed)
			break;
		if (r <= 0)
			continue;
		ssize_t n = read(p[0], chunk, sizeof(chunk));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		size_t keep = (size_t)n < PATCH_SAYS_MAX - 1 - got ? (size_t)n : PATCH_SAYS_MAX - 1 - got;

		memcpy(says + got, chunk, keep);
		got += keep;
		says[got] = '\0';
	}
	close(p[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	one_line(says);
	if (killed) {
		snprintf(says, PATCH_SAYS_MAX, "patch did not finish within %d s", PATCH_TIMEOUT_MS / 1000);
		return -EINVAL;
	}
	if (WIFSIGNALED(status)) {
		snprintf(says + strlen(says), PATCH_SAYS_MAX - strlen(says), "%spatch was killed by "
			 "signal %d", *says ? "; " : "", WTERMSIG(status));
		return -EINVAL;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		if (!*says)
			snprintf(says, PATCH_SAYS_MAX, "patch exited with status %d", WEXITSTATUS(status));
		return -EINVAL;
	}
	return 0;
}

/* ---- materialising ---------------------------------------------------------- */

int faulty_materialise(const char *assignment, const struct faulty_variant *v, const char *dest,
		       char *err, size_t errlen)
{
	char says[PATCH_SAYS_MAX];
	char *text = NULL, *solution = NULL, *abs = NULL;
	struct stat st;
	bool made = false;
	int rc = 0;

	if (lstat(dest, &st) == 0) {
		snprintf(err, errlen, "'%s' already exists: a variant is written into a new folder", dest);
		return -EEXIST;
	}
	if (!v->is_patch) {
		rc = fs_copy_tree(v->path, dest, MAX_VARIANT_BYTES);
		made = rc != -EEXIST;
		if (rc < 0)
			snprintf(err, errlen, "cannot copy %s/ to '%s': %s", v->path, dest, strerror(-rc));
		goto out;
	}
	rc = file_read_all(v->path, MAX_PATCH_BYTES, &text, NULL);
	if (rc < 0) {
		snprintf(err, errlen, "cannot read %s: %s", v->path, strerror(-rc));
		goto out;
	}
	rc = patch_check(v->path, text, err, errlen);
	if (rc < 0)
		goto out;
	abs = realpath(v->path, NULL);	/* patch -d changes folder before it opens -i */
	solution = fs_path_join(assignment, "solution");
	if (!abs || !solution) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", v->path, strerror(errno));
		goto out;
	}
	rc = fs_copy_tree(solution, dest, MAX_VARIANT_BYTES);
	made = rc != -EEXIST;
	if (rc < 0) {
		snprintf(err, errlen, "cannot copy %s/ to '%s': %s", solution, dest, strerror(-rc));
		goto out;
	}
	rc = run_patch(dest, abs, says);
	if (rc == -ENOEXEC)
		snprintf(err, errlen, "%s: %s", v->path, says);
	else if (rc < 0)
		snprintf(err, errlen, "%s does not apply to %s/: %s", v->path, solution, says);
out:
	if (rc < 0 && made)
		(void)fs_remove_tree(dest);	/* what we made; the error is rc */
	free(text);
	free(solution);
	free(abs);
	return rc;
}

int faulty_temp_make(const char *assignment, const struct faulty_variant *v, struct faulty_temp *t,
		     char *err, size_t errlen)
{
	int rc;

	rc = fs_make_temp_dir("faulty", &t->root);
	if (rc == 0 && !(t->dir = fs_path_join(t->root, v->name)))
		rc = -ENOMEM;
	if (rc < 0) {
		snprintf(err, errlen, "cannot make a temporary folder for %s: %s", v->path, strerror(-rc));
		faulty_temp_release(t);
		return rc;
	}
	rc = faulty_materialise(assignment, v, t->dir, err, errlen);
	if (rc < 0)
		faulty_temp_release(t);
	return rc;
}

void faulty_temp_release(struct faulty_temp *t)
{
	if (t->root)
		(void)fs_remove_tree(t->root);	/* in $TMPDIR: the host's to see if it stays */
	free(t->root);
	free(t->dir);
	t->root = t->dir = NULL;
}

int faulty_materialise_path(const char *variant, const char *dest, char *err, size_t errlen)
{
	char *path = strdup(variant), *slash, *assignment;
	struct faulty_variant *v = NULL;
	size_t n = 0, len;
	int rc = -ENOENT;

	if (!path) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	len = strlen(path);
	while (len > 1 && path[len - 1] == '/')
		path[--len] = '\0';
	if (ends_with(path, PATCH_SUFFIX))
		path[len - strlen(PATCH_SUFFIX)] = '\0';
	/* path is ASSIGNMENT/faulty/NAME or ASSIGNMENT/solutions/NAME
	 * (ASSIGNMENT may be empty: the cwd) */
	slash = strrchr(path, '/');
	const char *folder = NULL;

	for (size_t k = 0; slash && k < 2; k++) {
		const char *f = k ? "solutions" : "faulty";
		size_t fl = strlen(f);

		if ((size_t)(slash - path) >= fl && strncmp(slash - fl, f, fl) == 0 &&
		    ((size_t)(slash - path) == fl || slash[-(long)fl - 1] == '/'))
			folder = f;
	}
	if (!folder || !slash[1]) {
		snprintf(err, errlen, "'%s' is not a faulty submission or a solution variant: name "
			 "it as ASSIGNMENT/faulty/NAME or ASSIGNMENT/solutions/NAME", variant);
		free(path);
		return -EINVAL;
	}
	*slash = '\0';
	slash[-(long)strlen(folder)] = '\0';
	assignment = *path ? path : ".";
	rc = faulty_list_in(assignment, folder, &v, &n, err, errlen);
	if (rc < 0)
		goto out;
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i].name, slash + 1) == 0) {
			rc = faulty_materialise(assignment, &v[i], dest, err, errlen);
			goto out;
		}
	rc = -ENOENT;
	snprintf(err, errlen, "no %s '%s' in %s%s/ (neither %s.patch nor a folder %s/)",
		 strcmp(folder, "faulty") == 0 ? "faulty submission" : "solution variant", slash + 1,
		 path, folder, slash + 1, slash + 1);
out:
	faulty_list_free(v, n);
	free(path);
	return rc;
}

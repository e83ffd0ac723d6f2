/*
 * cmd_init.c - `ipcgrade init NAME`: a new assignment folder to start
 * from. Everything in it works at once: the spec validates, the solution
 * gets full marks and the faulty submission fails as faulty/EXPECTED says,
 * so `ipcgrade selftest NAME/` passes before the instructor changes a line.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "commands.h"
#include "file.h"
#include "str.h"

/* @NAME@ is replaced by the assignment's name. */
static const char spec_yaml[] =
	"# @NAME@: the grading spec. The reference for every key is SPEC.md in\n"
	"# ipcgrade's assignments folder (`ipcgrade validate` checks this file).\n"
	"assignment: @NAME@            # must equal the folder's name\n"
	"title: \"A child process sends a message to its parent through a pipe\"\n"
	"\n"
	"build:\n"
	"  sources: [\"*.c\"]           # compiled together\n"
	"  required: [main.c]           # must be in every submission\n"
	"  cflags: \"-std=gnu11 -O2 -Wall -Wextra\"\n"
	"  ldflags: \"-pthread -lrt\"\n"
	"  timeout_ms: 20000            # the compiler's own limit\n"
	"  # command: make             # or: the student's own Makefile...\n"
	"  # binary: prog              # ...and the program it builds\n"
	"\n"
	"limits:                        # every test's, unless the test says otherwise\n"
	"  wall_ms: 5000\n"
	"  cpu_ms: 5000\n"
	"  memory_mb: 256\n"
	"  processes: 32\n"
	"  output_kb: 256\n"
	"  deadlock_after_ms: 500\n"
	"\n"
	"tests:\n"
	"  - name: default-message\n"
	"    points: 40\n"
	"    visibility: visible        # students see it in `ipcgrade check`\n"
	"    expect:\n"
	"      exit: 0\n"
	"      stdout: \"parent received: hello\\n\"\n"
	"      stderr: empty\n"
	"      ipc: {fork: \">= 1\", pipe: \">= 1\", wait: \">= 1\", thread: 0}\n"
	"      cleanup: true            # no process left running\n"
	"    hint: \"The child writes, the parent reads: close the ends each one does not use.\"\n"
	"\n"
	"  - name: message-from-argument\n"
	"    points: 40\n"
	"    visibility: hidden         # only when the instructor grades\n"
	"    args: [\"a longer message\"]\n"
	"    runs: 5                    # must pass every time\n"
	"    jitter: {max_us: 300}      # with random delays, to shake out races\n"
	"    expect:\n"
	"      stdout: {regex: '^parent received: a longer message$'}\n"
	"      ipc: {fork: \">= 1\", pipe: \">= 1\", thread: 0}\n"
	"\n"
	"  - name: rejects-two-arguments\n"
	"    points: 20\n"
	"    args: [one, two]\n"
	"    expect: {exit: 1, stderr: nonempty, stdout: empty}\n"
	"\n"
	"# More: expect.files (files the program writes), expect.checker (a program\n"
	"# of yours that judges the output), expect.symbols (functions it must or\n"
	"# must not call), files_in, cpus, per-test limits. See SPEC.md.\n";

static const char readme_md[] =
	"# @NAME@\n"
	"\n"
	"Write `main.c`: the program creates a pipe and a child process. The child\n"
	"writes a message into the pipe (`hello`, or the program's one argument),\n"
	"and the parent reads it, prints `parent received: MESSAGE`, waits for the\n"
	"child and exits 0. With more than one argument the program prints a\n"
	"usage message on stderr and exits 1.\n"
	"\n"
	"## Example\n"
	"\n"
	"```\n"
	"$ ./prog\n"
	"parent received: hello\n"
	"```\n"
	"\n"
	"## What is checked\n"
	"\n"
	"The output, and that the work is done by two processes talking through a\n"
	"pipe (ipcgrade traces the system calls): no threads.\n"
	"\n"
	"## Check your work\n"
	"\n"
	"```\n"
	"ipcgrade check @NAME@ .\n"
	"```\n"
	"\n"
	"## Pitfalls\n"
	"\n"
	"- stdout is fully buffered when it is a pipe (it is when graded): flush it.\n"
	"- Close the pipe ends a process does not use, or the reader never sees\n"
	"  end of file.\n"
	"- Wait for the child before exiting.\n";

static const char starter_c[] =
	"/* @NAME@: see README.md. */\n"
	"#include <stdio.h>\n"
	"\n"
	"int main(int argc, char **argv)\n"
	"{\n"
	"\t(void)argc;\n"
	"\t(void)argv;\n"
	"\t/* TODO: pipe(), fork(), the child writes, the parent reads and waits. */\n"
	"\treturn 0;\n"
	"}\n";

static const char solution_c[] =
	"/* @NAME@: the reference solution. */\n"
	"#include <stdio.h>\n"
	"#include <string.h>\n"
	"#include <sys/wait.h>\n"
	"#include <unistd.h>\n"
	"\n"
	"int main(int argc, char **argv)\n"
	"{\n"
	"\tconst char *msg = argc == 2 ? argv[1] : \"hello\";\n"
	"\tchar buf[4096];\n"
	"\tint fd[2];\n"
	"\n"
	"\tif (argc > 2) {\n"
	"\t\tfprintf(stderr, \"usage: %s [MESSAGE]\\n\", argv[0]);\n"
	"\t\treturn 1;\n"
	"\t}\n"
	"\tif (pipe(fd) < 0) {\n"
	"\t\tperror(\"pipe\");\n"
	"\t\treturn 1;\n"
	"\t}\n"
	"\tpid_t pid = fork();\n"
	"\n"
	"\tif (pid < 0) {\n"
	"\t\tperror(\"fork\");\n"
	"\t\treturn 1;\n"
	"\t}\n"
	"\tif (pid == 0) {\n"
	"\t\tclose(fd[0]);\n"
	"\t\tssize_t n = write(fd[1], msg, strlen(msg));\n"
	"\n"
	"\t\t_exit(n == (ssize_t)strlen(msg) ? 0 : 1);\n"
	"\t}\n"
	"\tclose(fd[1]);\t/* else the read below never sees end of file */\n"
	"\tsize_t len = 0;\n"
	"\tssize_t n;\n"
	"\n"
	"\twhile (len < sizeof(buf) - 1 && (n = read(fd[0], buf + len, sizeof(buf) - 1 - len)) > 0)\n"
	"\t\tlen += (size_t)n;\n"
	"\tbuf[len] = '\\0';\n"
	"\tclose(fd[0]);\n"
	"\twaitpid(pid, NULL, 0);\n"
	"\tprintf(\"parent received: %s\\n\", buf);\n"
	"\treturn 0;\n"
	"}\n";

/* A real mistake, as faulty submissions mostly are: solution/ with one
 * change, as a patch whose header says what it is (assignments README). */
static const char faulty_patch[] =
	"The parent never closes its copy of the pipe's write end, so its read\n"
	"never sees end of file: it waits for a writer that is itself (a deadlock).\n"
	"\n"
	"--- a/main.c\n"
	"+++ b/main.c\n"
	"@@ -30,7 +30,6 @@\n"
	" \n"
	" \t\t_exit(n == (ssize_t)strlen(msg) ? 0 : 1);\n"
	" \t}\n"
	"-\tclose(fd[1]);\t/* else the read below never sees end of file */\n"
	" \tsize_t len = 0;\n"
	" \tssize_t n;\n"
	" \n";

static const char expected[] =
	"# What the grader must say about each faulty submission (see the\n"
	"# assignments README): the tests that fail and a reason among theirs.\n"
	"# A faulty submission is faulty/NAME.patch, solution/ with one mistake\n"
	"# (the text above the diff says which), or a folder faulty/NAME/ when it\n"
	"# is a program of its own; `ipcgrade selftest --materialise DIR\n"
	"# faulty/NAME` writes one out as a folder.\n"
	"no-close-write-end:\n"
	"  mistake: \"the parent keeps the pipe's write end open, so its read never sees end of file\"\n"
	"  fails:\n"
	"    default-message: deadlock\n"
	"    message-from-argument: deadlock\n"
	"  message: \"write end\"\n";

static int put(const char *dir, const char *rel, const char *tmpl, const char *name)
{
	char *path = str_printf("%s/%s", dir, rel);
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	int rc = -1;

	if (!path || !f) {
		free(path);
		if (f)
			fclose(f);
		return -1;
	}
	for (const char *p = tmpl; *p; ) {
		const char *at = strstr(p, "@NAME@");

		if (!at) {
			fputs(p, f);
			break;
		}
		fwrite(p, 1, (size_t)(at - p), f);
		fputs(name, f);
		p = at + 6;
	}
	fclose(f);
	int wrc = file_write_atomic(path, text, len);

	if (wrc == 0)
		rc = 0;
	else
		fprintf(stderr, "ipcgrade: cannot write %s: %s\n", path, strerror(-wrc));
	free(path);
	free(text);
	return rc;
}

int cmd_init(const char *name, const char *parent)
{
	char *dir;

	for (const char *p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-')) {
			fprintf(stderr, "ipcgrade: an assignment's name may only use lowercase letters, "
				"digits and '-': '%s'\n", name);
			return EXIT_USAGE;
		}
	if (!*name) {
		fprintf(stderr, "ipcgrade: the assignment needs a name\n");
		return EXIT_USAGE;
	}
	dir = str_printf("%s/%s", parent ? parent : ".", name);
	if (!dir)
		return EXIT_INTERNAL;
	if (mkdir(dir, 0755) < 0) {
		fprintf(stderr, "ipcgrade: cannot create '%s': %s\n", dir,
			errno == EEXIST ? "it already exists" : strerror(errno));
		free(dir);
		return EXIT_USAGE;
	}
	const char *subdirs[] = { "starter", "solution", "faulty" };

	for (size_t i = 0; i < sizeof(subdirs) / sizeof(subdirs[0]); i++) {
		char *sub = str_printf("%s/%s", dir, subdirs[i]);

		if (!sub || mkdir(sub, 0755) < 0) {
			fprintf(stderr, "ipcgrade: cannot create %s\n", sub ? sub : subdirs[i]);
			free(sub);
			free(dir);
			return EXIT_INTERNAL;
		}
		free(sub);
	}
	if (put(dir, "spec.yaml", spec_yaml, name) < 0 || put(dir, "README.md", readme_md, name) < 0 ||
	    put(dir, "starter/main.c", starter_c, name) < 0 ||
	    put(dir, "solution/main.c", solution_c, name) < 0 ||
	    put(dir, "faulty/no-close-write-end.patch", faulty_patch, name) < 0 ||
	    put(dir, "faulty/EXPECTED", expected, name) < 0) {
		free(dir);
		return EXIT_INTERNAL;
	}
	printf("created %s/: spec.yaml, README.md (the handout), starter/, solution/, faulty/ (a\n"
	       "mistake as a patch, and EXPECTED)\n"
	       "next: edit them, then\n"
	       "  ipcgrade validate %s/spec.yaml\n"
	       "  ipcgrade selftest %s/\n", dir, dir, dir);
	free(dir);
	return EXIT_OK;
}

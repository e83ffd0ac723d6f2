/* hostile: find the spec: walks / looking for spec.yaml and prints it and every file next to it
 * expect: ok|timeout
 * flags: --timeout=20000 --cpu-ms=20000
 * check: stdout-lacks CANARY-SECRET-7f3a
 *
 * A spec holds the hidden tests and their expected output; the runner
 * puts a canary file (text CANARY-SECRET-7f3a) next to the spec it grades
 * with. The walk skips /proc, /sys and /dev and follows no symlinks. Every
 * readable spec.yaml is an escape (HOSTILE-ESCAPED), and the contents of
 * its directory go to stdout, which must not contain the canary. Also
 * prints any file whose name contains "canary". Exits 0: ok; timeout is
 * accepted because walking a whole host file system (reduced mode) may
 * take longer than the limit.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

static void dump(const char *path)
{
	char buf[65536];
	int fd = open(path, O_RDONLY | O_NONBLOCK);
	if (fd < 0)
		return;
	ssize_t n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n > 0) {
		printf("=== %s\n", path);
		fwrite(buf, 1, (size_t)n, stdout);
		printf("\n");
	}
}

static void dump_dir(const char *file)
{
	char copy[4096];
	snprintf(copy, sizeof(copy), "%s", file);
	const char *dir = dirname(copy);
	DIR *d = opendir(dir);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		char p[8192];
		struct stat st;
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		if (lstat(p, &st) == 0 && S_ISREG(st.st_mode) && st.st_size <= 65536)
			dump(p);
	}
	if (d)
		closedir(d);
}

static int visit(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	if (type == FTW_D && (!strcmp(path, "/proc") || !strcmp(path, "/sys") || !strcmp(path, "/dev")))
		return FTW_SKIP_SUBTREE;
	if (type != FTW_F)
		return FTW_CONTINUE;
	const char *base = path + ftw->base;
	if (!strcmp(base, "spec.yaml")) {
		int fd = open(path, O_RDONLY | O_NONBLOCK);
		if (fd >= 0) {
			close(fd);
			printf("HOSTILE-ESCAPED: found a readable spec: %s\n", path);
			dump_dir(path);
		} else {
			fprintf(stderr, "find-spec: %s exists but is not readable\n", path);
		}
	} else if (strcasestr(base, "canary")) {
		dump(path);
	}
	return FTW_CONTINUE;
}

int main(void)
{
	nftw("/", visit, 64, FTW_PHYS | FTW_ACTIONRETVAL);
	return 0;
}

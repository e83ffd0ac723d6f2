/* hostile: read ../: lists .., ../.. and ../../.. and prints every small file in them
 * expect: ok
 * check: stdout-lacks CANARY-SECRET-7f3a
 *
 * The work directory's parents on the host hold other runs, other
 * students' submissions, and the spec being graded (hidden tests, expected
 * outputs) with the runner's canary file next to it. In full mode ".." of
 * the box's work directory is the box's own root, which holds nothing
 * secret. Everything found goes to stdout; the canary must not be among
 * it. Exits 0: ok.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
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

int main(void)
{
	const char *dirs[] = { "..", "../..", "../../.." };
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		DIR *d = opendir(dirs[i]);
		if (!d) {
			perror(dirs[i]);
			continue;
		}
		struct dirent *e;
		while ((e = readdir(d))) {
			char path[4096];
			struct stat st;
			snprintf(path, sizeof(path), "%s/%s", dirs[i], e->d_name);
			printf("%s\n", path);
			if (lstat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size <= 65536)
				dump(path);
			if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") && lstat(path, &st) == 0 &&
			    S_ISDIR(st.st_mode)) {
				/* one level down: sibling run directories */
				DIR *s = opendir(path);
				struct dirent *f;
				while (s && (f = readdir(s))) {
					char p2[8192];
					snprintf(p2, sizeof(p2), "%s/%s", path, f->d_name);
					if (lstat(p2, &st) == 0 && S_ISREG(st.st_mode) && st.st_size <= 65536)
						dump(p2);
				}
				if (s)
					closedir(s);
			}
		}
		closedir(d);
	}
	return 0;
}

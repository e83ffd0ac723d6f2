/* hostile: inherited descriptors: looks for any open fd above 2 and reads what it leads to
 * expect: ok
 * check: stdout-lacks CANARY-SECRET-7f3a
 *
 * A box must start with exactly fds 0, 1 and 2. A descriptor leaked from
 * the grader is a way out of every namespace: a directory fd allows
 * openat(fd, "..") past the box's root, a file fd reads the spec or the
 * canary, a pipe fd talks to the harness. Each open fd >= 3 is reported as
 * an escape with its target; regular files are printed, directories
 * listed (and their parent). Exits 0: ok.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

int main(void)
{
	for (int fd = 3; fd < 65536; fd++) {
		if (fcntl(fd, F_GETFD) < 0)
			continue;
		char link[64], target[4096] = "?";
		snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
		ssize_t n = readlink(link, target, sizeof(target) - 1);
		if (n >= 0)
			target[n] = 0;
		printf("HOSTILE-ESCAPED: inherited fd %d -> %s\n", fd, target);
		struct stat st;
		if (fstat(fd, &st) < 0)
			continue;
		if (S_ISREG(st.st_mode)) {
			char buf[65536];
			ssize_t r = pread(fd, buf, sizeof(buf), 0);
			if (r > 0)
				fwrite(buf, 1, (size_t)r, stdout);
		} else if (S_ISDIR(st.st_mode)) {
			const char *which[] = { ".", ".." };
			for (int w = 0; w < 2; w++) {
				int dfd = openat(fd, which[w], O_RDONLY | O_DIRECTORY);
				DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
				struct dirent *e;
				while (d && (e = readdir(d)))
					printf("  fd %d/%s/%s\n", fd, which[w], e->d_name);
				if (d)
					closedir(d);
			}
		}
	}
	return 0;
}

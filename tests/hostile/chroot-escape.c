/* hostile: chroot escape: chroot into a subdirectory, chdir("..") 64 times, chroot(".")
 * expect: forbidden_syscall
 *
 * The classic escape from a chroot-only jail: a process that may call
 * chroot() keeps its working directory outside the new root and walks up
 * from there to the real /. A box built with pivot_root in a mount
 * namespace is immune, but chroot() itself is a privileged call students
 * never make: the policy denies it, forbidden_syscall. If chroot works the
 * program lists the / it reached, says so and exits 0 (ok: a failed
 * test); refused, it exits 1. Only its own root changes.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int main(void)
{
	mkdir("hostile-jail", 0755);
	if (chroot("hostile-jail") < 0) {
		fprintf(stderr, "chroot-escape: chroot: %s\n", strerror(errno));
		rmdir("hostile-jail");
		return 1;
	}
	printf("HOSTILE-ESCAPED: chroot() worked\n");
	for (int i = 0; i < 64; i++)
		if (chdir("..") < 0)
			break;
	if (chroot(".") == 0) {
		DIR *d = opendir("/");
		struct dirent *e;
		while (d && (e = readdir(d)))
			printf("  /%s\n", e->d_name);
		if (d)
			closedir(d);
	}
	return 0;
}

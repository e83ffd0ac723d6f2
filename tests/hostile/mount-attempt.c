/* hostile: mount: mounts a tmpfs and bind-mounts / inside the work directory
 * expect: forbidden_syscall
 *
 * Mounting in the box's mount namespace could hide or reveal files (a bind
 * of / shows what the box was built to hide) and is kernel attack
 * surface. Targets are directories made in the work directory, so a
 * mount that works changes nothing outside; each is unmounted again. The
 * policy denies mount/umount2/pivot_root/move_mount/fsopen:
 * forbidden_syscall. A mount that works exits 0 (ok: a failed test);
 * refused, it exits 1.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

int main(void)
{
	int worked = 0;
	mkdir("hostile-mnt-tmpfs", 0755);
	mkdir("hostile-mnt-bind", 0755);
	if (mount("none", "hostile-mnt-tmpfs", "tmpfs", 0, "size=1m") == 0) {
		printf("HOSTILE-ESCAPED: mounted a tmpfs\n");
		umount2("hostile-mnt-tmpfs", MNT_DETACH);
		worked = 1;
	} else {
		fprintf(stderr, "mount-attempt: tmpfs: %s\n", strerror(errno));
	}
	if (mount("/", "hostile-mnt-bind", NULL, MS_BIND | MS_REC, NULL) == 0) {
		printf("HOSTILE-ESCAPED: bind-mounted /\n");
		umount2("hostile-mnt-bind", MNT_DETACH);
		worked = 1;
	} else {
		fprintf(stderr, "mount-attempt: bind /: %s\n", strerror(errno));
	}
	rmdir("hostile-mnt-tmpfs");
	rmdir("hostile-mnt-bind");
	return worked ? 0 : 1;
}

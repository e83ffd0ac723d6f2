/* hostile: kernel keyring: add_key() into the user keyring, keyctl() to read it back
 * expect: forbidden_syscall
 *
 * Keyrings are not namespaced the way files are: the user keyring belongs
 * to the uid and outlives the run, so two runs (two students) under the
 * same uid can pass data through it, and keyctl has a long CVE history.
 * The policy denies add_key, request_key and keyctl: forbidden_syscall.
 * If the key is added the program invalidates it again, says so and exits
 * 0 (ok: a failed test); refused, it exits 1.
 */
#include <errno.h>
#include <linux/keyctl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void)
{
	long id = syscall(SYS_add_key, "user", "ipcgrade-hostile", "left for the next run", 21,
			  KEY_SPEC_USER_KEYRING);
	if (id < 0) {
		fprintf(stderr, "keyctl: add_key: %s\n", strerror(errno));
		return 1;
	}
	char buf[64] = "";
	long n = syscall(SYS_keyctl, KEYCTL_READ, id, buf, sizeof(buf) - 1);
	printf("HOSTILE-ESCAPED: added key %ld to the user keyring (read back %ld bytes)\n", id, n);
	syscall(SYS_keyctl, KEYCTL_INVALIDATE, id);
	return 0;
}

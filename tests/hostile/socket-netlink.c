/* hostile: netlink sockets: socket(AF_NETLINK) for ROUTE, AUDIT and KOBJECT_UEVENT
 * expect: forbidden_syscall
 *
 * Netlink talks to the kernel: routing and interfaces, the audit
 * subsystem, device events; it reveals the host's network configuration
 * and is a frequent exploit entry point (netfilter via NETLINK_NETFILTER).
 * The policy denies AF_NETLINK: forbidden_syscall. Any socket created is
 * an escape: the program says so and exits 0 (ok: a failed test); all
 * refused, it exits 1.
 */
#include <errno.h>
#include <linux/netlink.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(void)
{
	static const struct {
		int proto;
		const char *name;
	} s[] = {
		{ NETLINK_ROUTE, "NETLINK_ROUTE" },
		{ NETLINK_AUDIT, "NETLINK_AUDIT" },
		{ NETLINK_KOBJECT_UEVENT, "NETLINK_KOBJECT_UEVENT" },
	};
	int worked = 0;
	for (size_t i = 0; i < sizeof(s) / sizeof(s[0]); i++) {
		int fd = socket(AF_NETLINK, SOCK_RAW, s[i].proto);
		if (fd >= 0) {
			printf("HOSTILE-ESCAPED: socket(AF_NETLINK, %s) worked\n", s[i].name);
			close(fd);
			worked = 1;
		} else {
			fprintf(stderr, "socket-netlink: %s: %s\n", s[i].name, strerror(errno));
		}
	}
	return worked ? 0 : 1;
}

/* hostile: network sockets: socket(AF_INET, STREAM/DGRAM), AF_INET6 and AF_PACKET
 * expect: forbidden_syscall
 *
 * IPC assignments need AF_UNIX at most; network sockets could reach the
 * host, the LAN or the internet (exfiltrating tests, fetching solutions).
 * A network namespace makes them useless; the policy makes them
 * impossible by denying socket() for any family but AF_UNIX
 * (forbidden_syscall). Any socket created is an escape: the program says so
 * and exits 0 (ok: a failed test); all refused, it exits 1.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef AF_PACKET
#define AF_PACKET 17
#endif

int main(void)
{
	static const struct {
		int family, type;
		const char *name;
	} s[] = {
		{ AF_INET, SOCK_STREAM, "AF_INET/SOCK_STREAM" },
		{ AF_INET, SOCK_DGRAM, "AF_INET/SOCK_DGRAM" },
		{ AF_INET6, SOCK_STREAM, "AF_INET6/SOCK_STREAM" },
		{ AF_PACKET, SOCK_RAW, "AF_PACKET/SOCK_RAW" },
	};
	int worked = 0;
	for (size_t i = 0; i < sizeof(s) / sizeof(s[0]); i++) {
		int fd = socket(s[i].family, s[i].type, 0);
		if (fd >= 0) {
			printf("HOSTILE-ESCAPED: socket(%s) worked\n", s[i].name);
			close(fd);
			worked = 1;
		} else {
			fprintf(stderr, "socket-inet: %s: %s\n", s[i].name, strerror(errno));
		}
	}
	return worked ? 0 : 1;
}

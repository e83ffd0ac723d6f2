/* hostile: TCP connect: connects to 127.0.0.1 on the port given as argv[1]
 * expect: forbidden_syscall|runtime_error
 * check: tcp-listener
 *
 * The runner listens on 127.0.0.1 and passes the port as argv[1]. The
 * connection must not arrive: socket() denied by the policy
 * (forbidden_syscall), or, in a network namespace, refused or unreachable
 * (the program exits 1: runtime_error). If it connects it sends a line,
 * says so and exits 0 (ok: a failed test); the runner's listener also
 * sees the connection.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: tcp-connect PORT\n");
		return 2;
	}
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		fprintf(stderr, "tcp-connect: socket: %s\n", strerror(errno));
		return 1;
	}
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((unsigned short)atoi(argv[1])) };
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 && errno != EINPROGRESS) {
		fprintf(stderr, "tcp-connect: connect: %s\n", strerror(errno));
		return 1;
	}
	struct pollfd p = { .fd = fd, .events = POLLOUT };
	int err = ETIMEDOUT;
	socklen_t len = sizeof(err);
	if (poll(&p, 1, 2000) == 1)
		getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
	if (err) {
		fprintf(stderr, "tcp-connect: connect: %s\n", strerror(err));
		return 1;
	}
	const char *m = "HOSTILE-ESCAPED from tcp-connect\n";
	if (write(fd, m, strlen(m)) < 0)
		perror("tcp-connect: write");
	printf("HOSTILE-ESCAPED: connected to 127.0.0.1:%s\n", argv[1]);
	close(fd);
	return 0;
}

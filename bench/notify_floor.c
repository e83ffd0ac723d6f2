/*
 * notify_floor.c - the cheapest possible seccomp-notify tracer, for
 * bench/trace.sh's "floor" variant.
 *
 *   notify_floor PROGRAM [ARGS...]
 *
 * Runs PROGRAM with the calls that `ipcgrade run --trace-hot` notifies
 * (read/write, futex, semop, queue traffic; the harness's own list, so
 * the two cannot drift apart) sent to a supervisor that does
 * nothing but answer CONTINUE at once: no /proc, no tracee memory, no
 * events, no sandbox. What a round trip costs under it is what the
 * mechanism itself costs on this machine (two wake-ups per call), so
 * `--trace-hot` can be no faster than this, and `strace -f` / floor is the
 * best ratio any seccomp-notify tracer could reach here.
 *
 * It uses what ipcgrade uses: SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP where the
 * kernel has it (6.6+), ppoll on the listener. Prints, on stderr, how many
 * calls it answered.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "internal.h"	/* hx_policy_hot_calls: exactly what --trace-hot notifies */

#ifndef SECCOMP_IOCTL_NOTIF_SET_FLAGS
#define SECCOMP_IOCTL_NOTIF_SET_FLAGS SECCOMP_IOW(4, __u64)
#endif
#ifndef SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
#define SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP 1
#endif

static void send_fd(int sock, int fd)
{
	char buf[CMSG_SPACE(sizeof(int))] = { 0 }, byte = 0;
	struct iovec iov = { &byte, 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = buf, .msg_controllen = sizeof(buf) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(fd));
	if (sendmsg(sock, &msg, 0) < 0)
		_exit(126);
}

static int receive_fd(int sock)
{
	char buf[CMSG_SPACE(sizeof(int))], byte;
	struct iovec iov = { &byte, 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = buf, .msg_controllen = sizeof(buf) };
	struct cmsghdr *c;
	int fd;

	if (recvmsg(sock, &msg, 0) <= 0 || !(c = CMSG_FIRSTHDR(&msg)))
		return -1;
	memcpy(&fd, CMSG_DATA(c), sizeof(fd));
	return fd;
}

int main(int argc, char **argv)
{
	int sv[2];

	if (argc < 2) {
		fprintf(stderr, "usage: notify_floor PROGRAM [ARGS...]\n");
		return 2;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
		perror("socketpair");
		return 2;
	}
	pid_t child = fork();

	if (child < 0) {
		perror("fork");
		return 2;
	}
	if (child == 0) {
		scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
		size_t n;
		const int *hot = hx_policy_hot_calls(&n);

		for (size_t i = 0; ctx && i < n; i++)
			if (seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, hot[i], 0) < 0)
				_exit(126);
		if (!ctx || seccomp_load(ctx) < 0)
			_exit(126);
		/* From here on our own writes are notified: the parent is
		 * already waiting for the listener. */
		send_fd(sv[1], seccomp_notify_fd(ctx));
		execvp(argv[1], argv + 1);
		_exit(127);
	}
	close(sv[1]);
	int listener = receive_fd(sv[0]);

	if (listener < 0) {
		fprintf(stderr, "notify_floor: no listener from the child\n");
		return 2;
	}
	(void)ioctl(listener, SECCOMP_IOCTL_NOTIF_SET_FLAGS, SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP, 0);

	struct seccomp_notif *req;
	struct seccomp_notif_resp *resp;
	unsigned long answered = 0;

	if (seccomp_notify_alloc(&req, &resp) != 0)
		return 2;
	for (;;) {
		struct pollfd pfd = { .fd = listener, .events = POLLIN };

		if (ppoll(&pfd, 1, NULL, NULL) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (!(pfd.revents & POLLIN))
			break;	/* POLLHUP: no filtered task is left */
		memset(req, 0, sizeof(*req));
		if (seccomp_notify_receive(listener, req) < 0)
			continue;	/* the task went away meanwhile */
		memset(resp, 0, sizeof(*resp));
		resp->id = req->id;
		resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
		if (seccomp_notify_respond(listener, resp) == 0)
			answered++;
	}
	int status = 0;

	waitpid(child, &status, 0);
	fprintf(stderr, "notify_floor: %lu calls answered\n", answered);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

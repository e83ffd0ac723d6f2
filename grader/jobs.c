/*
 * jobs.c - run independent jobs in forked worker processes (see jobs.h).
 *
 * The harness must be driven from a single-threaded process, so
 * parallelism is processes: each job runs in a child that writes its
 * text result into a pipe and exits. A crash of one job is one failed
 * job, never the end of the batch.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "jobs.h"

/* How often the loop looks at the cancel flag while jobs run. */
#define POLL_MS 200

struct slot {
	pid_t pid;
	int fd;
	size_t job;
	char *buf;
	size_t len, cap;
};

static void slot_read(struct slot *s)
{
	char chunk[8192];
	ssize_t n;

	while ((n = read(s->fd, chunk, sizeof(chunk))) > 0) {
		if (s->len + (size_t)n + 1 > s->cap) {
			size_t cap = s->cap ? s->cap * 2 : 16384;

			while (cap < s->len + (size_t)n + 1)
				cap *= 2;
			char *g = realloc(s->buf, cap);

			if (!g)
				return;
			s->buf = g;
			s->cap = cap;
		}
		memcpy(s->buf + s->len, chunk, (size_t)n);
		s->len += (size_t)n;
		s->buf[s->len] = '\0';
	}
}

static void write_all(int fd, const char *s, size_t len)
{
	while (len) {
		ssize_t n = write(fd, s, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		s += n;
		len -= (size_t)n;
	}
}

int jobs_run(size_t njobs, unsigned parallel, job_fn fn, void *arg, job_done_fn done,
	     const volatile sig_atomic_t *cancel)
{
	struct slot *slots;
	struct pollfd *pfd;
	unsigned *map;
	size_t next = 0, finished = 0;
	bool forwarded = false;

	if (parallel < 1)
		parallel = 1;
	slots = calloc(parallel, sizeof(*slots));
	pfd = calloc(parallel, sizeof(*pfd));
	map = calloc(parallel, sizeof(*map));
	if (!slots || !pfd || !map) {
		free(slots);
		free(pfd);
		free(map);
		return -ENOMEM;
	}
	for (unsigned i = 0; i < parallel; i++)
		slots[i].fd = -1;
	fflush(NULL);
	while (finished < njobs) {
		/* Fill free slots. */
		for (unsigned i = 0; i < parallel && next < njobs && !(cancel && *cancel); i++) {
			int p[2];

			if (slots[i].fd >= 0)
				continue;
			if (pipe2(p, O_CLOEXEC) < 0)
				break;
			pid_t pid = fork();

			if (pid < 0) {
				close(p[0]);
				close(p[1]);
				break;
			}
			if (pid == 0) {
				int status = 0;

				close(p[0]);
				char *text = fn(arg, next, &status);

				if (text)
					write_all(p[1], text, strlen(text));
				free(text);
				close(p[1]);
				hx_settle();	/* _exit runs no exit handler */
				_exit(status & 0xff);
			}
			close(p[1]);
			slots[i] = (struct slot){ .pid = pid, .fd = p[0], .job = next++ };
		}
		if (cancel && *cancel && !forwarded) {
			/* Jobs never started are reported as cancelled; running
			 * ones are told to stop (a SIGTERM sent to us alone would
			 * not reach them; their handler cancels their run). */
			while (next < njobs) {
				done(arg, next++, NULL, -1);
				finished++;
			}
			for (unsigned i = 0; i < parallel; i++)
				if (slots[i].fd >= 0)
					kill(slots[i].pid, SIGTERM);
			forwarded = true;
		}
		unsigned np = 0;

		for (unsigned i = 0; i < parallel; i++) {
			if (slots[i].fd < 0)
				continue;
			pfd[np] = (struct pollfd){ .fd = slots[i].fd, .events = POLLIN };
			map[np++] = i;
		}
		if (np == 0)
			break;
		if (poll(pfd, np, POLL_MS) < 0 && errno != EINTR)
			break;
		for (unsigned k = 0; k < np; k++) {
			struct slot *s = &slots[map[k]];

			if (!pfd[k].revents)
				continue;
			slot_read(s);
			if (!(pfd[k].revents & (POLLHUP | POLLERR)) || (pfd[k].revents & POLLIN &&
									  !(pfd[k].revents & POLLHUP)))
				continue;
			slot_read(s);
			close(s->fd);
			s->fd = -1;
			int status = 0;

			while (waitpid(s->pid, &status, 0) < 0 && errno == EINTR)
				;
			int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);

			done(arg, s->job, s->buf ? s->buf : "", code);
			free(s->buf);
			s->buf = NULL;
			s->len = s->cap = 0;
			finished++;
		}
	}
	free(slots);
	free(pfd);
	free(map);
	/* Only when no worker could be forked (or poll failed) are jobs left. */
	return finished < njobs ? -EAGAIN : 0;
}

unsigned jobs_default_parallel(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > 0 ? (unsigned)n : 1;
}

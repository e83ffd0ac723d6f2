/*
 * event_loop.c - the supervisor's event loop while the box runs.
 *
 * One loop, nothing in signal handlers (STYLE.md 9): ppoll over the
 * output pipes, the control socket, the error pipe, the socket the
 * seccomp listener arrives on and the listener itself, against the
 * nearest of the deadlines: the wall limit, the next watchdog tick, the
 * output drain after the first process ended, the init's time to report
 * after FINISH, and the next jittered answer. Each pass first decides
 * whether the run must end (a limit, a deadlock, cancellation), then
 * whether it is time to tell the init to wind up (FINISH), then whether
 * the loop is done: the init has reported and the output pipes are at
 * EOF. The processes and channels are described at the top of sandbox.c.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "run.h"

#define TICK_US 50000		/* watchdog period, at least */
#define DRAIN_US 1000000	/* output drain after the first process exits */
#define FINISH_US 1500000	/* the init's time to report after FINISH */

int hx_run_send(const struct hx_run_state *r, int type)
{
	struct hx_msg m = { .type = type };

	return send(r->ctl[0], &m, sizeof(m), MSG_NOSIGNAL) == (ssize_t)sizeof(m) ? 0 : -errno;
}

static void add_leftover(struct hx_run_state *r, const struct hx_msg *m)
{
	/* m->pid is a pid of the box's namespace (the host's in reduced);
	 * the result lists it by its box pid when the run is exported. */
	hx_tracer_leftover(r->tracer, m->pid, m->name);
}

static void handle_ctl(struct hx_run_state *r)
{
	struct hx_msg m;

	for (;;) {
		ssize_t n = recv(r->ctl[0], &m, sizeof(m), MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0) {
			r->done = true;		/* the init is gone */
			return;
		}
		if (n != (ssize_t)sizeof(m))
			continue;
		switch (m.type) {
		case HX_MSG_EXITED:
			if (!r->exited) {
				r->exited = true;
				r->status = m.status;
				r->end_us = hx_now_us();
				r->drain_deadline = r->end_us + DRAIN_US;
			}
			break;
		case HX_MSG_LEFTOVER:
			add_leftover(r, &m);
			break;
		case HX_MSG_IPC:
			hx_result_add_ipc_left(r->res, m.kind, m.name);
			break;
		case HX_MSG_DONE:
			r->done = true;
			r->done_cpu_us = m.cpu_us;
			r->done_maxrss_kb = m.maxrss_kb;
			return;
		}
	}
}

static int receive_listener(struct hx_run_state *r)
{
	char data;
	struct iovec iov = { .iov_base = &data, .iov_len = 1 };
	union {
		char buf[CMSG_SPACE(sizeof(int)) + CMSG_SPACE(sizeof(struct ucred))];
		struct cmsghdr align;
	} u;
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = u.buf, .msg_controllen = sizeof(u.buf),
	};
	ssize_t n = recvmsg(r->nfy[0], &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);

	if (n <= 0)
		return n < 0 && errno == EAGAIN ? 0 : -1;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
		if (c->cmsg_level != SOL_SOCKET)
			continue;
		if (c->cmsg_type == SCM_RIGHTS)
			memcpy(&r->listener, CMSG_DATA(c), sizeof(int));
		if (c->cmsg_type == SCM_CREDENTIALS) {
			struct ucred cred;

			memcpy(&cred, CMSG_DATA(c), sizeof(cred));
			r->first_pid = cred.pid;
		}
	}
	hx_prof_mark("listener received");
	if (r->listener >= 0)
		hx_tracer_sync_wakeups(r->listener);
	if (r->listener >= 0 && r->first_pid > 0)
		hx_tracer_set_start(r->tracer, hx_now_us(), r->first_pid);
	return 1;
}

static void read_output(struct hx_run_state *r, int fd, struct hx_str *buf, bool *eof)
{
	char chunk[65536];
	size_t cap = (size_t)r->lim.output_kb * 1024;

	for (int rounds = 0; rounds < 16; rounds++) {
		ssize_t n = read(fd, chunk, sizeof(chunk));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return;		/* EAGAIN */
		if (n == 0) {
			*eof = true;
			return;
		}
		size_t room = r->out_total < cap ? cap - r->out_total : 0;
		size_t keep = (size_t)n < room ? (size_t)n : room;

		if (keep)
			hx_str_add(buf, chunk, keep);
		r->out_total += (size_t)n;
		if (r->out_total > cap) {
			buf->toobig = true;
			if (r->kill_verdict == HX_VERDICT_OK && !r->exited) {
				r->kill_verdict = HX_VERDICT_OUTPUT_LIMIT;
				snprintf(r->kill_detail, sizeof(r->kill_detail),
					 "output limit of %u KB exceeded", r->lim.output_kb);
			}
		}
	}
}

static void tick(struct hx_run_state *r, uint64_t now)
{
	hx_tracer_discover(r->tracer);
	bool deadlocked = hx_watchdog_sample(r->wd, r->tracer, now, r->out_total);
	long long cpu = hx_cgroup_cpu_us(&r->cg);

	if (cpu < 0)
		cpu = hx_watchdog_cpu_us(r->wd);
	if (cpu > (long long)r->lim.cpu_ms * 1000) {
		r->kill_verdict = HX_VERDICT_TIMEOUT;
		snprintf(r->kill_detail, sizeof(r->kill_detail), "CPU time limit of %u ms exceeded",
			 r->lim.cpu_ms);
		return;
	}
	if (deadlocked) {
		r->kill_verdict = HX_VERDICT_DEADLOCK;
		unsigned after = (unsigned)((now - r->start_us) / 1000);

		r->res->deadlock = hx_deadlock_explain(r->init_pid, r->tracer, after);
		snprintf(r->kill_detail, sizeof(r->kill_detail),
			 "every process blocked for %u ms", r->lim.deadlock_after_ms);
	}
}

void hx_run_stop_box(struct hx_run_state *r)
{
	if (r->tracer)
		hx_tracer_teardown(r->tracer);
	/* Reduced isolation: its descendants first, while the init lives
	 * and holds them as their subreaper; killed first, the init would
	 * hand them to us (we are a subreaper too, and sweep them below). */
	if (!r->full && r->init_pid > 0 && !r->init_reaped) {
		struct hx_pids pids = { 0 };

		for (int round = 0; round < 100; round++) {
			if (hx_proc_descendants(r->init_pid, &pids) <= 0)
				break;
			for (size_t i = 0; i < pids.n; i++)
				kill(pids.v[i], SIGKILL);
			usleep(1000);
		}
		hx_pids_release(&pids);
	}
	if (r->init_pid > 0 && !r->init_reaped)
		kill(r->init_pid, SIGKILL);
	hx_cgroup_destroy(&r->cg);
	if (!r->full && r->init_pid > 0)
		hx_reduced_sweep_adopted(&r->host, r->init_pid);
}

/*
 * The wall limit counts the time the program could run. The time its
 * threads waited for a CPU that the machine gave to others (the longest
 * wait of one thread alive at the deadline) moves the deadline on, up
 * to HX_WALL_STRETCH times the limit in all: a grading under load then
 * reaches the verdicts of a quiet one, while a program that sleeps or
 * blocks waits for no CPU and is stopped on time. Asked only when the
 * deadline comes, so it costs nothing before.
 */
static bool wall_deadline_moved(struct hx_run_state *r, uint64_t now)
{
	uint64_t limit = (uint64_t)r->lim.wall_ms * 1000, most = limit * (HX_WALL_STRETCH - 1);
	long long waited = hx_cgroup_cpu_wait_us(&r->cg);
	uint64_t more, deadline;

	if (waited <= 0)
		return false;
	more = (uint64_t)waited < most ? (uint64_t)waited : most;
	deadline = r->start_us + limit + more;
	if (deadline <= now + 1000)
		return false;	/* not a millisecond more to give */
	r->wall_deadline = deadline;
	r->wall_extended_us = more;
	return true;
}

int hx_run_loop(struct hx_run_state *r)
{
	enum { P_OUT, P_ERR, P_CTL, P_NFY, P_CERR, P_LISTEN, P_EXITS, P_EBPF, P_COUNT };
	struct pollfd pfd[P_COUNT];
	bool cerr_open = true, nfy_open = true;

	r->start_us = hx_now_us();
	r->wall_deadline = r->start_us + (uint64_t)r->lim.wall_ms * 1000;
	r->next_tick = r->start_us + TICK_US;

	for (;;) {
		uint64_t now = hx_now_us();

		if (r->cfg->cancel && *r->cfg->cancel && !r->cancelled) {
			r->cancelled = true;
			if (r->kill_verdict == HX_VERDICT_OK)
				r->kill_verdict = HX_VERDICT_INTERNAL_ERROR;
		}
		if (!r->exited && r->kill_verdict == HX_VERDICT_OK) {
			if (now >= r->wall_deadline && !wall_deadline_moved(r, now)) {
				r->kill_verdict = HX_VERDICT_TIMEOUT;
				if (r->wall_extended_us)
					snprintf(r->kill_detail, sizeof(r->kill_detail),
						 "wall time limit of %u ms exceeded (with %llu ms more for the "
						 "time the program waited for a CPU the machine was busy with)",
						 r->lim.wall_ms, (unsigned long long)(r->wall_extended_us / 1000));
				else
					snprintf(r->kill_detail, sizeof(r->kill_detail),
						 "wall time limit of %u ms exceeded", r->lim.wall_ms);
			} else if (now >= r->next_tick) {
				tick(r, now);
				/* A sample of thousands of processes costs more: then
				 * sample less often, so that the watchdog takes a
				 * twentieth of a CPU at most while the program runs.
				 * When everything is blocked there is nothing to slow
				 * down, and the deadlock must be reported in time:
				 * then at most half the time goes to sampling. */
				uint64_t cost = hx_now_us() - now;
				uint64_t every = cost * (hx_watchdog_all_blocked(r->wd) ? 2 : 20);

				r->next_tick = now + (every > TICK_US ? every : TICK_US);
			}
		}
		if (r->kill_verdict != HX_VERDICT_OK && !r->exited && !r->end_us)
			r->end_us = now;
		/* Time to tell the init to wind up? */
		if (!r->finish_sent && (r->kill_verdict != HX_VERDICT_OK ||
		    (r->exited && ((r->out_eof && r->err_eof) || now >= r->drain_deadline)))) {
			/* After a limit or a deadlock the init kills what runs. */
			if (r->kill_verdict != HX_VERDICT_OK)
				hx_tracer_teardown(r->tracer);
			if (hx_run_send(r, HX_MSG_FINISH) < 0)
				r->done = true;
			r->finish_sent = true;
			r->finish_deadline = now + FINISH_US;
		}
		if (r->finish_sent && r->done && r->out_eof && r->err_eof)
			break;
		/* The init died before its first process ended: setup failed
		 * (the error pipe says why) or something killed it. */
		if (r->done && !r->exited && !r->finish_sent && r->out_eof && r->err_eof)
			break;
		if (r->finish_sent && now >= r->finish_deadline) {
			hx_run_stop_box(r);
			if (now >= r->finish_deadline + FINISH_US)
				break;	/* output held open by something unkillable */
		}

		uint64_t wake = r->next_tick;

		if (!r->exited && r->wall_deadline < wake)
			wake = r->wall_deadline;
		if (r->exited && !r->finish_sent && r->drain_deadline < wake)
			wake = r->drain_deadline;
		if (r->finish_sent && r->finish_deadline < wake)
			wake = r->finish_deadline;
		if (r->listener >= 0) {
			uint64_t due = hx_tracer_flush_due(r->tracer, r->listener, now);

			if (due && due < wake)
				wake = due;
		}
		/* To the microsecond: jitter delays are often below 1 ms. */
		uint64_t wait_us = wake > now ? wake - now : 0;
		struct timespec timeout = {
			.tv_sec = (time_t)(wait_us / 1000000),
			.tv_nsec = (long)(wait_us % 1000000) * 1000,
		};

		pfd[P_OUT] = (struct pollfd){ .fd = r->out_eof ? -1 : r->out[0], .events = POLLIN };
		pfd[P_ERR] = (struct pollfd){ .fd = r->err_eof ? -1 : r->err[0], .events = POLLIN };
		pfd[P_CTL] = (struct pollfd){ .fd = r->done ? -1 : r->ctl[0], .events = POLLIN };
		pfd[P_NFY] = (struct pollfd){ .fd = nfy_open ? r->nfy[0] : -1, .events = POLLIN };
		pfd[P_CERR] = (struct pollfd){ .fd = cerr_open ? r->cerr[0] : -1, .events = POLLIN };
		pfd[P_LISTEN] = (struct pollfd){ .fd = r->listener, .events = POLLIN };
		pfd[P_EXITS] = (struct pollfd){ .fd = hx_tracer_exits_fd(r->tracer), .events = POLLIN };
		pfd[P_EBPF] = (struct pollfd){ .fd = hx_tracer_ebpf_fd(r->tracer), .events = POLLIN };
		if (ppoll(pfd, P_COUNT, &timeout, NULL) < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (pfd[P_LISTEN].revents & POLLIN) {
			/* Several at once under load: take what is there. */
			for (int i = 0; i < 64; i++) {
				struct pollfd one = { .fd = r->listener, .events = POLLIN };

				if (hx_tracer_handle(r->tracer, r->listener) < 0)
					break;
				if (poll(&one, 1, 0) <= 0 || !(one.revents & POLLIN))
					break;
			}
		} else if (pfd[P_LISTEN].revents & (POLLHUP | POLLERR | POLLNVAL)) {
			/* No filtered task is left. */
			hx_tracer_flush_due(r->tracer, -1, now);
			close(r->listener);
			r->listener = -1;
		}
		if (pfd[P_EXITS].revents)
			hx_tracer_collect_exits(r->tracer);
		/* The eBPF backend wakes us only when its ring fills or a
		 * process ends: take what it holds at every turn. */
		hx_tracer_ebpf_drain(r->tracer);
		if (pfd[P_OUT].revents)
			read_output(r, r->out[0], &r->outbuf, &r->out_eof);
		if (pfd[P_ERR].revents)
			read_output(r, r->err[0], &r->errbuf, &r->err_eof);
		if (pfd[P_NFY].revents) {
			if (receive_listener(r) != 0)
				nfy_open = false;
		}
		if (pfd[P_CERR].revents) {
			ssize_t n = read(r->cerr[0], &r->setup_err, sizeof(r->setup_err));

			if (n == (ssize_t)sizeof(r->setup_err))
				r->have_setup_err = true;
			if (n <= 0 || n == (ssize_t)sizeof(r->setup_err))
				cerr_open = false;
		}
		if (pfd[P_CTL].revents)
			handle_ctl(r);
	}
	return 0;
}

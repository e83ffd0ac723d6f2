/*
 * calls_restart.c - a call the kernel restarts after a signal is not
 * counted twice.
 *
 * A call the kernel restarts after a signal is notified again: the
 * kernel rewinds the instruction pointer to the syscall instruction and
 * puts the call's number back, exactly when a signal interrupted it. With
 * a handler, the handler returns through rt_sigreturn, whose saved context
 * then holds that rewound state (hx_call_sigreturn); the thread's next
 * notification, the same call at the same place with the same arguments,
 * is the restart and is not counted again (hx_call_restarted).
 *
 * The one restart this does not see: a blocking call interrupted by a
 * signal that runs no handler (SIGSTOP then SIGCONT, or a stop by the
 * terminal) is restarted without an rt_sigreturn, and counts twice. No
 * fixture or course program does that; a non-blocking call (a WNOHANG
 * wait) can never be restarted, so it always counts.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <string.h>
#include <sys/syscall.h>

#include "trace.h"

bool hx_call_restarted(struct hx_thread *th, int nr, uint64_t ip, const uint64_t *a)
{
	bool same = th->restart && th->restart_nr == nr && th->restart_ip == ip &&
		    memcmp(th->restart_args, a, sizeof(th->restart_args)) == 0;

	th->restart = false;
	return same;
}

/* The registers of x86-64's struct sigcontext, from r8 to rip: the saved
 * context sits at offset 40 of the ucontext (after uc_flags, uc_link and
 * uc_stack). */
enum { R8, R9, R10, R11, R12, R13, R14, R15, RDI, RSI, RBP, RBX, RDX, RAX, RCX, RSP, RIP, NREGS };
#define UC_MCONTEXT 40

/*
 * A handler returns through rt_sigreturn with the stack pointer at the
 * ucontext the kernel saved when it delivered the signal. When the signal
 * interrupted a call that the kernel restarts (-ERESTARTSYS with
 * SA_RESTART, -ERESTARTNOINTR), that context has rip rewound to the
 * syscall instruction and rax holding the call's number again, while rcx
 * still holds the address after the syscall instruction, as every
 * syscall entry leaves it, and the argument registers hold the call's
 * arguments. The thread's next notification is then that very call. (Code
 * interrupted by chance exactly at a syscall instruction, with rcx still
 * holding that address from an identical call just before, would look
 * the same: its call would go uncounted.)
 */
void hx_call_sigreturn(struct hx_thread *th, pid_t tid)
{
	struct hx_syscall_state sc;
	uint64_t r[NREGS];

	th->restart = false;
	if (hx_read_syscall(tid, tid, &sc) < 0 || sc.nr != SYS_rt_sigreturn || !sc.sp)
		return;
	if (hx_proc_read_mem(tid, sc.sp + UC_MCONTEXT, r, sizeof(r)) != (ssize_t)sizeof(r))
		return;
	if (r[RCX] != r[RIP] + 2 || r[RAX] > INT_MAX)
		return;
	th->restart = true;
	th->restart_nr = (int)r[RAX];
	th->restart_ip = r[RCX];
	th->restart_args[0] = r[RDI];
	th->restart_args[1] = r[RSI];
	th->restart_args[2] = r[RDX];
	th->restart_args[3] = r[R10];
	th->restart_args[4] = r[R8];
	th->restart_args[5] = r[R9];
}

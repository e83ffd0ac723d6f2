/*
 * nouserns.c - run a command where user namespaces are refused, as
 * Docker's default seccomp profile refuses them.
 *
 *   nouserns COMMAND [ARGS...]
 *
 * Loads a seccomp filter (inherited by everything COMMAND starts) that
 * fails clone and unshare with CLONE_NEWUSER with EPERM, and clone3 with
 * ENOSYS (its flags are in memory, so glibc falls back to clone), then
 * execs COMMAND. The rest is allowed. tests/configs/run.sh builds it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	scmp_filter_ctx ctx;
	int rc;

	if (argc < 2) {
		fprintf(stderr, "usage: nouserns COMMAND [ARGS...]\n");
		return 64;
	}
	ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (!ctx) {
		fprintf(stderr, "nouserns: seccomp_init failed\n");
		return 70;
	}
	rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1,
			      SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_NEWUSER, CLONE_NEWUSER));
	if (rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(unshare), 1,
				      SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_NEWUSER, CLONE_NEWUSER));
	if (rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
	if (rc == 0)
		rc = seccomp_load(ctx);
	seccomp_release(ctx);
	if (rc < 0) {
		fprintf(stderr, "nouserns: cannot load the filter: %s\n", strerror(-rc));
		return 70;
	}
	execvp(argv[1], argv + 1);
	fprintf(stderr, "nouserns: cannot run %s: %s\n", argv[1], strerror(errno));
	return 127;
}

/*
 * fds_expect.h - a test's expect.fds: the fds each process may still
 * hold when it exits (the harness's fds_at_exit records).
 */
#ifndef IPCGRADE_FDS_EXPECT_H
#define IPCGRADE_FDS_EXPECT_H

#include <stdbool.h>

#include "harness.h"

struct fds_expect {
	bool open_none;		/* open_at_exit: none (0, 1 and 2 excluded) */
	bool pipes_none;	/* pipes_open_at_exit: none (pipe ends and FIFOs) */
};

/* Whether every process that exited kept to e. On failure *msg is a
 * malloc'd message, one sentence per fd ("pid 3 still had the write end
 * of pipe:[1234] open (fd 4) when it exited"), at most FDS_MSG_MAX of
 * them; NULL on success or when out of memory. Processes killed by a
 * signal have no record and are not judged. */
bool fds_check(const struct fds_expect *e, const struct hx_result *res, char **msg);

#define FDS_MSG_MAX 8

#endif

/*
 * judge_stopped.h - a run the harness stopped (a timeout, a deadlock, a
 * memory or output limit): its verdict as the reason, and the last lines
 * it printed and wrote, kept as tails (its outputs are cut short, so
 * they are not compared).
 */
#ifndef IPCGRADE_JUDGE_STOPPED_H
#define IPCGRADE_JUDGE_STOPPED_H

#include <stdbool.h>

#include "judge.h"
#include "judge_message.h"

/* Whether the harness stopped a run of this verdict. */
bool judge_is_stopped(enum hx_verdict v);
/* The verdict of a run that did not finish, as its reason and line;
 * ipcgrade's own failure when the harness could not run it. */
void judge_stopped(const struct hx_result *res, struct run_outcome *ro, struct judge_message *m);
/* What a stopped run had printed, and written into the files it was to
 * write, as ro->tails (one saying it printed nothing when none). Out of
 * memory loses tails, nothing else. */
void judge_keep_tails(const struct judge_ctx *c, struct run_outcome *ro);

#endif

/*
 * judge_message.h - the message for students that judging one run
 * grows: one line a reason, each at its reason's rank (reason_rank: what
 * pinpoints the mistake first), then the notes that are no reason.
 *
 * Every part of the judge (judge.c, judge_stopped.c, judge_processes.c)
 * adds its lines here; judge.c turns them into the run's message.
 */
#ifndef IPCGRADE_JUDGE_MESSAGE_H
#define IPCGRADE_JUDGE_MESSAGE_H

#include <stdbool.h>
#include <stddef.h>

#include "reasons.h"

/* The rank of a note that is no reason: after every reason. */
#define JUDGE_NOTE_RANK REASON_COUNT

/* The growing message: its lines, each with the rank of its reason.
 * Starts zeroed; judge_message_text hands its text over and frees the
 * lines. */
struct judge_note {
	int rank;
	char *text;
};
struct judge_message {
	struct judge_note *v;
	size_t n;
	bool oom;		/* a line was lost: the run is then an internal error */
};

/* Adds a line at rank; on out of memory sets m->oom instead. */
void judge_note(struct judge_message *m, int rank, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* A reason r of the run ro (a struct run_outcome) and its line of the
 * message m. */
#define judge_because(ro, m, r, ...) do { (ro)->reasons |= REASON_BIT(r); \
		judge_note((m), reason_rank(r), __VA_ARGS__); } while (0)

/* The lines in rank order (ties in the order they came), one a line;
 * the lines are freed and *m is empty after. Owned by the caller; NULL
 * when there are none or out of memory. */
char *judge_message_text(struct judge_message *m);

#endif

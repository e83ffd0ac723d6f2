/*
 * judge_stopped.c - a run the harness stopped: its verdict as the reason,
 * and what it had printed and written as tails (see judge_stopped.h).
 *
 * A tail is the last JUDGE_TAIL_LINES lines of an output, or fewer while
 * they exceed JUDGE_TAIL_BYTES (one longer line: its end), sanitized,
 * each line ending with a newline, under a label that says how much of
 * the output it shows and whether the output was cut at its limit.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "file.h"
#include "judge_stopped.h"
#include "text.h"

bool judge_is_stopped(enum hx_verdict v)
{
	return v == HX_VERDICT_TIMEOUT || v == HX_VERDICT_DEADLOCK || v == HX_VERDICT_MEMORY_LIMIT ||
	       v == HX_VERDICT_OUTPUT_LIMIT;
}

/* The last lines of len bytes of output, at most JUDGE_TAIL_LINES lines
 * and JUDGE_TAIL_BYTES bytes, as a tail labelled "WHAT before the run
 * was stopped (...)"; nothing for empty output. */
static void add_tail(struct run_outcome *ro, const char *what, const char *data, size_t len,
		     bool cut_at_limit)
{
	size_t lines = 0, start = len, shown = 0, i = len;
	const char *cut = cut_at_limit ? ", cut at the output limit" : "";
	char *label = NULL, *text;
	struct run_tail *grown;

	if (len == 0)
		return;
	for (size_t k = 0; k < len; k++)
		lines += data[k] == '\n';
	lines += data[len - 1] != '\n';
	/* Back from the end, a line at a time (the final newline ends the
	 * last line), then fewer lines while they are too long. */
	if (data[i - 1] == '\n')
		i--;
	while (shown < JUDGE_TAIL_LINES) {
		while (i > 0 && data[i - 1] != '\n')
			i--;
		start = i;
		shown++;
		if (i == 0)
			break;
		i--;
	}
	while (len - start > JUDGE_TAIL_BYTES && shown > 1) {
		const char *nl = memchr(data + start, '\n', len - start);

		start = (size_t)(nl - data) + 1;
		shown--;
	}
	bool partial = len - start > JUDGE_TAIL_BYTES;	/* one line longer than that: its end */
	size_t from = partial ? len - JUDGE_TAIL_BYTES : start;
	int rc;

	if (partial)
		rc = asprintf(&label, "%s before the run was stopped (the last %d bytes of %zu line%s%s)",
			      what, JUDGE_TAIL_BYTES, lines, lines == 1 ? "" : "s", cut);
	else if (shown == lines)
		rc = asprintf(&label, "%s before the run was stopped (%zu line%s%s)", what, lines,
			      lines == 1 ? "" : "s", cut);
	else
		rc = asprintf(&label, "%s before the run was stopped (the last %zu of %zu lines%s)", what,
			      shown, lines, cut);
	if (rc < 0)
		label = NULL;
	text = text_sanitize(data + from, len - from);
	grown = text && label ? realloc(ro->tails, (ro->ntails + 1) * sizeof(*grown)) : NULL;
	if (!grown) {
		free(text);
		free(label);
		return;
	}
	ro->tails = grown;
	/* Each line ends with a newline, the last one too. */
	size_t tl = strlen(text);
	char *nl = tl && text[tl - 1] != '\n' ? realloc(text, tl + 2) : NULL;

	if (nl) {
		text = nl;
		text[tl] = '\n';
		text[tl + 1] = '\0';
	}
	ro->tails[ro->ntails++] = (struct run_tail){ .label = label, .text = text };
}

void judge_keep_tails(const struct judge_ctx *c, struct run_outcome *ro)
{
	const struct hx_result *res = &ro->res;
	const struct expect *e = &c->test->expect;

	add_tail(ro, "stdout", res->out.data, res->out.len, res->out.truncated);
	add_tail(ro, "stderr", res->err.data, res->err.len, res->err.truncated);
	for (size_t i = 0; i < e->nfiles && c->rundir; i++) {
		char *data = NULL, what[300];
		size_t len = 0;
		const char *why;

		if (file_read_beneath(c->rundir, e->files[i].name, JUDGE_FILE_MAX, &data, &len, &why) < 0)
			continue;
		snprintf(what, sizeof(what), "the file %s", e->files[i].name);
		add_tail(ro, what, data, len, false);
		free(data);
	}
	if (ro->ntails == 0) {
		struct run_tail *t = calloc(1, sizeof(*t));

		if (t) {
			t->label = strdup("the program printed nothing before the run was stopped");
			t->text = strdup("");
			ro->tails = t;
			ro->ntails = 1;
		}
	}
}

void judge_stopped(const struct hx_result *res, struct run_outcome *ro, struct judge_message *m)
{
	enum reason r = reason_of_verdict(res->verdict);

	switch (res->verdict) {
	case HX_VERDICT_TIMEOUT:
		judge_because(ro, m, r, "the program did not finish in time: %s", res->verdict_detail);
		break;
	case HX_VERDICT_DEADLOCK:
		judge_because(ro, m, r, "%s", res->deadlock && res->deadlock->explanation
			? res->deadlock->explanation : "the processes deadlocked");
		break;
	case HX_VERDICT_MEMORY_LIMIT:
		judge_because(ro, m, r, "the program used too much memory: %s", res->verdict_detail);
		break;
	case HX_VERDICT_OUTPUT_LIMIT:
		judge_because(ro, m, r, "the program printed too much: %s", res->verdict_detail);
		break;
	default:
		judge_because(ro, m, r, "ipcgrade could not run the test: %s", res->error);
		break;
	}
}

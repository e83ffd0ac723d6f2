/*
 * judge_message.c - the message for students, one line a reason in rank
 * order (see judge_message.h).
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "judge_message.h"

void judge_note(struct judge_message *m, int rank, const char *fmt, ...)
{
	va_list ap;
	char *text = NULL;
	struct judge_note *grown = realloc(m->v, (m->n + 1) * sizeof(*grown));

	va_start(ap, fmt);
	if (!grown || vasprintf(&text, fmt, ap) < 0) {
		m->oom = true;
		text = NULL;
	}
	va_end(ap);
	if (grown)
		m->v = grown;
	if (!text)
		return;
	m->v[m->n++] = (struct judge_note){ .rank = rank, .text = text };
}

char *judge_message_text(struct judge_message *m)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = m->n && !m->oom ? open_memstream(&buf, &len) : NULL;
	bool first = true;

	for (int rank = 0; f && rank <= JUDGE_NOTE_RANK; rank++)
		for (size_t i = 0; i < m->n; i++) {
			if (m->v[i].rank != rank)
				continue;
			fprintf(f, "%s%s", first ? "" : "\n", m->v[i].text);
			first = false;
		}
	if (f)
		fclose(f);
	for (size_t i = 0; i < m->n; i++)
		free(m->v[i].text);
	free(m->v);
	m->v = NULL;
	m->n = 0;
	return buf;
}

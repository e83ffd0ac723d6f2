/*
 * html.h - the class report's building blocks: escaping and report.json
 * fields (report_html.c, report_html_run.c).
 */
#ifndef IPCGRADE_HTML_H
#define IPCGRADE_HTML_H

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>

/* len bytes of any content (s may be NULL) as HTML text, safe in element
 * text and double-quoted attribute values: made valid UTF-8, & < > " '
 * as entities, C0 controls but tab and line breaks as "\xNN". */
void html_escape_n(FILE *f, const char *s, size_t len);
/* The same for a string (NULL: nothing). */
void html_escape(FILE *f, const char *s);
/* The string at key of o, "" when there is none (never NULL). */
const char *html_field_str(json_t *o, const char *key);
/* The number at key of o, 0 when there is none. */
double html_field_num(json_t *o, const char *key);

#endif

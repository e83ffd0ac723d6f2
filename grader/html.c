/*
 * html.c - the class report's building blocks (see html.h): escaping
 * every string that may be a student's, and reading report.json fields.
 */
#define _GNU_SOURCE
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "html.h"
#include "text.h"

void html_escape_n(FILE *f, const char *s, size_t len)
{
	char *clean = text_sanitize(s ? s : "", s ? len : 0);

	for (const unsigned char *p = (const unsigned char *)(clean ? clean : ""); *p; p++) {
		switch (*p) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default:
			if ((*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r') || *p == 0x7f)
				fprintf(f, "\\x%02x", *p);
			else
				fputc(*p, f);
		}
	}
	free(clean);
}

void html_escape(FILE *f, const char *s)
{
	html_escape_n(f, s, s ? strlen(s) : 0);
}

const char *html_field_str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

double html_field_num(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_number(v) ? json_number_value(v) : 0.0;
}

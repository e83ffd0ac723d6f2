/*
 * report_junit.c - junit.xml for CI: one testsuite, one testcase a test;
 * a failing test is a <failure> (an <error> when ipcgrade itself
 * failed), its message the reasons, its text what the student reads.
 */
#define _GNU_SOURCE
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reasons.h"
#include "report.h"
#include "text.h"

/* Text safe for XML 1.0: escapes, and no characters XML forbids. */
static void xml_text(FILE *f, const char *s)
{
	char *clean = text_sanitize(s ? s : "", s ? strlen(s) : 0);

	for (const unsigned char *p = (const unsigned char *)(clean ? clean : ""); *p; p++) {
		switch (*p) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&apos;", f); break;
		default:
			if (*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r')
				fprintf(f, "\\x%02x", *p);	/* forbidden in XML 1.0 */
			else if (p[0] == 0xef && p[1] == 0xbf && (p[2] == 0xbe || p[2] == 0xbf)) {
				fputs("\xef\xbf\xbd", f);	/* U+FFFE/FFFF are not characters */
				p += 2;
			} else
				fputc(*p, f);
		}
	}
	free(clean);
}

char *report_junit(const struct grade_report *r)
{
	char *buf = NULL;
	size_t len = 0, failures = 0, errors = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	for (size_t i = 0; i < r->ntests; i++) {
		if (r->tests[i].passed)
			continue;
		if (r->tests[i].reasons & REASON_BIT(REASON_INTERNAL))
			errors++;
		else
			failures++;
	}
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	fprintf(f, "<testsuites name=\"ipcgrade\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" time=\"%.3f\">\n",
		r->ntests, failures, errors, (double)r->ms / 1000.0);
	fprintf(f, "  <testsuite name=\"");
	xml_text(f, r->spec->assignment);
	fprintf(f, "\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"0\" time=\"%.3f\" "
		"timestamp=\"%.19s\" hostname=\"ipcgrade\">\n", r->ntests, failures, errors,
		(double)r->ms / 1000.0, r->started);
	fprintf(f, "    <properties>\n");
	fprintf(f, "      <property name=\"student\" value=\"");
	xml_text(f, r->student);
	fprintf(f, "\"/>\n      <property name=\"score\" value=\"%.4g\"/>\n", r->score);
	fprintf(f, "      <property name=\"max_score\" value=\"%.4g\"/>\n", r->max_score);
	fprintf(f, "      <property name=\"isolation\" value=\"%s\"/>\n", hx_isolation_name(r->isolation));
	fprintf(f, "      <property name=\"ipcgrade_version\" value=\"%s\"/>\n", hx_version());
	fprintf(f, "      <property name=\"spec_sha256\" value=\"%s\"/>\n", r->spec->sha256);
	fprintf(f, "    </properties>\n");
	for (size_t i = 0; i < r->ntests; i++) {
		const struct test_outcome *to = &r->tests[i];
		double secs = 0;

		for (size_t k = 0; k < to->nruns; k++)
			secs += (double)to->runs[k].res.wall_ms / 1000.0;
		fprintf(f, "    <testcase name=\"");
		xml_text(f, to->test->name);
		fprintf(f, "\" classname=\"");
		xml_text(f, r->spec->assignment);
		fprintf(f, ".");
		xml_text(f, r->student);
		fprintf(f, "\" time=\"%.3f\"", secs);
		if (to->passed) {
			fprintf(f, "/>\n");
			continue;
		}
		bool internal = to->reasons & REASON_BIT(REASON_INTERNAL);
		char *text = report_test_text(r, to, to->test->visibility == VIS_VISIBLE);
		char kinds[200] = "";
		FILE *k = fmemopen(kinds, sizeof(kinds) - 1, "w");

		if (k) {
			reason_print(k, to->reasons, "", ", ");
			fclose(k);
		}
		fprintf(f, ">\n      <%s type=\"%s\" message=\"", internal ? "error" : "failure",
			kinds[0] ? kinds : "failed");
		xml_text(f, to->skipped ? "the program did not build" : kinds);
		fprintf(f, "\">");
		xml_text(f, text);
		fprintf(f, "</%s>\n    </testcase>\n", internal ? "error" : "failure");
		free(text);
	}
	fprintf(f, "  </testsuite>\n</testsuites>\n");
	fclose(f);
	return buf;
}

/*
 * report_html_sim.c - the class report's similarity section (see
 * report_html_sim.h): the pairs sim_c found, side by side, the matching
 * regions marked. Every string goes through html_escape().
 */
#define _GNU_SOURCE
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "file.h"
#include "html.h"
#include "report_html_sim.h"
#include "similarity.h"
#include "str.h"

/* A submission's bundled sources (similarity.c), lines between from and
 * to (1-based) marked with class cls. */
static void source_side(FILE *f, const char *outdir, const char *id, json_t *pair, const char *side)
{
	char *path = str_printf("%s/%s/%s", outdir, id, SIMILARITY_SOURCES);
	char *text = NULL;

	if (path && file_read_all(path, 512 * 1024, &text, NULL) < 0)
		text = NULL;
	json_t *regions = json_object_get(pair, "regions"), *reg;
	char from_key[8], to_key[8];
	int line = 1;
	size_t k;

	snprintf(from_key, sizeof(from_key), "%s_from", side);
	snprintf(to_key, sizeof(to_key), "%s_to", side);
	fprintf(f, "<div><b>");
	html_escape(f, id);
	fprintf(f, "</b><pre class=\"src\">");
	for (const char *p = text ? text : ""; *p; line++) {
		size_t len = strcspn(p, "\n");
		int mark = 0;

		json_array_foreach(regions, k, reg) {
			if (line >= html_field_num(reg, from_key) && line <= html_field_num(reg, to_key))
				mark = 1 + (int)(k % 2);
		}
		fprintf(f, "%4d ", line);
		if (mark)
			fprintf(f, "<mark class=\"m%d\">", mark);
		html_escape_n(f, p, len);
		if (mark)
			fprintf(f, "</mark>");
		fputc('\n', f);
		p += len;
		if (*p)
			p++;
	}
	if (!text)
		fprintf(f, "(the sources are not in this folder)");
	fprintf(f, "</pre></div>");
	free(text);
	free(path);
}

/* Bounds for a class where many copied: the page stays a page. */
#define MAX_PAIRS_LISTED 300
#define MAX_PAIRS_SHOWN 40

void report_html_similarity(FILE *f, const char *outdir, json_t *sim)
{
	json_t *pairs = json_object_get(sim, "pairs"), *p;
	size_t k;

	fprintf(f, "<h2 id=\"similarity\">Similarity</h2>\n");
	if (!sim) {
		fprintf(f, "<p class=\"muted\">Not computed for this folder (see similarity.csv, or `grade` "
			"without --no-similarity).</p>\n");
		return;
	}
	if (json_is_string(json_object_get(sim, "error"))) {
		fprintf(f, "<p class=\"warn\">");
		html_escape(f, html_field_str(sim, "error"));
		fprintf(f, "</p>\n");
		return;
	}
	fprintf(f, "<p class=\"muted\">");
	html_escape(f, html_field_str(sim, "tool"));
	fprintf(f, " over %lld submissions, starter code %s; pairs at or above %.0f%% of the smaller "
		"submission's own tokens (%lld-token runs at least).</p>\n",
		(long long)json_integer_value(json_object_get(sim, "submissions")),
		json_is_true(json_object_get(sim, "starter_excluded")) ? "excluded" : "not excluded (none found)",
		html_field_num(sim, "threshold"), (long long)json_integer_value(json_object_get(sim, "min_run")));
	if (!json_array_size(pairs)) {
		fprintf(f, "<p id=\"no-similar\">No pair above the threshold.</p>\n");
		return;
	}
	fprintf(f, "<table id=\"similar-pairs\"><thead><tr><th>students</th><th>similarity</th>"
		"<th>shared tokens</th></tr></thead><tbody>\n");
	json_array_foreach(pairs, k, p) {
		if (k >= MAX_PAIRS_LISTED)
			break;
		if (k < MAX_PAIRS_SHOWN)
			fprintf(f, "<tr class=\"sim-pair\"><td><a href=\"#pair-%zu\">", k + 1);
		else
			fprintf(f, "<tr class=\"sim-pair\"><td><a>");
		html_escape(f, html_field_str(p, "a"));
		fprintf(f, " &amp; ");
		html_escape(f, html_field_str(p, "b"));
		fprintf(f, "</a></td><td class=\"n\">%.0f%%</td><td class=\"n\">%lld</td></tr>\n", html_field_num(p, "percent"),
			(long long)json_integer_value(json_object_get(p, "tokens")));
	}
	fprintf(f, "</tbody></table>\n");
	if (json_array_size(pairs) > MAX_PAIRS_LISTED)
		fprintf(f, "<p class=\"muted\">%zu more pairs are in similarity.csv.</p>\n",
			json_array_size(pairs) - MAX_PAIRS_LISTED);
	json_array_foreach(pairs, k, p) {
		if (k >= MAX_PAIRS_SHOWN) {
			fprintf(f, "<p class=\"muted\">The %d most similar pairs are shown side by side.</p>\n",
				MAX_PAIRS_SHOWN);
			break;
		}
		fprintf(f, "<details class=\"pair\" id=\"pair-%zu\"><summary>", k + 1);
		html_escape(f, html_field_str(p, "a"));
		fprintf(f, " &amp; ");
		html_escape(f, html_field_str(p, "b"));
		fprintf(f, ": %.0f%%, %zu matching regions</summary><div class=\"side\">", html_field_num(p, "percent"),
			json_array_size(json_object_get(p, "regions")));
		source_side(f, outdir, html_field_str(p, "a"), p, "a");
		source_side(f, outdir, html_field_str(p, "b"), p, "b");
		fprintf(f, "</div></details>\n");
	}
}

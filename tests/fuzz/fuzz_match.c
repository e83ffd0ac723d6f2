/*
 * fuzz_match.c - libFuzzer target: the output matchers and the diff on
 * arbitrary output and patterns. The input is split at the first NUL
 * into a pattern/expected text and the program's output.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "grader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *sep = memchr(data, '\0', size);
	size_t plen = sep ? (size_t)(sep - (const char *)data) : size;
	char *pattern = strndup((const char *)data, plen);
	const char *out = sep ? sep + 1 : "";
	size_t olen = sep ? size - plen - 1 : 0;
	struct matcher m = { .present = true };
	struct mismatch why;
	char err[256];

	if (!pattern)
		return 0;
	m.exact = strdup(pattern);
	m.normalized = strdup(pattern);
	m.unordered = strdup(pattern);
	m.regex = strdup(pattern);
	m.contains = calloc(2, sizeof(char *));
	m.contains[0] = strdup(pattern);
	m.ncontains = 1;
	m.order = calloc(1, sizeof(*m.order));
	m.order[0].before = strdup(pattern);
	m.order[0].after = strdup("x");
	m.norder = 1;
	if (match_compile(&m, err, sizeof(err)) == 0) {
		match_output(&m, out, olen, &why);
		match_mismatch_release(&why);
	}
	free(diff_unified(pattern, plen, out, olen, 40));
	free(text_sanitize(out, olen));
	free(text_normalize(out, olen));
	match_release(&m);
	free(pattern);
	return 0;
}

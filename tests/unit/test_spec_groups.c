/*
 * test_spec_groups.c - assignments/SPEC.md's table of IPC groups says
 * what the tracer counts: one row per group of hx_group_calls, and each
 * row's calls column lists exactly that group's calls, in its order.
 */
#include "testutil.h"
#include "harness.h"

#define MAX_ROWS 32

struct row {
	char group[32];
	char calls[512];	/* the backquoted names of the calls column, space-separated */
};

/* The rows of the table headed "| group | calls". */
static int read_table(struct row *rows)
{
	FILE *f = fopen("assignments/SPEC.md", "r");
	char line[2048];
	bool in = false;
	int n = 0;

	assert_non_null(f);
	while (fgets(line, sizeof(line), f) && n < MAX_ROWS) {
		if (strncmp(line, "| group | calls", 15) == 0) {
			in = true;
			continue;
		}
		if (!in || strncmp(line, "|---", 4) == 0)
			continue;
		if (line[0] != '|')
			break;
		/* | `g` | `a`, `b` | notes | */
		char *c1 = strchr(line + 1, '|'), *c2 = c1 ? strchr(c1 + 1, '|') : NULL;

		assert_non_null(c2);
		*c1 = *c2 = '\0';
		struct row *r = &rows[n++];
		char *g = strchr(line, '`');

		assert_non_null(g);
		snprintf(r->group, sizeof(r->group), "%.*s", (int)strcspn(g + 1, "`"), g + 1);
		r->calls[0] = '\0';
		for (char *p = strchr(c1 + 1, '`'); p; p = strchr(p + 1, '`')) {
			size_t len = strcspn(p + 1, "`"), used = strlen(r->calls);

			snprintf(r->calls + used, sizeof(r->calls) - used, "%s%.*s", used ? " " : "", (int)len, p + 1);
			p += len + 1;
		}
	}
	fclose(f);
	return n;
}

static void test_spec_groups_table_matches_the_tracer(void **state)
{
	struct row rows[MAX_ROWS];
	int n = read_table(rows);

	(void)state;
	assert_int_equal(n, HX_GROUP_COUNT);
	for (int g = 0; g < HX_GROUP_COUNT; g++) {
		const char *name = hx_group_name((enum hx_group)g);
		char want[512] = "";
		int i;

		for (const char *const *c = hx_group_calls((enum hx_group)g); c && *c; c++) {
			size_t used = strlen(want);

			snprintf(want + used, sizeof(want) - used, "%s%s", used ? " " : "", *c);
		}
		for (i = 0; i < n && strcmp(rows[i].group, name) != 0; i++)
			;
		if (i == n)
			fail_msg("SPEC.md's table has no row for the group '%s'", name);
		if (strcmp(rows[i].calls, want) != 0)
			fail_msg("SPEC.md says '%s' counts '%s'; the tracer counts '%s'", name, rows[i].calls, want);
	}
}

/* The hot groups are the ones SPEC.md says need hot tracing. */
static void test_spec_groups_hot_groups(void **state)
{
	(void)state;
	for (int g = 0; g < HX_GROUP_COUNT; g++) {
		const char *name = hx_group_name((enum hx_group)g);
		bool hot = strcmp(name, "futex") == 0 || strcmp(name, "io") == 0 || strcmp(name, "hot") == 0;

		assert_int_equal(hx_group_is_hot((enum hx_group)g), hot);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spec_groups_table_matches_the_tracer),
		cmocka_unit_test(test_spec_groups_hot_groups),
	};

	return cmocka_run_group_tests_name("spec groups", tests, NULL, NULL);
}

/*
 * test_feedback.c - what students and instructors read when a run
 * fails: every reason, the output before a stop, objects left by a
 * stopped run, a replay command that replays, unsigned seeds, a check
 * that streams, hints by reason, and the small things (did-you-mean,
 * friendly errors, no_submission rows, identifiers kept whole).
 */
#include "testutil.h"
#include <inttypes.h>

/* A string to compare: "(null)" for none (cmocka would crash on NULL). */
#define S(x) ((x) ? (x) : "(null)")

static struct proc_out cli_in(const char *dir, const char *const *args, int outer_ms)
{
	const char *argv[40];
	int n = 0;

	argv[n++] = "/bin/sh";
	argv[n++] = "-c";
	argv[n++] = "cd \"$0\" && exec \"$@\"";
	argv[n++] = dir;
	argv[n++] = tu_ipcgrade();
	for (int i = 0; args[i] && n < 39; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	return tu_run(argv, NULL, outer_ms);
}

static struct proc_out cli(const char *const *args)
{
	return cli_in(".", args, 120000);
}

static char *temp_dir(void)
{
	char *d = strdup("/tmp/ipcgrade-feedback-XXXXXX");

	assert_non_null(mkdtemp(d));
	return d;
}

static void remove_dir(const char *dir)
{
	tu_sh("rm -rf '%s'", dir);
}

/* dir/NAME/spec.yaml holding text (a spec lies in the folder of its
 * assignment's name); its path in path. */
static void write_spec(const char *dir, const char *name, const char *text, char *path, size_t size)
{
	char folder[600];

	snprintf(folder, sizeof(folder), "%s/%s", dir, name);
	assert_int_equal(mkdir(folder, 0755), 0);
	tu_write_file(folder, "spec.yaml", text);
	snprintf(path, size, "%s/spec.yaml", folder);
}

static json_t *parse(const struct proc_out *r)
{
	json_error_t e;
	json_t *j = json_loads(r->out, 0, &e);

	if (!j)
		fprintf(stderr, "invalid JSON (%s): %.2000s\nstderr: %.2000s\n", e.text, r->out, r->err);
	assert_non_null(j);
	return j;
}

/* ---- seeds --------------------------------------------------------------- */

/* Seeds are unsigned 64-bit: JSON writes them as strings of digits (no
 * JSON reader of ours or of the usual tools holds every one as a number),
 * `run --seed` takes the whole range, the text says the same digits. */
static void test_feedback_seeds_are_unsigned_everywhere(void **state)
{
	(void)state;
	char *ok = tu_fixture("basic/ok");
	json_t *j = tu_run_json((const char *[]){ "--jitter", "50", "--seed", "18446744073709551615", NULL },
				ok, NULL, NULL);

	assert_string_equal(S(tu_str(j, "seed")), "18446744073709551615");
	json_decref(j);
	struct proc_out r = cli((const char *[]){ "run", "--jitter", "50", "--seed", "18446744073709551615",
						   "--", ok, NULL });

	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "seed 18446744073709551615"));
	tu_free(&r);
	/* A fresh seed replays: the JSON's digits go back into --seed. */
	j = tu_run_json((const char *[]){ "--jitter", "50", NULL }, ok, NULL, NULL);
	const char *fresh = tu_str(j, "seed");

	assert_non_null(fresh);
	assert_true(strspn(fresh, "0123456789") == strlen(fresh) && fresh[0] != '0');
	json_t *again = tu_run_json((const char *[]){ "--jitter", "50", "--seed", fresh, NULL }, ok, NULL, NULL);

	assert_string_equal(S(tu_str(again, "seed")), fresh);
	json_decref(again);
	json_decref(j);
	/* Without jitter there is no seed to speak of. */
	j = tu_run_json(NULL, ok, NULL, NULL);
	assert_true(json_is_null(json_object_get(j, "seed")));
	json_decref(j);
	free(ok);
}

/* A spec's seed S gives run N the seed S+N, never 0 (which means "a
 * fresh one"): past the largest seed it goes on at 1. */
static void test_feedback_spec_seed_wraps_past_zero(void **state)
{
	(void)state;
	char *dir = temp_dir();
	char path[600];

	write_spec(dir, "seeds",
		   "assignment: seeds\ntitle: Seeds\nbuild: {sources: [\"*.c\"]}\ntests:\n"
		   "  - name: twice\n    points: 1\n    runs: 2\n"
		   "    jitter: {max_us: 10, seed: 18446744073709551615}\n"
		   "    expect: {exit: 0, stdout: \"\"}\n", path, sizeof(path));
	tu_write_file(dir, "main.c", "int main(void) { return 0; }\n");
	struct proc_out r = cli((const char *[]){ "check", "--spec", path, "--json", dir, NULL });

	assert_int_equal(r.status, 0);
	json_t *j = parse(&r);
	json_t *runs = json_object_get(json_array_get(json_object_get(j, "tests"), 0), "runs");

	assert_int_equal(json_array_size(runs), 2);
	assert_string_equal(S(tu_str(json_array_get(runs, 0), "seed")), "18446744073709551615");
	assert_string_equal(S(tu_str(json_array_get(runs, 1), "seed")), "1");
	json_decref(j);
	tu_free(&r);
	remove_dir(dir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_feedback_seeds_are_unsigned_everywhere),
		cmocka_unit_test(test_feedback_spec_seed_wraps_past_zero),
	};

	return cmocka_run_group_tests_name("feedback", tests, NULL, NULL);
}

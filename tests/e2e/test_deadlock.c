/*
 * test_deadlock.c - deadlock detection and explanation against fixtures.
 *
 * Each tests/fixtures/deadlock/NAME.c says in its header
 * (tests/fixture_header.h reads it):
 *   expect: deadlock | ok | timeout
 *   explain: a, b          substrings the explanation must contain
 *   not-explain: c, d      substrings it must not contain
 *   blocked: 1=read 2=...  what each box pid is blocked in
 *   cycle: yes | no
 * Deadlocks must be called early (long before the wall limit); the others
 * must never be called one: they run several times here, and 100 times in
 * `make soak`. No explanation says one sentence twice: processes blocked
 * on one object are described together.
 */
#include "testutil.h"
#include <dirent.h>
#include <strings.h>

struct fixture {
	char name[64];
	char expect[32];
	char explain[512];
	char not_explain[256];
	char blocked[256];
	bool cycle;
};

static int load(struct fixture *fx, int max)
{
	DIR *d = opendir("tests/fixtures/deadlock");
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) && n < max) {
		size_t l = strlen(e->d_name);
		char path[300];
		struct fixture_header h;

		if (l < 3 || strcmp(e->d_name + l - 2, ".c") != 0)
			continue;
		snprintf(path, sizeof(path), "tests/fixtures/deadlock/%s", e->d_name);
		tu_fixture_header(path, &h);
		struct fixture *x = &fx[n];

		memset(x, 0, sizeof(*x));
		snprintf(x->name, sizeof(x->name), "%.*s", (int)(l - 2), e->d_name);
		if (!fh_copy(&h, "expect", x->expect, sizeof(x->expect)))
			continue;
		fh_copy(&h, "explain", x->explain, sizeof(x->explain));
		fh_copy(&h, "not-explain", x->not_explain, sizeof(x->not_explain));
		fh_copy(&h, "blocked", x->blocked, sizeof(x->blocked));
		x->cycle = fh_get(&h, "cycle") && strcmp(fh_get(&h, "cycle"), "yes") == 0;
		n++;
	}
	closedir(d);
	return n;
}

/* The harness names waits as students know them. */
static const char *call_alias(const char *syscall)
{
	if (strcmp(syscall, "openat") == 0) return "open";
	if (strcmp(syscall, "mq_timedreceive") == 0) return "mq_receive";
	if (strcmp(syscall, "mq_timedsend") == 0) return "mq_send";
	if (strcmp(syscall, "semtimedop") == 0) return "semop";
	return syscall;
}

/* Each of the comma-separated words (case-insensitive) is in expl, or
 * (present false) is not; returns how many are wrong. */
static int words_in(const char *name, const char *mode, const char *list, const char *expl,
		    bool present)
{
	char words[512], *save = NULL;
	int bad = 0;

	snprintf(words, sizeof(words), "%s", list);
	for (char *w = strtok_r(words, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		while (*w == ' ')
			w++;
		if (*w && !strcasestr(expl, w) == present) {
			fprintf(stderr, "%s (%s): the explanation %s '%s': %s\n", name, mode,
				present ? "lacks" : "must not say", w, expl);
			bad++;
		}
	}
	return bad;
}

/* The sentences of an explanation (split at ". ") are all different. */
static int no_repeated_sentence(const char *name, const char *mode, const char *expl)
{
	char *copy = strdup(expl), *sentences[256];
	int n = 0, bad = 0;

	assert_non_null(copy);
	for (char *p = copy; p && *p && n < 256;) {
		char *end = strstr(p, ". ");

		sentences[n++] = p;
		if (end)
			*end = '\0';
		p = end ? end + 2 : NULL;
	}
	for (int i = 0; i < n; i++)
		for (int k = 0; k < i; k++)
			if (strcmp(sentences[i], sentences[k]) == 0) {
				fprintf(stderr, "%s (%s): the explanation repeats '%s.': %s\n", name, mode,
					sentences[i], expl);
				bad++;
			}
	free(copy);
	return bad;
}

static int check(const struct fixture *x, const char *mode)
{
	char path[128];
	int bad = 0;

	snprintf(path, sizeof(path), "tests/fixtures/deadlock/%s.c", x->name);
	if (strcmp(mode, "reduced") == 0 && *tu_reduced_mqueue_missing() && tu_file_has(path, "mq_open")) {
		fprintf(stderr, "SKIPPED %s (reduced): mq_open is refused in reduced isolation here: %s\n", x->name,
			tu_reduced_mqueue_missing());
		return 0;
	}
	snprintf(path, sizeof(path), "deadlock/%s", x->name);
	char *prog = tu_fixture(path);
	/* A deadlock must be called long before this wall limit. */
	json_t *j = tu_run_json((const char *[]){ "--isolation", mode, "--timeout", "2500", NULL },
				prog, NULL, NULL);
	const char *verdict = tu_str(j, "verdict");
	json_t *dl = json_object_get(j, "deadlock");

	free(prog);
	if (strcmp(verdict, x->expect) != 0) {
		fprintf(stderr, "%s (%s): verdict %s (%s), expected %s\n", x->name, mode, verdict,
			tu_str(j, "verdict_detail"), x->expect);
		bad++;
	}
	if (strcmp(x->expect, "deadlock") != 0) {
		if (!json_is_null(dl)) {
			fprintf(stderr, "%s (%s): a deadlock was reported\n", x->name, mode);
			bad++;
		}
		json_decref(j);
		return bad;
	}
	if (!json_is_object(dl)) {
		json_decref(j);
		return bad + 1;
	}
	if (tu_int(j, "wall_ms") > 2500) {
		fprintf(stderr, "%s (%s): the deadlock came late: %lld ms\n", x->name, mode, tu_int(j, "wall_ms"));
		bad++;
	}
	const char *expl = tu_str(dl, "explanation");
	char *save = NULL;

	bad += words_in(x->name, mode, x->explain, expl, true);
	bad += words_in(x->name, mode, x->not_explain, expl, false);
	bad += no_repeated_sentence(x->name, mode, expl);
	/* blocked: 1=read 2=wait4 */
	char spec[256];

	snprintf(spec, sizeof(spec), "%s", x->blocked);
	for (char *w = strtok_r(spec, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		int pid = atoi(w);
		const char *call = strchr(w, '=');
		bool found = false;
		json_t *procs = json_object_get(dl, "processes");

		if (!call)
			continue;
		call = call_alias(call + 1);
		for (size_t i = 0; i < json_array_size(procs); i++) {
			json_t *p = json_array_get(procs, i);

			if (tu_int(p, "pid") == pid) {
				found = strcmp(tu_str(p, "blocked_in"), call) == 0;
				if (!found)
					fprintf(stderr, "%s (%s): pid %d blocked in %s, expected %s\n", x->name,
						mode, pid, tu_str(p, "blocked_in"), call);
			}
		}
		if (!found)
			bad++;
	}
	bool has_cycle = json_is_array(json_object_get(dl, "cycle"));

	if (has_cycle != x->cycle) {
		fprintf(stderr, "%s (%s): cycle %s, expected %s\n", x->name, mode, has_cycle ? "yes" : "no",
			x->cycle ? "yes" : "no");
		bad++;
	}
	json_decref(j);
	return bad;
}

static void run_all(const char *mode, int repeat_ok)
{
	static struct fixture fx[64];
	int n = load(fx, 64), bad = 0, deadlocks = 0;

	assert_true(n >= 15);
	for (int i = 0; i < n; i++) {
		bool dl = strcmp(fx[i].expect, "deadlock") == 0;

		deadlocks += dl;
		/* Not-deadlocks run several times: a false call must not hide
		 * behind luck. */
		for (int r = 0; r < (dl ? 1 : repeat_ok); r++)
			if (check(&fx[i], mode)) {
				bad++;
				break;
			}
	}
	assert_true(deadlocks >= 8);
	assert_int_equal(bad, 0);
}

static void test_deadlock_fixtures_full(void **state)
{
	(void)state;
	if (*tu_full_isolation_missing())
		TU_SKIP("full isolation is not available here: %s", tu_full_isolation_missing());
	run_all("full", atoi(tu_env("DEADLOCK_REPEAT", "2")));
}

static void test_deadlock_fixtures_reduced(void **state)
{
	(void)state;
	run_all("reduced", 1);
}

/* The explanation of children blocked on one semaphore: the same few
 * sentences for 2 children as for 6 (it was one sentence per child:
 * 569 and 1,265 characters), each child named once. */
static void test_deadlock_grouped_explanation_does_not_grow(void **state)
{
	(void)state;
	char *prog = tu_fixture("deadlock/sem_never_posted");
	size_t len[2];
	const char *const counts[2] = { "2", "6" };

	for (int k = 0; k < 2; k++) {
		json_t *j = tu_run_json((const char *[]){ "--timeout", "4000", NULL }, prog,
					(const char *[]){ counts[k], NULL }, NULL);
		json_t *dl = json_object_get(j, "deadlock");
		const char *expl = json_is_object(dl) ? tu_str(dl, "explanation") : NULL;

		assert_string_equal(tu_str(j, "verdict"), "deadlock");
		assert_non_null(expl);
		len[k] = strlen(expl);
		fprintf(stderr, "%s children: %zu characters: %s\n", counts[k], len[k], expl);
		assert_non_null(strstr(expl, k == 0 ? "pids 2 and 3 both wait" : "pids 2-7 all wait"));
		assert_null(strstr(expl, "pid 4 "));	/* in the range only */
		assert_int_equal(no_repeated_sentence("sem_never_posted", counts[k], expl), 0);
		json_decref(j);
	}
	/* "pids 2 and 3 both" -> "pids 2-7 all", in two places. */
	assert_true(len[1] <= len[0] + 8);
	free(prog);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_deadlock_fixtures_full),
		cmocka_unit_test(test_deadlock_fixtures_reduced),
		cmocka_unit_test(test_deadlock_grouped_explanation_does_not_grow),
	};

	return cmocka_run_group_tests_name("deadlock", tests, NULL, NULL);
}

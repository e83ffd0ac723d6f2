/*
 * test_report_html.c - OUTDIR/index.html, the class report: grade the
 * demo class (tests/demo-class.sh) plus students whose ids, outputs and
 * file names are hostile HTML, then check the page as written (one
 * script, every hostile string escaped, valid UTF-8, no NUL) and as a
 * real browser renders it: headless Chromium's DOM after the page's
 * script ran (every student, ten histogram bars, a timeline with one
 * lane per process, no payload ran, no script error logged), the same
 * page without JavaScript, and a screenshot kept under ARTIFACTS (build/).
 * Without chromium the browser half prints SKIPPED and why.
 */
#include "testutil.h"
#include <dirent.h>
#include <sys/stat.h>

static char *root;
static char src[4096];
static char *page;		/* index.html */
static size_t page_len;
static int nstudents;

#define HOSTILE_ID "<img src=x onerror=\"document.body.setAttribute('data-pwned','1')\">"
#define HOSTILE_ID2 "\"><svg onload=alert(5)>"
#define HOSTILE_FILE "<b onmouseover=alert(4)>.h"

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = calloc(1, 16 << 20);

	assert_non_null(f);
	*len = fread(buf, 1, (16 << 20) - 1, f);
	fclose(f);
	return buf;
}

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void copy(const char *from, const char *to)
{
	size_t len;
	char *text = slurp(from, &len);
	FILE *f = fopen(to, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	fclose(f);
	free(text);
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

static int setup(void **state)
{
	(void)state;
	char tmpl[] = "/tmp/ipcgrade-html-XXXXXX";
	char path[8192];
	DIR *d;
	struct dirent *e;

	assert_non_null(getcwd(src, sizeof(src)));
	root = strdup(mkdtemp(tmpl));
	tu_sh("%s/tests/demo-class.sh %s/class '%s'", src, root, tu_ipcgrade());
	/* Hostile ids: one prints hostile output, one is a near copy of a
	 * solution (so it is shown side by side) with a hostile file name. */
	snprintf(path, sizeof(path), "%s/class/%s", root, HOSTILE_ID);
	assert_int_equal(mkdir(path, 0755), 0);
	char from[4200];

	snprintf(from, sizeof(from), "%s/tests/fixtures/report/hostile/pipe.c", src);
	snprintf(path, sizeof(path), "%s/class/%s/pipe.c", root, HOSTILE_ID);
	copy(from, path);
	snprintf(path, sizeof(path), "%s/class/%s", root, HOSTILE_ID2);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(from, sizeof(from), "%s/tests/fixtures/similarity/renamed/pipe.c", src);
	snprintf(path, sizeof(path), "%s/class/%s/pipe.c", root, HOSTILE_ID2);
	copy(from, path);
	snprintf(path, sizeof(path), "%s/class/%s/%s", root, HOSTILE_ID2, HOSTILE_FILE);
	put(path, "/* </pre></mark><script>document.body.setAttribute('data-pwned','4')</script> */\n");
	snprintf(path, sizeof(path), "%s/class", root);
	d = opendir(path);
	assert_non_null(d);
	while ((e = readdir(d)))
		nstudents += e->d_name[0] != '.';
	closedir(d);

	snprintf(path, sizeof(path), "%s/out", root);
	char cls[4096];

	snprintf(cls, sizeof(cls), "%s/class", root);
	const char *argv[] = { tu_ipcgrade(), "grade", "pipe-messages", "-o", path, cls, NULL };
	struct proc_out r = tu_run(argv, NULL, 600000);

	if (r.status != 0)
		fprintf(stderr, "%s\n%s\n", r.out, r.err);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "report: "));
	tu_free(&r);
	snprintf(path, sizeof(path), "%s/out/index.html", root);
	page = slurp(path, &page_len);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	if (!getenv("KEEP"))
		tu_sh("rm -rf '%s'", root);
	free(root);
	free(page);
	return 0;
}

/* The page as written: self-contained, everything escaped. */
static void test_report_html_is_escaped_and_self_contained(void **state)
{
	(void)state;
	assert_int_equal(strlen(page), page_len);		/* no NUL */
	assert_int_equal(count(page, "<script"), 1);		/* ours only */
	assert_int_equal(count(page, "</script>"), 1);
	assert_int_equal(count(page, "<img"), 0);
	assert_int_equal(count(page, "<svg onload"), 0);
	assert_int_equal(count(page, "<b onmouseover"), 0);
	assert_null(strstr(page, "http://"));
	assert_null(strstr(page, "https://"));
	/* The hostile strings are there, as text. */
	assert_non_null(strstr(page, "&lt;img src=x onerror=&quot;document.body.setAttribute(&#39;data-pwned&#39;,&#39;1&#39;)&quot;&gt;"));
	assert_non_null(strstr(page, "&quot;&gt;&lt;svg onload=alert(5)&gt;"));
	assert_non_null(strstr(page, "&lt;/script&gt;&lt;script&gt;"));
	assert_non_null(strstr(page, "&lt;b onmouseover=alert(4)&gt;.h"));	/* the file name, side by side */
	assert_int_equal((int)count(page, "<tr class=\"student\""), nstudents);
	assert_int_equal(count(page, "hist-bar"), 10);
	assert_true(count(page, "<svg class=\"timeline\"") > 10);
	assert_non_null(strstr(page, "<svg class=\"wf\""));	/* a deadlock's wait-for graph */
	assert_non_null(strstr(page, "id=\"similar-pairs\""));
	/* Valid UTF-8 (the hostile output had invalid bytes). */
	char cmd[4200];

	snprintf(cmd, sizeof(cmd), "python3 -c \"open('%s/out/index.html', encoding='utf-8', errors='strict').read()\"",
		 root);
	assert_int_equal(system(cmd), 0);
}

static char *chromium(void)
{
	static const char *const names[] = { "/usr/bin/chromium", "/usr/bin/chromium-browser", NULL };

	for (int i = 0; names[i]; i++)
		if (access(names[i], X_OK) == 0)
			return strdup(names[i]);
	return NULL;
}

/* Chromium with what it needs here (root, no network: no sandbox, no
 * GPU, nothing that phones home) and a fresh profile; extra are the
 * action's flags. */
static struct proc_out browse(const char *exe, const char *const *extra, const char *url)
{
	char profile[] = "/tmp/ipcgrade-chromium-XXXXXX", udd[128];
	const char *argv[32];
	int n = 0;

	assert_non_null(mkdtemp(profile));
	snprintf(udd, sizeof(udd), "--user-data-dir=%s", profile);
	argv[n++] = exe;
	argv[n++] = "--headless";
	argv[n++] = "--no-sandbox";
	argv[n++] = "--disable-gpu";
	argv[n++] = "--disable-quic";
	argv[n++] = "--no-first-run";
	argv[n++] = "--disable-background-networking";
	argv[n++] = "--disable-component-update";
	argv[n++] = "--disable-sync";
	argv[n++] = "--enable-logging=stderr";
	argv[n++] = "--v=0";
	argv[n++] = udd;
	for (int i = 0; extra[i]; i++)
		argv[n++] = extra[i];
	argv[n++] = url;
	argv[n] = NULL;
	struct proc_out r = tu_run(argv, NULL, 120000);

	tu_sh("rm -rf '%s'", profile);
	return r;
}

static void test_report_html_in_chromium(void **state)
{
	(void)state;
	char *exe = chromium();
	char url[4200];

	if (!exe)
		TU_SKIP("chromium is not installed (Debian package chromium; make deps installs it)");
	snprintf(url, sizeof(url), "file://%s/out/index.html", root);
	struct proc_out r = browse(exe, (const char *[]){ "--dump-dom", NULL }, url);

	if (r.status != 0 || !strstr(r.out, "</html>")) {
		fprintf(stderr, "chromium: status %d\n%.3000s\n", r.status, r.err);
		if (r.status == -2 || !strstr(r.out, "<html"))
			TU_SKIP("chromium did not render the page here (status %d)", r.status);
	}
	/* The script ran to its end, no payload ran, nothing was logged. */
	assert_non_null(strstr(r.out, "data-script=\"ok\""));
	assert_null(strstr(r.out, "data-pwned=\""));	/* as an attribute: a payload ran */
	if (strstr(r.err, "Uncaught") || strstr(r.err, ":CONSOLE"))
		fail_msg("the page logged to the console:\n%.3000s", r.err);
	/* Every student, the histogram, the drawings. */
	assert_int_equal((int)count(r.out, "<tr class=\"student\""), nstudents);
	assert_int_equal(count(r.out, "hist-bar"), 10);
	assert_null(strstr(r.out, "<img"));
	assert_non_null(strstr(r.out, "<p id=\"controls\">"));	/* the script showed them */
	/* alice (the reference solution): a parent and two children, one lane each. */
	const char *alice = strstr(r.out, "<h3>alice: ");
	const char *tl = alice ? strstr(alice, "<svg class=\"timeline\"") : NULL;
	const char *tl_end = tl ? strstr(tl, "</svg>") : NULL;

	assert_non_null(tl_end);
	assert_non_null(strstr(tl, "data-lanes=\"3\""));
	size_t lanes = 0;

	for (const char *p = tl; (p = strstr(p, "class=\"proc-lane\"")) && p < tl_end; p++)
		lanes++;
	assert_int_equal(lanes, 3);
	tu_free(&r);

	/* Without JavaScript the essentials are there; the controls stay
	 * hidden. (--dump-dom itself needs scripts on, so this is the page
	 * with its one script element cut out.) */
	char nojs[4200], nojs_url[4300];
	const char *a = strstr(page, "<script>"), *b = strstr(page, "</script>");

	assert_true(a && b && b > a);
	snprintf(nojs, sizeof(nojs), "%s/out/nojs.html", root);
	FILE *f = fopen(nojs, "w");

	assert_non_null(f);
	fwrite(page, 1, (size_t)(a - page), f);
	fputs(b + strlen("</script>"), f);
	fclose(f);
	snprintf(nojs_url, sizeof(nojs_url), "file://%s", nojs);
	r = browse(exe, (const char *[]){ "--dump-dom", NULL }, nojs_url);
	assert_int_equal((int)count(r.out, "<tr class=\"student\""), nstudents);
	assert_int_equal(count(r.out, "hist-bar"), 10);
	assert_null(strstr(r.out, "data-script=\"ok\""));
	assert_non_null(strstr(r.out, "id=\"controls\" hidden"));
	tu_free(&r);

	/* A screenshot, kept as a build artifact. */
	char shot[4200], arg[4300];

	snprintf(shot, sizeof(shot), "%s/report-screenshot.png", tu_env("ARTIFACTS", root));
	snprintf(arg, sizeof(arg), "--screenshot=%s", shot);
	unlink(shot);
	r = browse(exe, (const char *[]){ arg, "--window-size=1280,1600", "--hide-scrollbars", NULL }, url);
	size_t len = 0;
	char *png = slurp(shot, &len);

	assert_true(len > 10000);
	assert_memory_equal(png, "\x89PNG\r\n\x1a\n", 8);
	fprintf(stderr, "screenshot: %s (%zu bytes)\n", shot, len);
	free(png);
	tu_free(&r);
	free(exe);
}

/* merge writes the same page from the same reports. */
static void test_report_html_after_merge(void **state)
{
	(void)state;
	char out[4200], merged[4200], path[4300];

	snprintf(out, sizeof(out), "%s/out", root);
	snprintf(merged, sizeof(merged), "%s/merged", root);
	const char *argv[] = { tu_ipcgrade(), "merge", out, "-o", merged, NULL };
	struct proc_out r = tu_run(argv, NULL, 120000);

	assert_int_equal(r.status, 0);
	tu_free(&r);
	snprintf(path, sizeof(path), "%s/index.html", merged);
	size_t len;
	char *again = slurp(path, &len);

	assert_int_equal((int)count(again, "<tr class=\"student\""), nstudents);
	assert_int_equal(count(again, "<tr class=\"sim-pair\""), count(page, "<tr class=\"sim-pair\""));
	free(again);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_report_html_is_escaped_and_self_contained),
		cmocka_unit_test(test_report_html_in_chromium),
		cmocka_unit_test(test_report_html_after_merge),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

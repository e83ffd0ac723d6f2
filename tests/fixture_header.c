/*
 * fixture_header.c - `fixture_header FILE`: the header comment of a test
 * program as tests/fixture_header.h reads it (the parser the C tests use),
 * printed for the scripts: tests/hostile/run.sh and check-compile.sh, and
 * the Python checkers (tests/fixture_header.py). One line per key line,
 * "LINE KEY VALUE", after "1 KIND TITLE" when line 1 names a kind:
 *
 *	1 hostile fork bomb: every process forks in a loop, forever
 *	2 expect timeout|runtime_error
 *	3 flags --processes=32 --timeout=2000
 *
 * Exit status 1, with "FILE:LINE: what is wrong" on stderr, when the header
 * does not parse; 2 on a usage error. Build: gcc -std=gnu11 -O2 -o
 * fixture_header tests/fixture_header.c (libc only).
 */
#include "fixture_header.h"

int main(int argc, char **argv)
{
	static struct fixture_header h;
	char err[512];

	if (argc != 2) {
		fprintf(stderr, "usage: fixture_header FILE\n");
		return 2;
	}
	if (fh_parse(argv[1], &h, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	if (h.kind[0])
		printf("1 %s %s\n", h.kind, h.title);
	for (size_t i = 0; i < h.n; i++)
		printf("%u %s %s\n", h.item[i].line, h.item[i].key, h.item[i].value);
	return fflush(stdout) == 0 ? 0 : 1;
}

/* hostile: memory hog: mallocs and touches 16 MiB chunks up to 64 GiB
 * expect: memory_limit
 * flags: --memory-mb=128
 *
 * The memory limit must stop it: memory_limit. Under a cgroup limit the
 * OOM killer SIGKILLs it; under RLIMIT_AS malloc() returns NULL and the
 * program exits 1 ("malloc failed") -- the sandbox must still call that
 * memory_limit, not runtime_error (e.g. from the peak it measured being at
 * the limit). What must not happen: the host's OOM killer choosing the
 * grader or anything else outside the box.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void)
{
	const size_t chunk = 16u << 20;
	for (long mb = 16; mb <= 64L * 1024; mb += 16) {
		char *p = malloc(chunk);
		if (!p) {
			fprintf(stderr, "memory-hog: malloc failed after %ld MiB\n", mb - 16);
			return 1;
		}
		memset(p, 0xa5, chunk);
		if (mb % 256 == 0)
			fprintf(stderr, "memory-hog: %ld MiB touched\n", mb);
	}
	return 0;
}

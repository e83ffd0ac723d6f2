/* hostile: output flood: writes 10 GiB to stdout in 64 KiB writes
 * expect: output_limit
 * flags: --timeout=20000
 *
 * The sandbox must stop at its output limit (default 1 MiB of stdout plus
 * stderr), not buffer 10 GiB in memory, not fill a disk, and not wait for
 * the program to finish writing: output_limit. The captured output is
 * truncated at the limit. A program killed by SIGPIPE because the sandbox
 * closed the pipe is still output_limit. The generous --timeout makes a
 * sandbox that only discards the excess show up as timeout (a failure).
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void)
{
	static char buf[65536];
	memset(buf, 'x', sizeof(buf));
	for (size_t i = 63; i < sizeof(buf); i += 64)
		buf[i] = '\n';
	for (long i = 0; i < 10L * 1024 * 1024 / 64; i++) {	/* 163840 x 64 KiB = 10 GiB */
		if (write(1, buf, sizeof(buf)) < 0) {
			perror("output-flood: write");
			return 1;
		}
	}
	return 0;
}

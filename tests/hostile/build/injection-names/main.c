/* build attack: a valid program next to files whose names are commands
 * and options: "$(cd;touch ipcgrade-hostile-inject).c" creates a file in
 * the home directory of whoever runs a shell command line built from the
 * names (sh -c "gcc *.c ..." or system()), and "-o..c" is an option, not a
 * file, for a compiler that gets the names without "--" or "./" in front.
 * The grader must refuse such names at the build step, naming the file,
 * and never pass names through a shell. */
#include <stdio.h>

int main(void)
{
	printf("hello from injection-names\n");
	return 0;
}

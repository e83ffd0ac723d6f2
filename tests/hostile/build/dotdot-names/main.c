/* build attack: a valid program next to files whose names play with dots:
 * "..c" and "...c" (hidden files a home-made glob may pick up, names a
 * sanitizer that strips ".." turns into "c" and ".c"),
 * "..\..\..\tmp\ipcgrade-hostile-backslash.c" (a path traversal for any
 * code that treats backslash as a separator, e.g. when a report or an
 * archive is made), and "\u2024\u2024.c" (ONE DOT LEADER twice, which
 * displays like ".."). The grader must refuse such names at the build
 * step, naming the file, and create nothing outside the build box. */
#include <stdio.h>

int main(void)
{
	printf("hello from dotdot-names\n");
	return 0;
}

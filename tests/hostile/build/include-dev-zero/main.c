/* build attack: the preprocessor reads /dev/zero, an endless stream of NUL
 * bytes. cc1 reads the whole file into memory before parsing it, so it
 * grows until the compiler's memory limit kills it (or its wall-clock
 * limit ends it). The build must fail and say that a limit was hit,
 * without the grader itself running out of memory or waiting forever. */
#include "/dev/zero"

int main(void)
{
	return 0;
}

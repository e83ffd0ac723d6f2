/* build attack: the preprocessor reads /dev/random, an endless stream of
 * random bytes (never EOF): like /dev/zero, cc1 buffers it until a limit
 * kills it. The compiler's output, if any, is binary garbage that the
 * build report must survive (output limit, invalid UTF-8). */
#include "/dev/random"

int main(void)
{
	return 0;
}

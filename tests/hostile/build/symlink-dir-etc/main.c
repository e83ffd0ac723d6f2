/* build attack: the submission holds a directory symlink `etc -> /etc`,
 * so this harmless-looking relative include reads the host's /etc/shadow
 * when the grader copies (or builds in) the submission folder following
 * symlinks. The grader must refuse symlinks in a submission. (The link
 * points at /etc, not /, so that tools which follow symlinks while
 * walking this repository do not walk the whole machine.) */
#include "etc/shadow"

int main(void)
{
	return 0;
}

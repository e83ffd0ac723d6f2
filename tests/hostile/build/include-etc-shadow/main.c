/* build attack: includes /etc/shadow. Where the compiler can read it (a
 * build run as root without a box) gcc quotes the offending source line
 * in its error message, and that line is the first line of /etc/shadow:
 * the password hash ends up in the student's build report. In the build
 * box the file is absent or unreadable: the build fails with gcc's
 * "/etc/shadow: No such file or directory" (or "Permission denied"). */
#include "/etc/shadow"

int main(void)
{
	return 0;
}

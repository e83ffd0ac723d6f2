/* hostile: read /root and /home: lists them and reads shell histories and ssh keys
 * expect: ok
 *
 * Home directories hold credentials (~/.ssh, tokens in shell histories,
 * ~/.config). A box shows no real home directories: /root and /home are
 * absent or empty there. Any entry found (other than . and ..) is an
 * escape and is printed with the contents of the usual secret files.
 * Exits 0: ok.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int show_dir(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		printf("HOSTILE-ESCAPED: %s/%s is visible\n", dir, e->d_name);
		n++;
	}
	closedir(d);
	return n;
}

static void dump(const char *path)
{
	char buf[16384];
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return;
	ssize_t n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n > 0) {
		printf("HOSTILE-ESCAPED: read %s\n", path);
		fwrite(buf, 1, (size_t)n, stdout);
		printf("\n");
	}
}

int main(void)
{
	show_dir("/root");
	const char *secrets[] = { ".bash_history", ".ssh/id_rsa", ".ssh/id_ed25519", ".ssh/authorized_keys",
				  ".netrc", ".git-credentials" };
	for (size_t i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++) {
		char p[512];
		snprintf(p, sizeof(p), "/root/%s", secrets[i]);
		dump(p);
	}
	DIR *h = opendir("/home");
	struct dirent *e;
	while (h && (e = readdir(h))) {
		if (e->d_name[0] == '.')
			continue;
		char p[512];
		snprintf(p, sizeof(p), "/home/%s", e->d_name);
		show_dir(p);
		for (size_t i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++) {
			char q[1024];
			snprintf(q, sizeof(q), "%s/%s", p, secrets[i]);
			dump(q);
		}
	}
	if (h)
		closedir(h);
	return 0;
}

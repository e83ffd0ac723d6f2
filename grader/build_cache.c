/*
 * build_cache.c - the build cache (see build_cache.h).
 *
 * CACHE/KEY/ holds prog (the binary) and log (the compiler's output);
 * an entry is made in CACHE/.tmp-KEY-PID and renamed into place, so it
 * appears whole or not at all, and concurrent workers building the same
 * sources both succeed (one rename wins).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "build_cache.h"
#include "file.h"
#include "fs.h"
#include "hash.h"
#include "str.h"
#include "text.h"

#define MAX_CACHED_LOG (1u << 20)

static const char *compiler_version(void)
{
	static char version[256];

	if (!version[0]) {
		FILE *p = popen("gcc --version 2>/dev/null", "r");

		if (!p || !fgets(version, sizeof(version), p))
			snprintf(version, sizeof(version), "unknown");
		if (p)
			pclose(p);
		version[strcspn(version, "\n")] = '\0';
	}
	return version;
}

void build_cache_key(const struct spec *s, int subfd, char *const *names, size_t n, char out[65])
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f) {
		out[0] = '\0';
		return;
	}
	fprintf(f, "ipcgrade-build-1\n%s\n", compiler_version());
	for (size_t i = 0; i < s->build.ncflags; i++)
		fprintf(f, "c:%s\n", s->build.cflags[i]);
	for (size_t i = 0; i < s->build.nldflags; i++)
		fprintf(f, "l:%s\n", s->build.ldflags[i]);
	if (s->build.command)
		fprintf(f, "cmd:%s\nbin:%s\n", s->build.command, s->build.binary ? s->build.binary : "");
	for (size_t i = 0; i < n; i++) {
		int fd = openat(subfd, names[i], O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		char chunk[65536];
		ssize_t got;

		fprintf(f, "f:%zu:%s\n", strlen(names[i]), names[i]);
		while (fd >= 0 && (got = read(fd, chunk, sizeof(chunk))) > 0) {
			fprintf(f, "%zd:", got);
			fwrite(chunk, 1, (size_t)got, f);
		}
		if (fd >= 0)
			close(fd);
	}
	fclose(f);
	hash_sha256_hex(buf, len, out);
	free(buf);
}

bool build_cache_get(const char *cache_dir, const char *key, const char *workdir,
		     const char *binary, char **log)
{
	char *dir = str_printf("%s/%s", cache_dir, key);
	int cfd = dir ? open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
	int wfd = open(workdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	char err[256];
	bool ok = false;

	if (cfd >= 0 && wfd >= 0) {
		(void)unlinkat(wfd, binary, 0);	/* a leftover would make the copy fail */
		ok = fs_mkdirs_at(wfd, binary) == 0 &&
		     fs_copy_file(cfd, BINARY_NAME, wfd, binary, 0755, err, sizeof(err)) == 0;
		if (ok) {
			char *logpath = str_printf("%s/log", dir);
			size_t len = 0;
			char *raw = NULL;

			if (logpath && file_read_all(logpath, MAX_CACHED_LOG, &raw, &len) < 0)
				raw = NULL;
			free(*log);
			*log = raw ? text_sanitize(raw, len) : strdup("");
			free(raw);
			free(logpath);
		}
	}
	if (cfd >= 0)
		close(cfd);
	if (wfd >= 0)
		close(wfd);
	free(dir);
	return ok;
}

void build_cache_put(const char *cache_dir, const char *key, const char *workdir,
		     const char *binary, const char *log)
{
	char *dir = str_printf("%s/%s", cache_dir, key), *tmp = str_printf("%s/.tmp-%s-%d", cache_dir, key, (int)getpid());
	int wfd = open(workdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	char err[256];

	if (!dir || !tmp || wfd < 0 || (mkdir(cache_dir, 0700) < 0 && errno != EEXIST))
		goto out;
	(void)fs_remove_tree(tmp);	/* a dead worker's; mkdir says if it stays */
	if (mkdir(tmp, 0700) < 0)
		goto out;
	int tfd = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (tfd >= 0) {
		bool ok = fs_copy_file(wfd, binary, tfd, BINARY_NAME, 0755, err, sizeof(err)) == 0;
		char *logpath = str_printf("%s/log", tmp);

		if (ok && logpath)
			ok = file_write_atomic(logpath, log, strlen(log)) == 0;
		free(logpath);
		close(tfd);
		/* Entries appear whole or not at all. */
		if (!ok || rename(tmp, dir) < 0)
			(void)fs_remove_tree(tmp);	/* no entry: the next build compiles */
	}
out:
	if (wfd >= 0)
		close(wfd);
	free(dir);
	free(tmp);
}

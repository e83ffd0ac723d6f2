/*
 * build_cache.h - the build cache: a compiled program and its compiler
 * log, found again by a key over the compiler, the flags and every
 * source file by name and content. For build.c only.
 */
#ifndef IPCGRADE_BUILD_CACHE_H
#define IPCGRADE_BUILD_CACHE_H

#include <stdbool.h>
#include <stddef.h>

#include "spec.h"

/* The name of the binary in a cache entry, and of what gcc builds. */
#define BINARY_NAME "prog"

/* The key of a build of names (relative to the folder subfd) under s's
 * build section, as 64 hex digits; "" (out[0] == 0) when out of memory:
 * then nothing is cached. */
void build_cache_key(const struct spec *s, int subfd, char *const *names, size_t n, char out[65]);
/* Put the cached binary of key at workdir/binary and its log in *log
 * (the old one freed). Whether there was one; a cache that cannot be
 * read is a miss. */
bool build_cache_get(const char *cache_dir, const char *key, const char *workdir,
		     const char *binary, char **log);
/* Store workdir/binary and log under key. Best effort: a failure only
 * means the next build compiles. */
void build_cache_put(const char *cache_dir, const char *key, const char *workdir,
		     const char *binary, const char *log);

#endif

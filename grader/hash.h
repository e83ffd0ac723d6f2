/*
 * hash.h - digests: SHA-256 (nettle) for specs and the build cache, and
 * FNV-1a for splitting a class into shards. Neither can fail.
 */
#ifndef IPCGRADE_HASH_H
#define IPCGRADE_HASH_H

#include <stddef.h>
#include <stdint.h>

/* The SHA-256 of data as 64 lowercase hex digits and a NUL. */
void hash_sha256_hex(const void *data, size_t len, char out[65]);
/* 64-bit FNV-1a of the string: stable across machines and versions. */
uint64_t hash_fnv1a64(const char *s);

#endif

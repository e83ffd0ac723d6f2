/*
 * hash.c - digests (see hash.h).
 */
#include <nettle/sha2.h>
#include <stdio.h>

#include "hash.h"

#define FNV1A64_OFFSET 0xcbf29ce484222325ull
#define FNV1A64_PRIME 0x100000001b3ull

void hash_sha256_hex(const void *data, size_t len, char out[65])
{
	struct sha256_ctx ctx;
	uint8_t digest[SHA256_DIGEST_SIZE];

	sha256_init(&ctx);
	sha256_update(&ctx, len, data);
	sha256_digest(&ctx, sizeof(digest), digest);
	for (size_t i = 0; i < sizeof(digest); i++)
		snprintf(out + 2 * i, 3, "%02x", digest[i]);
}

uint64_t hash_fnv1a64(const char *s)
{
	uint64_t h = FNV1A64_OFFSET;

	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		h ^= *p;
		h *= FNV1A64_PRIME;
	}
	return h;
}

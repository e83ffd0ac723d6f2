/*
 * merge.h - combining the output folders of sharded `grade` runs.
 *
 * Each shard's batch.json says which shard it is; the folders named must
 * be all the shards of one batch (K of N, each K once), graded with one
 * spec, with no student in two of them.
 */
#ifndef IPCGRADE_MERGE_H
#define IPCGRADE_MERGE_H

#include <stddef.h>

/* The most shards a batch may have. */
#define MERGE_MAX_SHARDS 1023

/* Whether dirs are the shards of one batch (unsharded batches pass).
 * Returns 0, or -EINVAL with err saying which is missing, twice or no
 * output folder of `ipcgrade grade`. */
int merge_check_shards(const char *const *dirs, size_t n, char *err, size_t errlen);
/* Copy every student folder of dirs into final (which exists), checking
 * that one spec graded them all and no student is in two shards.
 * Returns 0 with *students the number copied, or -errno with err set:
 * -EINVAL when the folders do not fit together or cannot be read (the
 * caller's mistake), another -errno when a copy failed. */
int merge_students(const char *const *dirs, size_t n, const char *final, size_t *students,
		   char *err, size_t errlen);

#endif

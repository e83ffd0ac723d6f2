/*
 * file.h - whole files in and out: read with a size cap, read what an
 * untrusted program left without following its links, write atomically.
 *
 * Every function returns 0 or -errno. A buffer handed back is malloc'd,
 * NUL-terminated (len does not count the NUL; the data may hold NULs)
 * and the caller's to free; on error nothing is handed back.
 */
#ifndef IPCGRADE_FILE_H
#define IPCGRADE_FILE_H

#include <stddef.h>

/* The regular file at path, at most max bytes: -EINVAL when it is not a
 * regular file, -EFBIG when it is larger. */
int file_read_all(const char *path, size_t max, char **data, size_t *len);
/* dir/name as a program left it: never through a symbolic link, never a
 * FIFO or device, at most max bytes. On error *why says so in words for
 * a student ("the program did not create it", "it is a symbolic link,
 * not a file", ...). */
int file_read_beneath(const char *dir, const char *name, size_t max, char **data, size_t *len,
		      const char **why);

/* Write path through path.tmp.PID, fsync and rename: readers see the
 * old file or the whole new one, never a part. Nothing is left behind
 * on error. */
int file_write_atomic(const char *path, const char *data, size_t len);
/* The same for dir/name. */
int file_write_in(const char *dir, const char *name, const char *data, size_t len);

#endif

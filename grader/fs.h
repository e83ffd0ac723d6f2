/*
 * fs.h - the host's folders, handled safely: paths, temporary folders,
 * and removing and copying trees without ever following a link.
 *
 * Submissions are untrusted trees: any file may be a symbolic link to
 * /etc/shadow, a FIFO or a device. Everything here opens with
 * O_NOFOLLOW (openat2's RESOLVE_BENEATH where the kernel has it) and
 * copies regular files only. Errors are 0 or -errno; where a message
 * helps, it goes to the caller's err buffer.
 */
#ifndef IPCGRADE_FS_H
#define IPCGRADE_FS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* "a/b" (one slash between them). The caller frees it; NULL only when
 * out of memory. */
char *fs_path_join(const char *a, const char *b);

/* A new folder $TMPDIR/ipcgrade-PREFIX-XXXXXX (mode 0711, so that a
 * box's user can reach into it). Returns 0 with *out the path (the
 * caller removes it with fs_remove_tree and frees it), or -errno with
 * *out NULL. */
int fs_make_temp_dir(const char *prefix, char **out);
/* mkdir -p (mode 0755). Returns 0 (also when it exists) or -errno. */
int fs_mkdir_p(const char *path);
/* The folders on the way to rel (a relative path) below the folder dfd,
 * mode 0755, the last component excluded. Returns 0 or -errno. */
int fs_mkdirs_at(int dfd, const char *rel);
/* rm -r without following links. Returns 0 (also when it is gone) or
 * -errno; -EINVAL for "" and "/". */
int fs_remove_tree(const char *path);

/* Copy srcdir/name to a new file dstdir/dstname with mode, refusing
 * links and anything but a regular file. Returns 0, or -errno with err
 * saying which file and why ("'x' is a symbolic link; submit the file
 * itself"); a partly written dstname may be left. */
int fs_copy_file(int srcdir, const char *name, int dstdir, const char *dstname, mode_t mode,
		 char *err, size_t errlen);
/* The same for the file at path (its folder is opened first); dstname
 * NULL keeps the file's own name. */
int fs_copy_file_into(const char *path, int dstdir, const char *dstname, mode_t mode, char *err,
		      size_t errlen);

enum fs_copy_flags {
	FS_COPY_REPLACE = 1 << 0,	/* remove a file of the same name first */
	FS_COPY_BEST_EFFORT = 1 << 1,	/* skip a file that cannot be copied */
};
/* Copy the regular, not hidden files of folder from (not its folders)
 * into folder to, created when missing. Returns 0, or -errno with err
 * set at the first failure (with FS_COPY_BEST_EFFORT only when a folder
 * cannot be opened). */
int fs_copy_dir_files(const char *from, const char *to, unsigned flags, char *err, size_t errlen);
/* Copy the folder src to the new folder dst: regular files and folders
 * only, modes kept, at most max_bytes in all. Returns 0 or -errno
 * (-EFBIG past max_bytes); a partial copy is left for the caller. */
int fs_copy_tree(const char *src, const char *dst, size_t max_bytes);

/* Can a user who is neither owner nor in the group list the absolute
 * path's folder (and reach it)? False for relative paths. */
bool fs_others_can_read(const char *path);

#endif

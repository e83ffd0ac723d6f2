/*
 * faulty.h - an assignment's faulty submissions (assignments/README.md).
 *
 * A variant is either faulty/NAME.patch, a unified diff against solution/
 * whose header (the text before its first "--- " line) says what mistake
 * it makes, or faulty/NAME/, a folder, where the variant is a program of
 * its own. A patch is graded materialised: solution/ is copied into a new
 * folder and GNU patch applies the diff there (faulty.c).
 */
#ifndef IPCGRADE_FAULTY_H
#define IPCGRADE_FAULTY_H

#include <stdbool.h>
#include <stddef.h>

struct faulty_variant {
	char *name;		/* NAME */
	char *path;		/* ASSIGNMENT/faulty/NAME.patch or ASSIGNMENT/faulty/NAME */
	bool is_patch;
};

/* The variants in assignment/faulty/, sorted by name (strcmp); none when
 * there is no faulty/ folder. Files other than *.patch (EXPECTED, notes)
 * and names starting with '.' are not variants. Returns 0 with *out owned
 * by the caller (faulty_list_free) and *n, or -errno with err: -EEXIST
 * when a NAME.patch lies beside a folder NAME. */
int faulty_list(const char *assignment, struct faulty_variant **out, size_t *n, char *err,
		size_t errlen);
/* The same for another folder of variants against solution/: "solutions"
 * holds the correct ones in other styles, each graded for full marks. */
int faulty_list_in(const char *assignment, const char *folder, struct faulty_variant **out,
		   size_t *n, char *err, size_t errlen);
void faulty_list_free(struct faulty_variant *v, size_t n);

/* Write variant v of the assignment folder into dest, which must not exist
 * (its parent must): a copy of solution/ with the patch applied, or a copy
 * of the variant's folder. A patch is checked before GNU patch runs: every
 * file it names lies inside the folder (no absolute path but /dev/null,
 * no '..'), it makes no links and patches no binary file, and its header
 * is not empty. Returns 0, or -errno with err naming the variant (and what
 * patch said), dest removed: -EINVAL the variant is wrong (a bad patch,
 * one that does not apply), -EEXIST dest exists, -ENOEXEC GNU patch could
 * not be run, others from the file system. */
int faulty_materialise(const char *assignment, const struct faulty_variant *v, const char *dest,
		       char *err, size_t errlen);

/* A variant materialised into a temporary folder of its own. */
struct faulty_temp {
	char *root;		/* $TMPDIR/ipcgrade-faulty-XXXXXX, made for it */
	char *dir;		/* root/NAME: the submission */
};
/* faulty_materialise into a fresh root. 0, or -errno with err and *t
 * zeroed (nothing left behind). */
int faulty_temp_make(const char *assignment, const struct faulty_variant *v, struct faulty_temp *t,
		     char *err, size_t errlen);
/* Remove t->root with everything in it and free t's strings; t is zeroed.
 * Accepts a zeroed t (then does nothing). */
void faulty_temp_release(struct faulty_temp *t);

/* `ipcgrade selftest --materialise DEST VARIANT`: VARIANT is the path
 * ASSIGNMENT/faulty/NAME of a folder or of NAME.patch (".patch" may be
 * left out), materialised into dest as faulty_materialise does. Returns 0
 * or -errno with err (-ENOENT: no such variant). */
int faulty_materialise_path(const char *variant, const char *dest, char *err, size_t errlen);

#endif

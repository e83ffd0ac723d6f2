/*
 * symbols.h - which C library functions a built program imports (libelf),
 * and a test's expect.symbols over them.
 *
 * Uncontended sem_wait/sem_post make no system call, so a trace cannot
 * prove a semaphore is used; the program's dynamic symbol table can.
 */
#ifndef IPCGRADE_SYMBOLS_H
#define IPCGRADE_SYMBOLS_H

#include <stdbool.h>
#include <stddef.h>

/* Owns every string vector in it (symbols_expect_release). */
struct symbols_expect {
	char **requires;	/* string vectors (str.h) */
	size_t nrequires;
	char **forbids;
	size_t nforbids;
	char ***requires_any;	/* alternatives, each a string vector */
	size_t nrequires_any;
};

/* The binary's imported functions (its undefined dynamic symbols; for a
 * static binary its defined functions), each once. Returns 0 with *out a
 * string vector the caller frees with strv_free, or -errno with err
 * saying why ("the program is not an ELF file: ..."). */
int symbols_imported(const char *binary, char ***out, char *err, size_t errlen);
/* Whether the binary's imports satisfy e. On failure *msg (may be NULL)
 * is a malloc'd message for students (NULL when out of memory); a binary
 * that cannot be read fails with the reason as its message. */
bool symbols_check(const struct symbols_expect *e, const char *binary, char **msg);
/* Free what *e owns; accepts a zeroed expectation. */
void symbols_expect_release(struct symbols_expect *e);

#endif

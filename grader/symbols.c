/*
 * symbols.c - which C library functions a built program imports (libelf).
 *
 * Uncontended sem_wait/sem_post make no system call, so a trace cannot
 * prove a semaphore is used; the program's dynamic symbol table can.
 * Imported functions are the undefined symbols of .dynsym; a statically
 * linked program has no .dynsym, so its defined functions (.symtab)
 * stand in for them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "grader.h"

static void push(char ***v, size_t *n, size_t *cap, const char *s)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp((*v)[i], s) == 0)
			return;
	if (*n + 2 > *cap) {
		size_t c = *cap ? *cap * 2 : 64;
		char **g = realloc(*v, c * sizeof(**v));

		if (!g)
			return;
		*v = g;
		*cap = c;
	}
	(*v)[*n] = strdup(s);
	if ((*v)[*n])
		(*n)++;
	(*v)[*n] = NULL;
}

static void collect(Elf *e, Elf_Scn *scn, GElf_Shdr *sh, bool undefined_only, char ***v,
		    size_t *n, size_t *cap)
{
	Elf_Data *data = elf_getdata(scn, NULL);

	if (!data || sh->sh_entsize == 0)
		return;
	size_t count = sh->sh_size / sh->sh_entsize;

	for (size_t i = 0; i < count; i++) {
		GElf_Sym sym;

		if (!gelf_getsym(data, (int)i, &sym))
			continue;
		const char *name = elf_strptr(e, sh->sh_link, sym.st_name);

		if (!name || !*name)
			continue;
		if (undefined_only ? sym.st_shndx != SHN_UNDEF
				   : (GELF_ST_TYPE(sym.st_info) != STT_FUNC || sym.st_shndx == SHN_UNDEF))
			continue;
		push(v, n, cap, name);
	}
}

char **symbols_imported(const char *binary, char *err, size_t errlen)
{
	int fd = open(binary, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	Elf *e = NULL;
	char **v = NULL;
	size_t n = 0, cap = 0;
	Elf_Scn *scn = NULL, *symtab = NULL;
	GElf_Shdr sh, symtab_sh;
	bool have_dynsym = false;

	if (fd < 0) {
		snprintf(err, errlen, "cannot open the program: %s", strerror(errno));
		return NULL;
	}
	if (elf_version(EV_CURRENT) == EV_NONE || !(e = elf_begin(fd, ELF_C_READ, NULL)) ||
	    elf_kind(e) != ELF_K_ELF) {
		snprintf(err, errlen, "the program is not an ELF file: %s", elf_errmsg(-1));
		goto out;
	}
	while ((scn = elf_nextscn(e, scn))) {
		if (!gelf_getshdr(scn, &sh))
			continue;
		if (sh.sh_type == SHT_DYNSYM) {
			have_dynsym = true;
			collect(e, scn, &sh, true, &v, &n, &cap);
		} else if (sh.sh_type == SHT_SYMTAB) {
			symtab = scn;
			symtab_sh = sh;
		}
	}
	if (!have_dynsym && symtab)
		collect(e, symtab, &symtab_sh, false, &v, &n, &cap);
	if (!v)
		v = calloc(1, sizeof(*v));
out:
	if (e)
		elf_end(e);
	close(fd);
	return v;
}

static bool has(char **v, const char *name)
{
	for (; v && *v; v++)
		if (strcmp(*v, name) == 0)
			return true;
	return false;
}

bool symbols_check(const struct symbols_expect *x, const char *binary, char **msg)
{
	char err[256] = "";
	char **v = symbols_imported(binary, err, sizeof(err));
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	bool ok = true;

	if (!v) {
		if (f)
			fprintf(f, "%s", err);
		ok = false;
		goto out;
	}
	for (size_t i = 0; i < x->nrequires; i++) {
		if (has(v, x->requires[i]))
			continue;
		if (f)
			fprintf(f, "%sthe program must call %s(), but never does", ok ? "" : "; ",
				x->requires[i]);
		ok = false;
	}
	for (size_t i = 0; i < x->nforbids; i++) {
		if (!has(v, x->forbids[i]))
			continue;
		if (f)
			fprintf(f, "%sthe program calls %s(), which this assignment does not allow",
				ok ? "" : "; ", x->forbids[i]);
		ok = false;
	}
	if (x->nrequires_any) {
		bool any = false;

		for (size_t i = 0; i < x->nrequires_any && !any; i++) {
			bool all = true;

			for (char **p = x->requires_any[i]; p && *p; p++)
				all = all && has(v, *p);
			any = all;
		}
		if (!any) {
			if (f) {
				fprintf(f, "%sthe program must call one of: ", ok ? "" : "; ");
				for (size_t i = 0; i < x->nrequires_any; i++) {
					fprintf(f, "%s", i ? " or " : "");
					for (char **p = x->requires_any[i]; p && *p; p++)
						fprintf(f, "%s%s()", p == x->requires_any[i] ? "" : " + ", *p);
				}
				fprintf(f, ", but calls none of them");
			}
			ok = false;
		}
	}
out:
	strv_free(v);
	if (f)
		fclose(f);
	if (msg)
		*msg = ok ? (free(buf), NULL) : buf;
	else
		free(buf);
	return ok;
}

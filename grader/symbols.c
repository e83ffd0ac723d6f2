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

#include "str.h"
#include "symbols.h"

/* Add name unless it is there: a symbol table may list one twice. */
static int push_new(char ***v, size_t *n, const char *name)
{
	return strv_has(*v, name) ? 0 : strv_push(v, n, name);
}

static int collect(Elf *e, Elf_Scn *scn, GElf_Shdr *sh, bool undefined_only, char ***v,
		   size_t *n)
{
	Elf_Data *data = elf_getdata(scn, NULL);

	if (!data || sh->sh_entsize == 0)
		return 0;
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
		if (push_new(v, n, name) < 0)
			return -ENOMEM;
	}
	return 0;
}

int symbols_imported(const char *binary, char ***out, char *err, size_t errlen)
{
	int fd = open(binary, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	Elf *e = NULL;
	char **v = NULL;
	size_t n = 0;
	Elf_Scn *scn = NULL, *symtab = NULL;
	GElf_Shdr sh, symtab_sh;
	bool have_dynsym = false;
	int rc = 0;

	*out = NULL;
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "cannot open the program: %s", strerror(errno));
		return rc;
	}
	if (elf_version(EV_CURRENT) == EV_NONE || !(e = elf_begin(fd, ELF_C_READ, NULL)) ||
	    elf_kind(e) != ELF_K_ELF) {
		rc = -ENOEXEC;
		snprintf(err, errlen, "the program is not an ELF file: %s", elf_errmsg(-1));
		goto out;
	}
	while (rc == 0 && (scn = elf_nextscn(e, scn))) {
		if (!gelf_getshdr(scn, &sh))
			continue;
		if (sh.sh_type == SHT_DYNSYM) {
			have_dynsym = true;
			rc = collect(e, scn, &sh, true, &v, &n);
		} else if (sh.sh_type == SHT_SYMTAB) {
			symtab = scn;
			symtab_sh = sh;
		}
	}
	if (rc == 0 && !have_dynsym && symtab)
		rc = collect(e, symtab, &symtab_sh, false, &v, &n);
	if (rc == 0 && !v && !(v = calloc(1, sizeof(*v))))
		rc = -ENOMEM;
	if (rc < 0) {
		snprintf(err, errlen, "out of memory");
		strv_free(v);
	} else {
		*out = v;
	}
out:
	if (e)
		elf_end(e);
	close(fd);
	return rc;
}

bool symbols_check(const struct symbols_expect *x, const char *binary, char **msg)
{
	char err[256] = "";
	char **v = NULL;
	int rc = symbols_imported(binary, &v, err, sizeof(err));
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	bool ok = true;

	if (rc < 0) {
		if (f)
			fprintf(f, "%s", err);
		ok = false;
		goto out;
	}
	for (size_t i = 0; i < x->nrequires; i++) {
		if (strv_has(v, x->requires[i]))
			continue;
		if (f)
			fprintf(f, "%sthe program must call %s(), but never does", ok ? "" : "; ",
				x->requires[i]);
		ok = false;
	}
	for (size_t i = 0; i < x->nforbids; i++) {
		if (!strv_has(v, x->forbids[i]))
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
				all = all && strv_has(v, *p);
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
	return str_check_result(f, &buf, ok, msg);
}

void symbols_expect_release(struct symbols_expect *e)
{
	strv_free(e->requires);
	strv_free(e->forbids);
	for (size_t j = 0; j < e->nrequires_any; j++)
		strv_free(e->requires_any[j]);
	free(e->requires_any);
	memset(e, 0, sizeof(*e));
}

/*
 * spec_node.h - reading the spec's YAML nodes, for the spec loader
 * (spec.c, spec_expect.c) only.
 *
 * libyaml's document API gives every node its position, so a problem is
 * reported at FILE:LINE:COL of the node it is about, and loading goes on:
 * every problem of a spec is collected (in L->d), not just the first.
 * The typed readers return whether the node held a valid value; when it
 * did not they have reported the problem and left *out as it was.
 */
#ifndef IPCGRADE_SPEC_NODE_H
#define IPCGRADE_SPEC_NODE_H

#include <stdbool.h>
#include <stddef.h>
#include <yaml.h>

#include "diag.h"
#include "spec.h"

/* The state of one load. */
struct spec_loader {
	const char *file;	/* for messages */
	const char *dir;	/* the spec's folder (absolute), NULL for a buffer */
	yaml_document_t doc;
	struct diag *d;		/* where problems go */
	struct spec *s;		/* what is being filled */
	int errors;		/* problems so far */
	/* Count problems but do not report them: a test's keys read again
	 * for each of its checks were reported the first time. */
	bool quiet;
};

/* The node of that id; NULL for an invalid id. */
yaml_node_t *node_at(struct spec_loader *L, int id);
/* Report a problem at n (NULL: the top of the file). */
void node_problem(struct spec_loader *L, const yaml_node_t *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The text of a scalar node, NULL for anything else. */
const char *node_scalar(const yaml_node_t *n);
/* Whether n is an unquoted scalar (true, 12, empty: keywords). */
bool node_plain(const yaml_node_t *n);
/* Report the keys of map that are not in allowed (NULL-terminated), with
 * a "did you mean", and keys given twice; where names the mapping. */
void node_check_keys(struct spec_loader *L, yaml_node_t *map, const char *const *allowed,
		     const char *where);
/* The value of key in map; NULL when map is no mapping or has no key. */
yaml_node_t *node_get(struct spec_loader *L, yaml_node_t *map, const char *key);
/* Whether n is a mapping; reports it when not. */
bool node_want_mapping(struct spec_loader *L, yaml_node_t *n, const char *what);

/* A decimal whole number, nothing else (no sign, no blanks). */
bool node_parse_u64(const char *v, unsigned long long *out);
/* *out becomes a malloc'd copy (the old one freed). */
bool node_string(struct spec_loader *L, yaml_node_t *n, const char *what, char **out);
bool node_uint(struct spec_loader *L, yaml_node_t *n, const char *what, unsigned *out,
	       unsigned min, unsigned max);
bool node_bool(struct spec_loader *L, yaml_node_t *n, const char *what, bool *out);
/* Points: a number from 0 to 1000000. */
/* A time_scale factor: 0 < f <= 1. */
bool node_time_scale(struct spec_loader *L, yaml_node_t *n, double *out);
bool node_points(struct spec_loader *L, yaml_node_t *n, const char *what, double *out);
/* A list of strings appended to the string vector *out (count *nout);
 * with split, a single string is split on blanks. *out is never left
 * NULL for a list. */
bool node_string_list(struct spec_loader *L, yaml_node_t *n, const char *what, char ***out,
		      size_t *nout, bool split);
/* A file of the spec's folder named in the spec (rel): relative, inside
 * the folder, existing. The absolute path (the caller frees it), or
 * NULL after a problem. */
char *node_spec_file(struct spec_loader *L, yaml_node_t *n, const char *what, const char *rel);

#endif

/*
 * spec_expect.h - loading a test's expect: section, for the spec loader
 * (spec.c) only: exit, stdout/stderr/files matchers, ipc, symbols,
 * cleanup, checker.
 */
#ifndef IPCGRADE_SPEC_EXPECT_H
#define IPCGRADE_SPEC_EXPECT_H

#include "spec.h"
#include "spec_node.h"

/* Fill t->expect from the mapping n; t's args must be loaded already
 * (ipc conditions use them). Problems go to L. */
void spec_load_expect(struct spec_loader *L, yaml_node_t *n, struct test *t);

#endif

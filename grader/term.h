/*
 * term.h - what depends on the terminal and the clock: whether to use
 * colour, Ctrl-C as a cancel flag, milliseconds for timings.
 */
#ifndef IPCGRADE_TERM_H
#define IPCGRADE_TERM_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* Colour on f: a terminal, and NO_COLOR unset or empty. */
bool term_color(FILE *f);
/* Make SIGINT and SIGTERM set the returned flag instead of killing us:
 * the current run then ends cleanly (its box killed, its temporary
 * folders removed). Forked workers inherit the handler; each sets its
 * own copy of the flag. Can't fail; calling it again is harmless. */
const volatile sig_atomic_t *term_catch_interrupts(void);
/* CLOCK_MONOTONIC in milliseconds. */
uint64_t term_now_ms(void);

#endif

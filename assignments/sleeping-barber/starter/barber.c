/*
 * sleeping-barber -- starter: the main process.
 *
 * Usage: ./barber NC NCH TC TB       (see README.md for the whole task)
 *
 * This file compiles and runs, but does nothing useful yet. Split your
 * program into several files if you like (the reference solution has
 * main.c, barber.c, customer.c and log.c): add them to the Makefile.
 */
#include <stdio.h>
#include <stdlib.h>

#include "barber.h"

int main(int argc, char *argv[])
{
    (void)argc;
    (void)argv;

    /* TODO 1: check the four arguments. On any problem print a message to
       stderr and return 1 BEFORE creating anything. */

    /* TODO 2: create struct shop in shared memory, initialise its
       semaphores (pshared = 1), create/truncate barber.out. */

    /* TODO 3: fork the barber, then the NC customers (wait 0..TC
       microseconds before each one). */

    /* TODO 4: wait for every customer, tell the barber to go home, wait
       for the barber. */

    /* TODO 5: destroy the semaphores, unmap the memory, close the file. */

    return 0;
}

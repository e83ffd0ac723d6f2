/*
 * cli_usage.h - the help texts of the ipcgrade command (cli_usage.c),
 * part of the command, not of the grader library.
 */
#ifndef IPCGRADE_CLI_USAGE_H
#define IPCGRADE_CLI_USAGE_H

/* Prints the help of command cmd ("run", "check", ..., "doctor") on
 * stdout; the main usage for NULL or any other name. Can't fail. */
void cli_usage_print(const char *cmd);

#endif

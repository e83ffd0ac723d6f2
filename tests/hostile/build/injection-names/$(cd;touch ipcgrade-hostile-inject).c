/* a file whose name is a shell command substitution */
int injection_name_was_compiled = 1;

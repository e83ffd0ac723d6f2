/* a file whose name holds backslashes */
int backslash_name_was_compiled = 1;

/* a file whose name is a compiler option */
int option_name_was_compiled = 1;

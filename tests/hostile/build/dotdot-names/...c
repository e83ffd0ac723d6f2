/* a file named ...c */
int dots_c_was_compiled = 1;

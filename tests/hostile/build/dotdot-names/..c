/* a file named ..c */
int dotdot_c_was_compiled = 1;

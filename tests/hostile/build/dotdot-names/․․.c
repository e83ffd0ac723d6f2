/* a file named with two U+2024 ONE DOT LEADER characters */
int dot_leader_name_was_compiled = 1;

#include <stdio.h>
#include "proj.h"
void print_row(const char *k, long v) { printf("%s=%ld\n", k, v); }

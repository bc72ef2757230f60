#include <stdio.h>
#include <stdlib.h>
#include "proj.h"

int main(int argc, char **argv) {
    long v[64];
    int n = 0;
    for (int i = 1; i < argc && n < 64; i++) v[n++] = strtol(argv[i], NULL, 10);
    char title[] = "stats";
    upper(title);
    printf("%s\n", title);
    print_row("sum", sum(v, n));
    print_row("max", max_of(v, n));
    return 0;
}

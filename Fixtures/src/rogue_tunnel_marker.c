// Stands in for a renamed tunnel client: it carries the strings a chisel
// build does (the test copies it under an innocent name) and does nothing.
#include <stdio.h>

const char banner[] = "github.com/jpillora/chisel/client: chisel client connecting";

int main(void) {
    printf("%d\n", (int)sizeof banner);
    return 0;
}

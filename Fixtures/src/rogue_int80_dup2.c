// Puts its pool socket on descriptor 1 through the i386 ABI (int 0x80 dup2),
// which the tracer cannot make install a filter, then writes its stratum
// request to 1 if the dup2 worked.
//   rogue_int80_dup2 PORT
// Prints "dup2 -> R" (the raw result) on stderr, and "went through" if the
// request went out on the socket.
#include <stdio.h>

#include "stratum.h"

static long sys32(long nr, long a, long b) {
    long r;
    __asm__ volatile("int $0x80" : "=a"(r) : "a"(nr), "b"(a), "c"(b) : "memory");
    return r;
}

int main(int argc, char **argv) {
    if (argc < 2) return 2;
    int s = pool_connect(argv[1]);
    if (s < 0) return 3;
    long r = sys32(63, s, 1);  // i386 dup2
    fprintf(stderr, "dup2 -> %ld\n", r);
    if (r == 1) stratum_write(1);
    return 0;
}

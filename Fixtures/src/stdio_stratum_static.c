// Statically linked, so nothing opens (and closes) a file on the way in: run
// with descriptor 1 closed by an exec, its socket takes descriptor 1 and it
// writes its stratum request there with write(2).
//   stdio_stratum_static PORT
// Prints "went through" on stderr if the write went out (it must not under the pack).
#include <stdio.h>

#include "stratum.h"

int main(int argc, char **argv) {
    if (argc < 2) return 2;
    int s = pool_connect(argv[1]);
    if (s != 1) {
        fprintf(stderr, "socket on %d, not 1\n", s);
        return 3;
    }
    stratum_write(1);
    return 0;
}

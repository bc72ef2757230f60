// Double fork + setsid: a grandchild that outlives its parent (the shape of
// a persistence backdoor). The root exits once the daemon is in place; the
// daemon sleeps argv[1] seconds.
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv) {
    int secs = argc > 1 ? atoi(argv[1]) : 30;
    int ready[2];
    if (pipe(ready) != 0) return 2;
    if (fork() != 0) {
        char c;
        close(ready[1]);
        read(ready[0], &c, 1);
        return 0;
    }
    setsid();
    if (fork() != 0) _exit(0);
    close(ready[0]);
    write(ready[1], "x", 1);
    close(ready[1]);
    sleep((unsigned)secs);
    return 0;
}

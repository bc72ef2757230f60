// Reaches into another process: rogue_ptrace PID attach|vmwrite.
// attach:  PTRACE_ATTACH, then detach at once if it worked.
// vmwrite: process_vm_writev with zero iovecs (writes nothing even if allowed).
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc < 3) return 2;
    pid_t pid = (pid_t)atoi(argv[1]);
    long r;
    if (strcmp(argv[2], "attach") == 0) {
        r = ptrace(PTRACE_ATTACH, pid, NULL, NULL);
        printf("ptrace_attach=%ld errno=%d\n", r, r < 0 ? errno : 0);
        if (r == 0) {
            waitpid(pid, NULL, __WALL);
            ptrace(PTRACE_DETACH, pid, NULL, NULL);
        }
    } else {
        r = process_vm_writev(pid, NULL, 0, NULL, 0, 0);
        printf("process_vm_writev=%ld errno=%d\n", r, r < 0 ? errno : 0);
    }
    return r < 0 ? 1 : 0;
}

// Asks for a child the tracer could not follow (CLONE_UNTRACED), with clone
// and clone3; prints what the kernel (or agentwatch) answered.
#define _GNU_SOURCE
#include <errno.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void) {
    long r = syscall(SYS_clone, CLONE_UNTRACED | SIGCHLD, 0, 0, 0, 0);
    if (r == 0) _exit(0);
    printf("clone=%ld errno=%s\n", r, r < 0 ? strerror(errno) : "-");
    if (r > 0) waitpid((pid_t)r, NULL, 0);
    struct clone_args ca;
    memset(&ca, 0, sizeof ca);
    ca.flags = CLONE_UNTRACED;
    ca.exit_signal = SIGCHLD;
    r = syscall(SYS_clone3, &ca, sizeof ca);
    if (r == 0) _exit(0);
    printf("clone3=%ld errno=%s\n", r, r < 0 ? strerror(errno) : "-");
    if (r > 0) waitpid((pid_t)r, NULL, 0);
    memset(&ca, 0, sizeof ca);
    ca.exit_signal = SIGCHLD;
    r = syscall(SYS_clone3, &ca, sizeof ca);
    if (r == 0) _exit(4);
    int st = 0;
    if (r > 0) waitpid((pid_t)r, &st, 0);
    printf("plain clone3 child exit=%d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
    return 0;
}

// Children whose kind the tracer cannot tell from the ptrace event alone:
//   thread   a CLONE_THREAD clone with SIGCHLD as exit signal (reported as a fork)
//   parent [F]  a CLONE_PARENT child (its parent is our parent, not us); it opens F
//   setuid U fork after setuid(U) (needs root): the child opens argv[3]
// Prints what each child was, for the test to compare with the trace.
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

// The thread runs no C: it exits at once, so it needs no stack or TLS of its own.
static long clone_exiting_thread(unsigned long flags, void *stack) {
    long ret;
    register long r10 __asm__("r10") = 0;
    register long r8 __asm__("r8") = 0;
    __asm__ volatile(
        "syscall\n\t"
        "test %%rax, %%rax\n\t"
        "jnz 1f\n\t"
        "mov $60, %%eax\n\t"
        "xor %%edi, %%edi\n\t"
        "syscall\n\t"
        "1:\n\t"
        : "=a"(ret)
        : "0"(56L), "D"(flags), "S"(stack), "d"(0L), "r"(r10), "r"(r8)
        : "rcx", "r11", "memory");
    return ret;
}

int main(int argc, char **argv) {
    if (argc < 2) return 2;
    if (strcmp(argv[1], "thread") == 0) {
        char *stack = mmap(NULL, 65536, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        long tid = clone_exiting_thread(CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | SIGCHLD,
                                        stack + 65536);
        struct timespec t = {0, 200 * 1000 * 1000};
        nanosleep(&t, NULL);
        printf("thread %ld of %d\n", tid, getpid());
        return tid > 0 ? 0 : 1;
    }
    if (strcmp(argv[1], "parent") == 0) {
        long child = syscall(SYS_clone, CLONE_PARENT | SIGCHLD, 0, 0, 0, 0);
        if (child == 0) {
            if (argc > 2) close(open(argv[2], O_RDONLY | O_CREAT, 0600));
            _exit(0);
        }
        printf("child %ld of %d sid %d pgid %d\n", child, getppid(), getsid(0), getpgid(0));
        struct timespec t = {0, 200 * 1000 * 1000};
        nanosleep(&t, NULL);
        return child > 0 ? 0 : 1;
    }
    if (strcmp(argv[1], "setuid") == 0 && argc >= 4) {
        if (setuid((uid_t)atoi(argv[2])) != 0) { perror("setuid"); return 3; }
        pid_t child = fork();
        if (child == 0) {
            int fd = open(argv[3], O_RDONLY);
            _exit(fd >= 0 ? 0 : 1);
        }
        int st = 0;
        waitpid(child, &st, 0);
        printf("child %d uid %d\n", child, getuid());
        return 0;
    }
    return 2;
}

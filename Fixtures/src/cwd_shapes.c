// Working directories that change under a task's feet: a thread's chdir
// (shared), a CLONE_FS child's chdir (shared across processes), and a thread
// that unshares its fs_struct first (not shared). After each, the main thread
// opens a relative path; the trace must show where it really pointed.
// Usage: cwd_shapes threads|clonefs|unshare DIR   (run from another directory)
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *dir;

static void *to_dir(void *unshare_first) {
    if (unshare_first && unshare(CLONE_FS) != 0) perror("unshare");
    if (chdir(dir) != 0) perror("chdir");
    return NULL;
}

static void probe(const char *name) {
    int fd = open(name, O_RDONLY);  // relative: where it lands is the point
    if (fd >= 0) close(fd);
}

int main(int argc, char **argv) {
    if (argc < 3) return 2;
    dir = argv[2];
    probe("primer");  // the tracer now knows the starting directory
    if (strcmp(argv[1], "threads") == 0 || strcmp(argv[1], "unshare") == 0) {
        pthread_t t;
        pthread_create(&t, NULL, to_dir, strcmp(argv[1], "unshare") == 0 ? (void *)1 : NULL);
        pthread_join(t, NULL);
    } else if (strcmp(argv[1], "clonefs") == 0) {
        long child = syscall(SYS_clone, CLONE_FS | SIGCHLD, 0, 0, 0, 0);
        if (child == 0) {
            if (chdir(dir) != 0) perror("chdir");
            _exit(0);
        }
        waitpid((pid_t)child, NULL, 0);
    } else {
        return 2;
    }
    probe("after");
    char cwd[4096];
    printf("%s\n", getcwd(cwd, sizeof cwd) ? cwd : "?");
    return 0;
}

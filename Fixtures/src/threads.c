// Four threads each open their own file; the main thread joins them.
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static const char *dir;

static void *worker(void *arg) {
    char path[512];
    snprintf(path, sizeof path, "%s/thread-%ld", dir, (long)arg);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd >= 0) close(fd);
    return NULL;
}

int main(int argc, char **argv) {
    dir = argc > 1 ? argv[1] : "/tmp";
    pthread_t t[4];
    for (long i = 0; i < 4; i++) pthread_create(&t[i], NULL, worker, (void *)i);
    for (int i = 0; i < 4; i++) pthread_join(t[i], NULL);
    return 0;
}

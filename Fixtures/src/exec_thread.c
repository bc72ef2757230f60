// A non-leader thread calls execve: the kernel gives it the leader's pid.
#include <pthread.h>
#include <unistd.h>

static void *run(void *arg) {
    (void)arg;
    char *argv[] = { "echo", "exec-from-thread", NULL };
    execv("/bin/echo", argv);
    return NULL;
}

int main(void) {
    pthread_t t;
    pthread_create(&t, NULL, run, NULL);
    pthread_join(t, NULL);
    return 9;  // not reached when the exec works
}

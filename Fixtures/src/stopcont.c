// Job control under the tracer: a child stops itself, the parent sees the
// stop (WUNTRACED), continues it, and exits with the child's code.
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void) {
    pid_t pid = fork();
    if (pid == 0) {
        raise(SIGSTOP);
        _exit(7);
    }
    int st = 0;
    if (waitpid(pid, &st, WUNTRACED) != pid || !WIFSTOPPED(st)) { puts("no stop seen"); return 2; }
    puts("child stopped");
    kill(pid, SIGCONT);
    waitpid(pid, &st, 0);
    printf("child exited %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 3;
}

// ptrace the way debuggers and anti-debug tricks do: attach to a child of
// its own, then PTRACE_TRACEME. Under agentwatch both fail (already traced).
#include <signal.h>
#include <stdio.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void) {
    pid_t child = fork();
    if (child == 0) { pause(); _exit(0); }
    long a = ptrace(PTRACE_ATTACH, child, NULL, NULL);
    long t = ptrace(PTRACE_TRACEME, 0, NULL, NULL);
    printf("attach=%ld traceme=%ld\n", a, t);
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
    return 0;
}

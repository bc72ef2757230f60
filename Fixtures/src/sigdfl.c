// Runs a command with every signal at its default disposition and unblocked,
// whatever the caller (a test runner, a background job) left ignored.
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc < 2) { fputs("usage: sigdfl CMD [ARG...]\n", stderr); return 2; }
    for (int s = 1; s < NSIG; s++) signal(s, SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    execv(argv[1], argv + 1);
    perror(argv[1]);
    return 127;
}

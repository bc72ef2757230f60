// Prints "ready", waits for SIGINT or SIGTERM, says which, exits 40+signo.
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t got;
static void on(int s) { got = s; }

int main(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    puts("ready");
    fflush(stdout);
    while (!got) pause();
    printf("got %d\n", (int)got);
    return 40 + got;
}

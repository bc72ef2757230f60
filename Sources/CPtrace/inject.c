#include "cptrace.h"

#include <errno.h>
#include <linux/seccomp.h>
#include <stdint.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <signal.h>

// The x86_64 ABI lets a function keep data in the 128 bytes below its stack
// pointer; what we place in the tracee goes below that.
#define RED_ZONE 128
#define SYSCALL_INSN_LEN 2

static int put(pid_t tid, unsigned long addr, const void *buf, size_t len) {
    return cp_write_mem(tid, addr, buf, len) == (ssize_t)len ? 0 : -1;
}

static int get(pid_t tid, unsigned long addr, void *buf, size_t len) {
    return cp_read_mem(tid, addr, buf, len) == (ssize_t)len ? 0 : -1;
}

long cp_inject_filter(pid_t tid, const cp_bpf_insn *filter, unsigned short filter_len, cp_wait_result *ended) {
    struct user_regs_struct saved, regs;
    if (ptrace(PTRACE_GETREGS, tid, 0L, &saved) != 0) return -errno;
    // The layout struct sock_fprog has on x86_64: a 16-bit length, then a pointer at offset 8.
    size_t prog_bytes = (size_t)filter_len * sizeof(cp_bpf_insn);
    size_t need = 16 + prog_bytes;
    unsigned char block[16 + 256 * sizeof(cp_bpf_insn)];
    if (need > sizeof block) return -E2BIG;
    // Below the red zone when that memory is mapped; else on top of the stack,
    // whose bytes are put back before the task runs again.
    unsigned long addr = (saved.rsp - RED_ZONE - need) & ~15UL;
    unsigned char kept[sizeof block];
    int restore = 0;
    uint64_t at = addr + 16;
    memset(block, 0, 16);
    memcpy(block, &filter_len, sizeof filter_len);
    memcpy(block + 8, &at, sizeof at);
    memcpy(block + 16, filter, prog_bytes);
    if (put(tid, addr, block, need) != 0) {
        addr = (saved.rsp + 15) & ~15UL;
        at = addr + 16;
        memcpy(block + 8, &at, sizeof at);
        if (get(tid, addr, kept, need) != 0) return -EFAULT;
        if (put(tid, addr, block, need) != 0) return -EFAULT;
        restore = 1;
    }
    regs = saved;
    regs.orig_rax = SYS_seccomp;
    regs.rdi = SECCOMP_SET_MODE_FILTER;
    regs.rsi = SECCOMP_FILTER_FLAG_TSYNC;
    regs.rdx = addr;
    if (ptrace(PTRACE_SETREGS, tid, 0L, &regs) != 0) return -errno;
    if (ptrace(PTRACE_SYSCALL, tid, 0L, 0L) != 0) return -errno;
    int status = 0;
    for (;;) {
        pid_t w = waitpid(tid, &status, __WALL);
        if (w < 0 && errno != EINTR) return -errno;
        if (w != tid) continue;
        // Injected at a syscall-entry stop, seccomp itself may be a traced call:
        // its seccomp stop comes before the exit.
        if (WIFSTOPPED(status) && (status >> 8) == (SIGTRAP | (PTRACE_EVENT_SECCOMP << 8))) {
            if (ptrace(PTRACE_SYSCALL, tid, 0L, 0L) != 0) return -errno;
            continue;
        }
        break;
    }
    if (!WIFSTOPPED(status)) {
        *ended = cp_wait_decode(tid, status);
        return CP_INJECT_GONE;
    }
    long result = -EPROTO;
    if (WSTOPSIG(status) == (SIGTRAP | 0x80) && ptrace(PTRACE_GETREGS, tid, 0L, &regs) == 0) result = (long)regs.rax;
    if (restore && put(tid, addr, kept, need) != 0 && result == 0) result = -EFAULT;
    // Back to the syscall instruction with the original number: the call runs
    // again, now under both filters, and stops at its entry as before.
    saved.rip -= SYSCALL_INSN_LEN;
    saved.rax = saved.orig_rax;
    if (ptrace(PTRACE_SETREGS, tid, 0L, &saved) != 0) return -errno;
    return result;
}

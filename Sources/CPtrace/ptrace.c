#include <sys/ptrace.h>
#include <linux/ptrace.h>
#include <linux/kcmp.h>
#include "cptrace.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>

cp_wait_result cp_wait(pid_t pid, int nohang) {
    int status = 0;
    pid_t got;
    do {
        got = waitpid(pid, &status, __WALL | (nohang ? WNOHANG : 0));
    } while (got < 0 && errno == EINTR);
    if (got < 0) {
        cp_wait_result r;
        memset(&r, 0, sizeof r);
        r.pid = got;
        r.err = errno;
        return r;
    }
    return cp_wait_decode(got, status);
}

cp_wait_result cp_wait_decode(pid_t pid, int status) {
    cp_wait_result r;
    memset(&r, 0, sizeof r);
    r.pid = pid;
    if (pid <= 0) return r;
    r.status = status;
    if (WIFEXITED(status)) { r.exited = 1; r.exit_code = WEXITSTATUS(status); }
    if (WIFSIGNALED(status)) { r.signaled = 1; r.term_sig = WTERMSIG(status); r.core = WCOREDUMP(status) ? 1 : 0; }
    if (WIFSTOPPED(status)) { r.stopped = 1; r.stop_sig = WSTOPSIG(status); r.event = (status >> 16) & 0xff; }
    return r;
}

int cp_cont(pid_t tid, int sig) { return (int)ptrace(PTRACE_CONT, tid, 0L, (void *)(long)sig); }
int cp_syscall(pid_t tid, int sig) { return (int)ptrace(PTRACE_SYSCALL, tid, 0L, (void *)(long)sig); }
int cp_listen(pid_t tid) { return (int)ptrace(PTRACE_LISTEN, tid, 0L, 0L); }
int cp_interrupt(pid_t tid) { return (int)ptrace(PTRACE_INTERRUPT, tid, 0L, 0L); }
int cp_detach(pid_t tid, int sig) { return (int)ptrace(PTRACE_DETACH, tid, 0L, (void *)(long)sig); }

int cp_geteventmsg(pid_t tid, unsigned long *msg) {
    return (int)ptrace(PTRACE_GETEVENTMSG, tid, 0L, msg);
}

int cp_getsiginfo_code(pid_t tid, int *signo, int *code, pid_t *sender) {
    siginfo_t si;
    if (ptrace(PTRACE_GETSIGINFO, tid, 0L, &si) != 0) return -1;
    *signo = si.si_signo;
    *code = si.si_code;
    *sender = si.si_pid;
    return 0;
}

int cp_get_syscall_info(pid_t tid, cp_syscall_info *out) {
    struct ptrace_syscall_info info;
    memset(&info, 0, sizeof info);
    memset(out, 0, sizeof *out);
    long n = ptrace(PTRACE_GET_SYSCALL_INFO, tid, (void *)sizeof info, &info);
    if (n <= 0) return -1;
    out->arch = info.arch;
    out->ip = info.instruction_pointer;
    out->sp = info.stack_pointer;
    switch (info.op) {
    case PTRACE_SYSCALL_INFO_ENTRY:
        out->op = CP_OP_ENTRY;
        out->nr = info.entry.nr;
        memcpy(out->args, info.entry.args, sizeof out->args);
        break;
    case PTRACE_SYSCALL_INFO_EXIT:
        out->op = CP_OP_EXIT;
        out->rval = info.exit.rval;
        out->is_error = info.exit.is_error;
        break;
    case PTRACE_SYSCALL_INFO_SECCOMP:
        out->op = CP_OP_SECCOMP;
        out->nr = info.seccomp.nr;
        memcpy(out->args, info.seccomp.args, sizeof out->args);
        out->ret_data = info.seccomp.ret_data;
        break;
    default:
        out->op = CP_OP_NONE;
    }
    return 0;
}

int cp_creator_is_parent(pid_t creator) {
    struct user_regs_struct regs;
    if (ptrace(PTRACE_GETREGS, creator, 0L, &regs) != 0) return -1;
    // A 32-bit call (int 0x80) leaves its own numbers here: none of them
    // that makes a process equals these three.
    switch (regs.orig_rax) {
    case SYS_fork:
    case SYS_vfork:
        return 1;
    case SYS_clone:
        return (regs.rdi & CLONE_PARENT) == 0;
    default:
        return 0;
    }
}

int cp_set_syscall_nr(pid_t tid, long nr) {
    struct user_regs_struct regs;
    if (ptrace(PTRACE_GETREGS, tid, 0L, &regs) != 0) return -1;
    regs.orig_rax = (unsigned long)nr;
    return (int)ptrace(PTRACE_SETREGS, tid, 0L, &regs);
}

int cp_set_return(pid_t tid, long value) {
    struct user_regs_struct regs;
    if (ptrace(PTRACE_GETREGS, tid, 0L, &regs) != 0) return -1;
    regs.rax = (unsigned long)value;
    return (int)ptrace(PTRACE_SETREGS, tid, 0L, &regs);
}

int cp_set_arg(pid_t tid, int index, int compat32, unsigned long value) {
    struct user_regs_struct regs;
    if (ptrace(PTRACE_GETREGS, tid, 0L, &regs) != 0) return -1;
    unsigned long long *slot = NULL;
    if (compat32) {
        unsigned long long *order[6] = { &regs.rbx, &regs.rcx, &regs.rdx, &regs.rsi, &regs.rdi, &regs.rbp };
        if (index < 0 || index > 5) { errno = EINVAL; return -1; }
        slot = order[index];
    } else {
        unsigned long long *order[6] = { &regs.rdi, &regs.rsi, &regs.rdx, &regs.r10, &regs.r8, &regs.r9 };
        if (index < 0 || index > 5) { errno = EINVAL; return -1; }
        slot = order[index];
    }
    *slot = value;
    return (int)ptrace(PTRACE_SETREGS, tid, 0L, &regs);
}

int cp_kill(pid_t pid, int sig) { return kill(pid, sig); }
int cp_tgkill(pid_t tgid, pid_t tid, int sig) { return (int)syscall(SYS_tgkill, tgid, tid, sig); }
int cp_kcmp_fs(pid_t a, pid_t b) { return (int)syscall(SYS_kcmp, a, b, KCMP_FS, 0, 0); }
int cp_kcmp_files(pid_t a, pid_t b) { return (int)syscall(SYS_kcmp, a, b, KCMP_FILES, 0, 0); }

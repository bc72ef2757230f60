#include "cptrace.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

void cp_child_restore_signals(void);

static void child_fail(int fd, int err) {
    (void)!write(fd, &err, sizeof err);
    _exit(err == ENOENT ? 127 : 126);
}

cp_spawn_result cp_spawn(const char *path, char *const argv[], char *const envp[],
                         const cp_bpf_insn *filter, unsigned short filter_len,
                         unsigned long options) {
    cp_spawn_result r = { .pid = -1, .err = 0, .step = "", .exec_err_fd = -1 };
    int go[2], report[2];
    if (pipe2(go, O_CLOEXEC) != 0) { r.err = errno; r.step = "pipe"; return r; }
    if (pipe2(report, O_CLOEXEC) != 0) {
        r.err = errno; r.step = "pipe";
        close(go[0]); close(go[1]);
        return r;
    }
    pid_t pid = fork();
    if (pid < 0) {
        r.err = errno; r.step = "fork";
        close(go[0]); close(go[1]); close(report[0]); close(report[1]);
        return r;
    }
    if (pid == 0) {
        // Only async-signal-safe calls from here on: the parent is multithreaded.
        close(go[1]);
        close(report[0]);
        cp_child_restore_signals();
        char c;
        while (read(go[0], &c, 1) < 0 && errno == EINTR) {}
        close(go[0]);
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) child_fail(report[1], errno);
        if (filter_len > 0) {
            struct sock_fprog prog = { .len = filter_len, .filter = (struct sock_filter *)filter };
            if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) != 0) child_fail(report[1], errno);
        }
        execve(path, argv, envp);
        child_fail(report[1], errno);
    }
    close(go[0]);
    close(report[1]);
    if (ptrace(PTRACE_SEIZE, pid, 0L, (void *)options) != 0) {
        r.err = errno; r.step = "seize";
        kill(pid, SIGKILL);
        close(go[1]); close(report[0]);
        return r;
    }
    close(go[1]);  // EOF releases the child
    r.pid = pid;
    r.exec_err_fd = report[0];
    return r;
}

// Puts a socket on another process's descriptor 1 without that process
// calling dup2: the child installs a seccomp filter with a listener
// (SECCOMP_FILTER_FLAG_NEW_LISTENER) that notifies getppid, hands the listener
// to its parent, and calls getppid; the parent, as supervisor, adds its pool
// socket to the child as descriptor 1 (SECCOMP_IOCTL_NOTIF_ADDFD with SETFD)
// and lets the call return. The child then writes its stratum request to 1.
//   rogue_seccomp_addfd PORT
// Prints "went through" on stderr if the write went out (it must not under the pack).
#define _GNU_SOURCE
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "stratum.h"

static void send_fd(int via, int fd) {
    char byte = 0;
    struct iovec iov = {&byte, 1};
    char control[CMSG_SPACE(sizeof(int))];
    struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof control};
    struct cmsghdr *c = CMSG_FIRSTHDR(&m);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &fd, sizeof(int));
    sendmsg(via, &m, 0);
}

static int recv_fd(int via) {
    char byte;
    struct iovec iov = {&byte, 1};
    char control[CMSG_SPACE(sizeof(int))];
    struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof control};
    if (recvmsg(via, &m, 0) != 1) return -1;
    struct cmsghdr *c = CMSG_FIRSTHDR(&m);
    int fd = -1;
    if (c && c->cmsg_type == SCM_RIGHTS) memcpy(&fd, CMSG_DATA(c), sizeof(int));
    return fd;
}

int main(int argc, char **argv) {
    if (argc < 2) return 2;
    int pair[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, pair) != 0) return 3;
    pid_t child = fork();
    if (child == 0) {
        struct sock_filter insns[] = {
            BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
            BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getppid, 0, 1),
            BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
            BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        };
        struct sock_fprog prog = {sizeof insns / sizeof insns[0], insns};
        prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
        int listener = (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
        if (listener < 0) {
            perror("seccomp");
            _exit(4);
        }
        send_fd(pair[1], listener);
        close(listener);
        syscall(SYS_getppid);  // the supervisor puts the socket on 1 meanwhile
        stratum_write(1);
        _exit(0);
    }
    int s = pool_connect(argv[1]);
    if (s < 0) return 5;
    int listener = recv_fd(pair[0]);
    if (listener < 0) return 6;
    struct seccomp_notif req;
    memset(&req, 0, sizeof req);
    if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &req) != 0) {
        perror("NOTIF_RECV");
        return 7;
    }
    struct seccomp_notif_addfd add = {.id = req.id, .flags = SECCOMP_ADDFD_FLAG_SETFD, .srcfd = (unsigned)s, .newfd = 1};
    if (ioctl(listener, SECCOMP_IOCTL_NOTIF_ADDFD, &add) < 0) perror("NOTIF_ADDFD");
    struct seccomp_notif_resp resp = {.id = req.id, .flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE};
    ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp);
    int status;
    waitpid(child, &status, 0);
    return 0;
}

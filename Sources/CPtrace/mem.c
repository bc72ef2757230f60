#include <sys/ptrace.h>
#include "cptrace.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif

static const uint64_t page_size = 4096;

static ssize_t peek_read(pid_t tid, uint64_t addr, void *buf, size_t len) {
    size_t done = 0;
    unsigned char *out = buf;
    while (done < len) {
        uint64_t at = addr + done;
        uint64_t aligned = at & ~(uint64_t)7;
        errno = 0;
        long word = ptrace(PTRACE_PEEKDATA, tid, (void *)aligned, 0L);
        if (errno != 0) break;
        size_t skip = (size_t)(at - aligned);
        size_t take = sizeof word - skip;
        if (take > len - done) take = len - done;
        memcpy(out + done, (unsigned char *)&word + skip, take);
        done += take;
    }
    if (done == 0) return -1;
    return (ssize_t)done;
}

// Set from AGENTWATCH_FORCE_PEEK so tests exercise the PTRACE_PEEKDATA path.
static int force_peek = -1;

ssize_t cp_read_mem(pid_t tid, uint64_t addr, void *buf, size_t len) {
    if (len == 0) return 0;
    if (force_peek < 0) force_peek = getenv("AGENTWATCH_FORCE_PEEK") != NULL;
    if (force_peek) return peek_read(tid, addr, buf, len);
    struct iovec local = { .iov_base = buf, .iov_len = len };
    struct iovec remote = { .iov_base = (void *)addr, .iov_len = len };
    ssize_t n = process_vm_readv(tid, &local, 1, &remote, 1, 0);
    if (n > 0) return n;
    if (n < 0 && errno != EPERM && errno != ENOSYS && errno != EFAULT) return -1;
    return peek_read(tid, addr, buf, len);
}

ssize_t cp_read_string(pid_t tid, uint64_t addr, char *buf, size_t max, int *complete) {
    *complete = 0;
    size_t done = 0;
    if (max == 0) return 0;
    while (done < max) {
        uint64_t at = addr + done;
        size_t chunk = (size_t)(page_size - (at % page_size));
        if (chunk > max - done) chunk = max - done;
        ssize_t n = cp_read_mem(tid, at, buf + done, chunk);
        if (n <= 0) return done > 0 ? (ssize_t)done : -1;
        void *nul = memchr(buf + done, 0, (size_t)n);
        if (nul != NULL) {
            *complete = 1;
            return (ssize_t)((char *)nul - buf);
        }
        done += (size_t)n;
        if ((size_t)n < chunk) return (ssize_t)done;
    }
    return (ssize_t)done;
}

ssize_t cp_write_mem(pid_t tid, uint64_t addr, const void *buf, size_t len) {
    struct iovec local = { .iov_base = (void *)buf, .iov_len = len };
    struct iovec remote = { .iov_base = (void *)addr, .iov_len = len };
    return process_vm_writev(tid, &local, 1, &remote, 1, 0);
}

/* A pidfd per process, kept: opening one costs more than the rest of reading
 * a socket's addresses. Per tracer thread (ptrace is), direct-mapped by pid so
 * that at most PIDFD_SLOTS descriptors stay open; a slot taken by another pid
 * is closed. A pidfd names one process, never a later one with the same pid:
 * pidfd_getfd answers ESRCH once it is gone, and the slot is opened again. */
#define PIDFD_SLOTS 64
typedef struct { pid_t pid; int fd; } kept_fd;
static _Thread_local kept_fd pidfds[PIDFD_SLOTS];

/* The descriptor kept for `pid` in `table`, opened by `open_for` when the slot
 * holds another pid, nothing, or (`reopen`) one that has just failed. */
static int kept_of(kept_fd *table, pid_t pid, int reopen, int (*open_for)(pid_t)) {
    kept_fd *slot = &table[(unsigned)pid % PIDFD_SLOTS];
    if (slot->pid == pid && slot->fd > 0 && !reopen) return slot->fd;
    if (slot->pid != 0 && slot->fd > 0) close(slot->fd);
    slot->pid = 0;
    int fd = open_for(pid);
    if (fd < 0) return -1;
    slot->pid = pid;
    slot->fd = fd;
    return fd;
}

static int open_pidfd(pid_t pid) { return (int)syscall(SYS_pidfd_open, pid, 0); }

static int pidfd_of(pid_t pid, int reopen) { return kept_of(pidfds, pid, reopen, open_pidfd); }

int cp_dup_tracee_fd(pid_t pid, int fd) {
    int pidfd = pidfd_of(pid, 0);
    if (pidfd < 0) return -1;
    int mine = (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);
    if (mine < 0 && errno == ESRCH) {
        pidfd = pidfd_of(pid, 1);
        if (pidfd < 0) return -1;
        mine = (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);
    }
    return mine;
}

/* /proc/PID/fd of each process, kept the same way: a readlinkat in it skips
 * the walk of /proc that a readlink of the whole path makes at every write
 * (6.3 against 9.0 µs a lookup, a C loop). The directory of a process that
 * ended answers ENOENT, never a later process's descriptors: any failure opens
 * the directory again once before it counts. */
static _Thread_local kept_fd fddirs[PIDFD_SLOTS];

static int open_fddir(pid_t pid) {
    char path[40];
    snprintf(path, sizeof path, "/proc/%d/fd", (int)pid);
    return open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

static int fddir_of(pid_t pid, int reopen) { return kept_of(fddirs, pid, reopen, open_fddir); }

ssize_t cp_fd_link(pid_t pid, int fd, char *buf, size_t cap) {
    char name[16];
    snprintf(name, sizeof name, "%d", fd);
    int dir = fddir_of(pid, 0);
    if (dir >= 0) {
        ssize_t n = readlinkat(dir, name, buf, cap);
        if (n >= 0) return n;
    }
    dir = fddir_of(pid, 1);
    if (dir < 0) return -1;
    return readlinkat(dir, name, buf, cap);
}

static void forget_slot(kept_fd *slot, pid_t pid) {
    if (slot->pid == pid && slot->fd > 0) {
        int saved = errno;
        close(slot->fd);
        errno = saved;
        slot->pid = 0;
        slot->fd = 0;
    }
}

void cp_forget_process(pid_t pid) {
    size_t i = (unsigned)pid % PIDFD_SLOTS;
    forget_slot(&pidfds[i], pid);
    forget_slot(&fddirs[i], pid);
}

int cp_socket_facts_of(int fd, cp_socket_facts *out) {
    memset(out, 0, sizeof *out);
    socklen_t len = sizeof out->domain;
    if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &out->domain, &len) != 0) return -1;
    len = sizeof out->type;
    getsockopt(fd, SOL_SOCKET, SO_TYPE, &out->type, &len);
    len = sizeof out->protocol;
    getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &out->protocol, &len);
    socklen_t l = sizeof out->local;
    if (getsockname(fd, (struct sockaddr *)out->local, &l) == 0) out->local_len = l;
    l = sizeof out->peer;
    if (getpeername(fd, (struct sockaddr *)out->peer, &l) == 0) out->peer_len = l;
    if (out->domain == AF_UNIX) {
        struct ucred cred;
        socklen_t cl = sizeof cred;
        if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &cl) == 0) out->peer_pid = cred.pid;
    }
    struct stat st;
    if (fstat(fd, &st) == 0) out->inode = (unsigned long)st.st_ino;
    return 0;
}

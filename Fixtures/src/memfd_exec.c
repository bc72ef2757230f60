// File-less execution: copy /bin/echo into a memfd and execveat it.
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void) {
    int fd = memfd_create("payload", MFD_CLOEXEC);
    int src = open("/bin/echo", O_RDONLY);
    char buf[65536];
    ssize_t n;
    while ((n = read(src, buf, sizeof buf)) > 0) write(fd, buf, (size_t)n);
    close(src);
    char *argv[] = { "echo", "from-memfd", NULL };
    char *envp[] = { NULL };
    syscall(SYS_execveat, fd, "", argv, envp, AT_EMPTY_PATH);
    return 5;
}

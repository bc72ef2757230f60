// Syscalls whose pointers lead nowhere: the tracer must say it could not
// read them rather than invent a value.
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void) {
    syscall(SYS_openat, AT_FDCWD, (const char *)8, O_RDONLY);
    int s = socket(AF_INET, SOCK_STREAM, 0);
    syscall(SYS_connect, s, (void *)16, 16);
    char *argv[] = { "x", NULL };
    syscall(SYS_execve, (const char *)24, argv, NULL);
    return 0;
}

// Sets up an io_uring (raw syscall, no liburing): the queue whose operations
// a syscall tracer never sees. Prints the result and errno.
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void) {
    unsigned char params[120];  // struct io_uring_params, zeroed
    memset(params, 0, sizeof params);
    long fd = syscall(SYS_io_uring_setup, 4, params);
    printf("io_uring_setup=%ld errno=%d\n", fd, fd < 0 ? errno : 0);
    if (fd >= 0) close((int)fd);
    return fd < 0 ? 1 : 0;
}

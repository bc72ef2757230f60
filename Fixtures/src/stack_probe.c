// Opens a path from two named functions deep, so an alert's stack can be
// checked frame by frame.
#include <fcntl.h>
#include <unistd.h>

__attribute__((noinline)) int open_the_file(const char *path) {
    int fd = open(path, O_WRONLY | O_CREAT, 0600);
    if (fd >= 0) close(fd);
    return fd;
}

__attribute__((noinline)) int write_report(const char *path) {
    int r = open_the_file(path);
    __asm__ volatile("" ::: "memory");  // keep this frame
    return r;
}

int main(int argc, char **argv) {
    return write_report(argc > 1 ? argv[1] : "/tmp/stack-probe") >= 0 ? 0 : 1;
}

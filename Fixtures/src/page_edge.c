// A path whose NUL is the last byte of a page followed by an unmapped page:
// a reader that asks for bytes past the NUL would fault.
#define _GNU_SOURCE
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void) {
    char *pages = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (pages == MAP_FAILED) return 2;
    munmap(pages + 4096, 4096);
    const char path[] = "/etc/hostname";
    char *at = pages + 4096 - sizeof path;
    memcpy(at, path, sizeof path);
    int fd = (int)syscall(SYS_openat, AT_FDCWD, at, O_RDONLY);
    return fd >= 0 ? 0 : 1;
}

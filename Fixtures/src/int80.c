// A 64-bit program making i386 syscalls through int 0x80: open of a path,
// write, and socketcall(SOCKET) + socketcall(CONNECT) to 127.0.0.1:PORT.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

static long sys32(long nr, long a, long b, long c) {
    long r;
    __asm__ volatile("int $0x80" : "=a"(r) : "a"(nr), "b"(a), "c"(b), "d"(c) : "memory");
    return r;
}

int main(int argc, char **argv) {
    int port = argc > 1 ? atoi(argv[1]) : 9;
    // i386 pointers must fit in 32 bits.
    unsigned char *low = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
    if (low == MAP_FAILED) return 2;
    strcpy((char *)low, "/etc/hostname");
    long fd = sys32(5, (long)(uintptr_t)low, 0, 0);           // open
    strcpy((char *)low + 64, "int80-write\n");
    sys32(4, 1, (long)(uintptr_t)(low + 64), 12);             // write
    uint32_t *args = (uint32_t *)(low + 256);
    args[0] = 2; args[1] = 1; args[2] = 0;                    // AF_INET, SOCK_STREAM, 0
    long s = sys32(102, 1, (long)(uintptr_t)args, 0);         // socketcall(SOCKET)
    unsigned char *sa = low + 512;
    memset(sa, 0, 16);
    sa[0] = 2; sa[2] = (unsigned char)(port >> 8); sa[3] = (unsigned char)port;
    sa[4] = 127; sa[7] = 1;
    args[0] = (uint32_t)s; args[1] = (uint32_t)(uintptr_t)sa; args[2] = 16;
    long c = sys32(102, 3, (long)(uintptr_t)args, 0);         // socketcall(CONNECT)
    printf("open=%ld socket=%ld connect=%ld\n", fd, s, c);
    return 0;
}

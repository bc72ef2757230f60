// File-system calls on a directory given as argv[1], several relative to a
// directory descriptor or to a changed cwd.
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc < 2) return 2;
    const char *d = argv[1];
    char p[1024], q[1024];
    snprintf(p, sizeof p, "%s/sub", d);
    mkdir(p, 0755);
    if (chdir(p) != 0) return 3;
    int fd = open("rel.txt", O_WRONLY | O_CREAT, 0644);       // relative to the new cwd
    write(fd, "x", 1);
    close(fd);
    chmod("rel.txt", 0700);
    symlink("rel.txt", "link.txt");
    link("rel.txt", "hard.txt");
    int dfd = open(p, O_RDONLY | O_DIRECTORY);
    renameat2(dfd, "hard.txt", dfd, "moved.txt", 0);
    fchmodat(dfd, "moved.txt", 0600, 0);
    mkdirat(dfd, "inner", 0700);
    unlinkat(dfd, "inner", AT_REMOVEDIR);
    snprintf(q, sizeof q, "%s/../sub/./moved.txt", p);
    rename(q, "final.txt");
    unlink("link.txt");
    unlink("final.txt");
    unlink("rel.txt");
    close(dfd);
    return 0;
}

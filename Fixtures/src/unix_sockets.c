// AF_UNIX: a path socket and an abstract one, each bound, connected and written.
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int pair(struct sockaddr_un *a, socklen_t len) {
    int srv = socket(AF_UNIX, SOCK_STREAM, 0);
    if (bind(srv, (struct sockaddr *)a, len) != 0 || listen(srv, 1) != 0) return 2;
    int c = socket(AF_UNIX, SOCK_STREAM, 0);
    if (connect(c, (struct sockaddr *)a, len) != 0) return 3;
    write(c, "over-unix", 9);
    close(c);
    close(srv);
    return 0;
}

int main(int argc, char **argv) {
    struct sockaddr_un a = { .sun_family = AF_UNIX };
    snprintf(a.sun_path, sizeof a.sun_path, "%s/agentwatch.sock", argc > 1 ? argv[1] : "/tmp");
    unlink(a.sun_path);
    int r = pair(&a, sizeof a);
    unlink(a.sun_path);
    if (r) return r;
    struct sockaddr_un b = { .sun_family = AF_UNIX };
    const char name[] = "agentwatch-abstract";
    memcpy(b.sun_path + 1, name, sizeof name - 1);
    return pair(&b, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + sizeof name - 1));
}

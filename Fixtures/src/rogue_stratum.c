// A miner's first words to its pool, on 127.0.0.1:PORT, by a chosen syscall:
//   rogue_stratum PORT write|send|sendmsg|writev|login
// Prints "sent N" if the bytes went out (they must not under the pack).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

static const char subscribe[] =
    "{\"id\":1,\"method\":\"mining.subscribe\",\"params\":[\"cpuminer/2.5.1\"]}\n";
static const char login[] =
    "{\"id\":1,\"jsonrpc\":\"2.0\",\"method\":\"login\",\"params\":{\"login\":\"44AFFq5kSiGBoZ\","
    "\"pass\":\"x\",\"agent\":\"XMRig/6.21.0 (Linux x86_64) libuv/1.44.2 gcc/12.2.0\",\"algo\":[\"rx/0\"]}}\n";

int main(int argc, char **argv) {
    if (argc < 3) return 2;
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((unsigned short)atoi(argv[1])) };
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    if (connect(s, (struct sockaddr *)&a, sizeof a) != 0) { perror("connect"); return 3; }
    const char *mode = argv[2];
    const char *msg = strcmp(mode, "login") == 0 ? login : subscribe;
    size_t len = strlen(msg);
    ssize_t n = -1;
    if (strcmp(mode, "write") == 0 || strcmp(mode, "login") == 0) {
        n = write(s, msg, len);
    } else if (strcmp(mode, "send") == 0) {
        n = send(s, msg, len, 0);
    } else if (strcmp(mode, "sendmsg") == 0) {
        struct iovec iov = { .iov_base = (void *)msg, .iov_len = len };
        struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
        n = sendmsg(s, &m, 0);
    } else if (strcmp(mode, "writev") == 0) {
        // Split so that no single iovec holds the whole request.
        struct iovec iov[2] = { { (void *)msg, 10 }, { (void *)(msg + 10), len - 10 } };
        n = writev(s, iov, 2);
    }
    printf("sent %zd\n", n);
    return n > 0 ? 0 : 4;
}

// UDP without connect: sendto, sendmsg and sendmmsg with explicit addresses
// to a receiver of its own on 127.0.0.1, plus one datagram to [::1].
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(void) {
    int rx = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = 0 };
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    bind(rx, (struct sockaddr *)&a, sizeof a);
    socklen_t len = sizeof a;
    getsockname(rx, (struct sockaddr *)&a, &len);
    int tx = socket(AF_INET, SOCK_DGRAM, 0);
    const char *m1 = "hello-sendto";
    sendto(tx, m1, strlen(m1), 0, (struct sockaddr *)&a, sizeof a);
    struct iovec iov[2] = { { "hello-", 6 }, { "sendmsg", 7 } };
    struct msghdr mh = { .msg_name = &a, .msg_namelen = sizeof a, .msg_iov = iov, .msg_iovlen = 2 };
    sendmsg(tx, &mh, 0);
    struct iovec v1 = { "mmsg-one", 8 }, v2 = { "mmsg-two", 8 };
    struct mmsghdr mm[2];
    memset(mm, 0, sizeof mm);
    mm[0].msg_hdr = (struct msghdr){ .msg_name = &a, .msg_namelen = sizeof a, .msg_iov = &v1, .msg_iovlen = 1 };
    mm[1].msg_hdr = (struct msghdr){ .msg_name = &a, .msg_namelen = sizeof a, .msg_iov = &v2, .msg_iovlen = 1 };
    sendmmsg(tx, mm, 2, 0);
    char buf[64];
    for (int i = 0; i < 4; i++) recv(rx, buf, sizeof buf, MSG_DONTWAIT);
    int rx6 = socket(AF_INET6, SOCK_DGRAM, 0);
    struct sockaddr_in6 b = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
    if (bind(rx6, (struct sockaddr *)&b, sizeof b) == 0) {
        len = sizeof b;
        getsockname(rx6, (struct sockaddr *)&b, &len);
        int tx6 = socket(AF_INET6, SOCK_DGRAM, 0);
        sendto(tx6, "hello-v6", 8, 0, (struct sockaddr *)&b, sizeof b);
        close(tx6);
    }
    return 0;
}

// What the stratum fixtures share: a connection to the pool on 127.0.0.1, and a
// subscribe request kept shifted by one byte, so that the binaries carry no
// miner marker (agentwatch's exec-time scan would kill them before they could
// connect) and what gives them away is the bytes they send.
#ifndef STRATUM_H
#define STRATUM_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static const char stratum_subscribe_enc[] =
    "|#je#;2-#nfuipe#;#njojoh/tvctdsjcf#-#qbsbnt#;\\#dqvnjofs03/6/2#^~";

// A TCP connection to 127.0.0.1:PORT (decimal text), or -1.
static int pool_connect(const char *port) {
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short)atoi(port))};
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    if (s < 0 || connect(s, (struct sockaddr *)&a, sizeof a) != 0) return -1;
    return s;
}

// Writes the request and its newline to `fd` with write(2); says "went
// through" on stderr when it went out (under the pack it must not).
static void stratum_write(int fd) {
    char msg[sizeof stratum_subscribe_enc + 1];
    size_t n = strlen(stratum_subscribe_enc);
    for (size_t i = 0; i < n; i++) msg[i] = (char)(stratum_subscribe_enc[i] - 1);
    msg[n] = '\n';
    if (write(fd, msg, n + 1) == (ssize_t)(n + 1)) write(2, "went through\n", 13);
}

#endif

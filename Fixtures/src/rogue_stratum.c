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

// The requests are stored shifted by one byte and decoded at run time, as a
// packed miner hides its strings: the binary itself carries no miner marker
// (agentwatch's exec-time scan would kill it before it could connect), so
// what gives it away is the bytes it sends.
static const char subscribe_enc[] =
    "|#je#;2-#nfuipe#;#njojoh/tvctdsjcf#-#qbsbnt#;\\#dqvnjofs03/6/2#^~";
static const char login_enc[] =
    "|#je#;2-#ktposqd#;#3/1#-#nfuipe#;#mphjo#-#qbsbnt#;|#mphjo#;#55BGGr6lTjHCp[#-"
    "#qbtt#;#y#-#bhfou#;#YNSjh07/32/1!)Mjovy!y97`75*#-#bmhp#;\\#sy01#^~~";

static char *decode(const char *enc) {
    size_t n = strlen(enc);
    char *out = malloc(n + 2);
    if (!out) exit(2);
    for (size_t i = 0; i < n; i++) out[i] = (char)(enc[i] - 1);
    out[n] = '\n';
    out[n + 1] = 0;
    return out;
}

int main(int argc, char **argv) {
    if (argc < 3) return 2;
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((unsigned short)atoi(argv[1])) };
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    if (connect(s, (struct sockaddr *)&a, sizeof a) != 0) { perror("connect"); return 3; }
    const char *mode = argv[2];
    const char *msg = decode(strcmp(mode, "login") == 0 ? login_enc : subscribe_enc);
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

// Statically linked, so nothing opens (and closes) a file on the way in: run
// with descriptor 1 closed by an exec, its socket takes descriptor 1 and it
// writes its stratum request there with write(2).
//   stdio_stratum_static PORT
// Prints "went through" on stderr if the write went out (it must not under the pack).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

// Shifted by one byte, as in rogue_stratum.c: the binary carries no miner marker.
static const char subscribe_enc[] =
    "|#je#;2-#nfuipe#;#njojoh/tvctdsjcf#-#qbsbnt#;\\#dqvnjofs03/6/2#^~";

int main(int argc, char **argv) {
    if (argc < 2) return 2;
    int s = socket(AF_INET, SOCK_STREAM, 0);
    if (s != 1) {
        fprintf(stderr, "socket on %d, not 1\n", s);
        return 3;
    }
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((unsigned short)atoi(argv[1])) };
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    if (connect(s, (struct sockaddr *)&a, sizeof a) != 0) return 4;
    char msg[sizeof subscribe_enc + 1];
    size_t n = strlen(subscribe_enc);
    for (size_t i = 0; i < n; i++) msg[i] = (char)(subscribe_enc[i] - 1);
    msg[n] = '\n';
    if (write(1, msg, n + 1) == (ssize_t)(n + 1)) write(2, "went through\n", 13);
    return 0;
}

// Races a checked address: one thread connects, again and again, with the
// sockaddr held in a shared buffer, while another flips its port between an
// allowed listener and a forbidden one. Prints how many connections reached the
// forbidden port ("forbidden N") out of how many connects succeeded.
// Usage: race_connect ALLOWED_PORT FORBIDDEN_PORT ROUNDS   (127.0.0.1 only)
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static struct sockaddr_in addr;
static unsigned short allowed, forbidden;
static volatile int done;

static void *flipper(void *arg) {
    (void)arg;
    while (!done) {
        // The barriers keep the compiler from dropping a store nobody reads here.
        addr.sin_port = htons(forbidden);
        __asm__ volatile("" ::: "memory");
        for (volatile int i = 0; i < 200; i++) {}
        addr.sin_port = htons(allowed);
        __asm__ volatile("" ::: "memory");
        for (volatile int i = 0; i < 2000; i++) {}
    }
    return NULL;
}

int main(int argc, char **argv) {
    if (argc != 4) return 2;
    allowed = (unsigned short)atoi(argv[1]);
    forbidden = (unsigned short)atoi(argv[2]);
    int rounds = atoi(argv[3]);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(allowed);
    pthread_t t;
    pthread_create(&t, NULL, flipper, NULL);
    int reached = 0, connected = 0;
    for (int i = 0; i < rounds; i++) {
        int s = socket(AF_INET, SOCK_STREAM, 0);
        if (s < 0) break;
        if (connect(s, (struct sockaddr *)&addr, sizeof addr) == 0) {
            connected++;
            struct sockaddr_in peer;
            socklen_t len = sizeof peer;
            if (getpeername(s, (struct sockaddr *)&peer, &len) == 0 && ntohs(peer.sin_port) == forbidden) {
                reached++;
                (void)write(s, "x", 1);
            }
        }
        close(s);
    }
    done = 1;
    pthread_join(t, NULL);
    printf("forbidden %d connected %d\n", reached, connected);
    return 0;
}

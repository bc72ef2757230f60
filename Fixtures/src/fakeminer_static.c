// Imitates a miner's binary identity without mining: statically linked,
// carrying the algorithm names a real miner links in. Prints and exits.
#include <stdio.h>

static const char *const algorithms[] = { "RandomX", "cryptonight/r", "argon2/chukwa" };

int main(void) {
    printf("worker ready (%s, %s, %s)\n", algorithms[0], algorithms[1], algorithms[2]);
    return 0;
}

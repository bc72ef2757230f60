// Where a task last ran, and moving the tracer there: a stop whose tracer and
// tracee share a CPU costs a context switch, not a cross-CPU wake-up.
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cptrace.h"

int cp_task_cpu(pid_t tid) {
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)tid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0) return -1;
    buf[n] = 0;
    // Field 39 (processor), counting from the state field after the last ')'.
    char *p = strrchr(buf, ')');
    if (!p) return -1;
    int field = 2;
    for (p++; *p && field < 39; p++) {
        if (*p == ' ') field++;
    }
    if (field != 39) return -1;
    int cpu = 0, digits = 0;
    for (; *p >= '0' && *p <= '9'; p++, digits++) cpu = cpu * 10 + (*p - '0');
    return digits ? cpu : -1;
}

int cp_run_on_cpu(int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return sched_setaffinity(0, sizeof set, &set);
}

int cp_run_anywhere(void) {
    cpu_set_t set;
    CPU_ZERO(&set);
    long n = sysconf(_SC_NPROCESSORS_CONF);
    for (long i = 0; i < n && i < CPU_SETSIZE; i++) CPU_SET(i, &set);
    return sched_setaffinity(0, sizeof set, &set);
}

// CPU masks of tasks, for sharing one CPU with a task that stops often (see
// CoLocation.swift): a stop between CPUs wakes an idle vCPU twice.
#include <sched.h>

#include "cptrace.h"

_Static_assert(sizeof(cp_cpu_mask) == sizeof(cpu_set_t), "cp_cpu_mask mirrors cpu_set_t");

int cp_current_cpu(void) { return sched_getcpu(); }

int cp_get_affinity(pid_t tid, cp_cpu_mask *mask) {
    return sched_getaffinity(tid, sizeof(cpu_set_t), (cpu_set_t *)mask);
}

int cp_set_affinity(pid_t tid, const cp_cpu_mask *mask) {
    return sched_setaffinity(tid, sizeof(cpu_set_t), (const cpu_set_t *)mask);
}

int cp_pin_to_cpu(pid_t tid, int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return sched_setaffinity(tid, sizeof set, &set);
}

int cp_mask_has(const cp_cpu_mask *mask, int cpu) {
    return cpu >= 0 && cpu < CPU_SETSIZE && CPU_ISSET(cpu, (const cpu_set_t *)mask);
}

int cp_mask_is_only(const cp_cpu_mask *mask, int cpu) {
    return CPU_COUNT((const cpu_set_t *)mask) == 1 && cp_mask_has(mask, cpu);
}

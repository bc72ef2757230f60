#!/usr/bin/python3
"""make bench: wall time of workloads natively, under strace and under agentwatch.

Runs are interleaved (every configuration once per round) so that machine noise
spreads evenly; medians and ratios to native go to stdout and bench/RESULTS.md.
Usage: bench/run.py [--runs N] [--only WORKLOAD,...] [--configs CONFIG,...]
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
AW = os.path.join(ROOT, ".build/release/agentwatch")


def decoded_syscalls():
    """The set agentwatch stops on by default, as strace understands it."""
    out = subprocess.run([AW, "run", "--print", "--syscalls", "execve", "--", "/bin/true"],
                         capture_output=True, text=True)
    del out  # only to make sure the binary runs
    names = ("execve execveat fork vfork clone clone3 open openat openat2 creat socket socketpair connect bind "
             "listen accept accept4 sendto sendmsg sendmmsg recvfrom write writev dup dup2 dup3 fcntl close "
             "close_range rename renameat renameat2 unlink unlinkat rmdir mkdir mkdirat chmod fchmod fchmodat "
             "symlink symlinkat link linkat chdir fchdir truncate ftruncate kill tgkill tkill ptrace "
             "process_vm_writev process_vm_readv prctl seccomp setsid pidfd_open pidfd_getfd mmap mprotect "
             "memfd_create io_uring_setup io_uring_enter io_uring_register init_module finit_module "
             "delete_module bpf").split()
    return names


def make_c_project(base):
    src = os.path.join(base, "cproject")
    os.makedirs(src, exist_ok=True)
    for i in range(24):
        with open(os.path.join(src, f"unit{i}.c"), "w") as f:
            f.write(f"#include <stdio.h>\n#include <string.h>\nint unit{i}(int x) {{\n")
            for j in range(40):
                f.write(f"  if (x % {j + 2} == {j % 3}) x += {j} * {i}; else x ^= {j};\n")
            f.write("  return x;\n}\n")
    with open(os.path.join(src, "main.c"), "w") as f:
        for i in range(24):
            f.write(f"int unit{i}(int);\n")
        f.write("int main(void) { int x = 1;\n")
        for i in range(24):
            f.write(f"  x = unit{i}(x);\n")
        f.write("  return x == 42; }\n")
    with open(os.path.join(src, "Makefile"), "w") as f:
        objs = " ".join([f"unit{i}.o" for i in range(24)] + ["main.o"])
        f.write(f"prog: {objs}\n\tcc -o $@ $^\n%.o: %.c\n\tcc -O2 -c -o $@ $<\nclean:\n\trm -f *.o prog\n")
    return src


def workloads(base):
    cproj = make_c_project(base)
    return {
        "find": ["find", "/usr", "-maxdepth", "6"],
        "sh-true-loop": ["/bin/sh", "-c", "i=0; while [ $i -lt 300 ]; do /bin/true; i=$((i+1)); done"],
        "python-stat": ["/usr/bin/python3", "-c", "import os\nfor i in range(200000): os.stat('/')"],
        "make-j2": ["/bin/sh", "-c", f"make -s -C {cproj} clean >/dev/null && make -s -j2 -C {cproj} >/dev/null"],
    }


def configs():
    seccomp_set = ",".join(decoded_syscalls())
    return {
        "native": [],
        "strace -f": ["strace", "-f", "-qq", "-o", "/dev/null"],
        "strace -f --seccomp-bpf": ["strace", "-f", "-qq", "--seccomp-bpf", "-e", "trace=" + seccomp_set, "-o", "/dev/null"],
        "agentwatch": [AW, "run", "--"],
        "agentwatch --all-syscalls": [AW, "run", "--all-syscalls", "--"],
    }


def time_once(cmd):
    t = time.perf_counter()
    r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t, r.returncode


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--only", default="")
    ap.add_argument("--configs", default="")
    ap.add_argument("--out", default=os.path.join(ROOT, "bench/RESULTS.md"))
    a = ap.parse_args()
    if not os.path.exists(AW):
        sys.exit("bench: build first (make build)")
    base = tempfile.mkdtemp(prefix="agentwatch-bench-")
    try:
        ws = workloads(base)
        cs = configs()
        if a.only:
            ws = {k: v for k, v in ws.items() if k in a.only.split(",")}
        if a.configs:
            cs = {k: v for k, v in cs.items() if k in a.configs.split(",")}
        times = {(w, c): [] for w in ws for c in cs}
        for r in range(a.runs):
            for w, cmd in ws.items():
                for c, prefix in cs.items():
                    dt, rc = time_once(prefix + cmd)
                    if rc != 0:
                        print(f"bench: {c} / {w} exited {rc}", file=sys.stderr)
                    times[(w, c)].append(dt)
                    print(f"round {r + 1}/{a.runs} {w:14s} {c:26s} {dt * 1000:9.1f} ms", file=sys.stderr)
        lines = ["# Benchmark results", "",
                 f"Median wall time of {a.runs} interleaved runs on {os.cpu_count()} CPUs; ratio to native in brackets.",
                 f"Regenerate with `make bench` (bench/run.py). Machine: {os.uname().release}.", "",
                 "| workload | " + " | ".join(cs) + " |", "|---|" + "---|" * len(cs)]
        for w in ws:
            native = statistics.median(times[(w, "native")]) if "native" in cs else None
            cells = []
            for c in cs:
                m = statistics.median(times[(w, c)])
                cells.append(f"{m * 1000:.0f} ms" + (f" ({m / native:.2f}×)" if native else ""))
            lines.append(f"| {w} | " + " | ".join(cells) + " |")
        text = "\n".join(lines) + "\n"
        print(text)
        with open(a.out, "w") as f:
            f.write(text)
    finally:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()

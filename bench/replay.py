#!/usr/bin/python3
"""make bench-replay: events per second of `agentwatch replay` with the built-in pack.

Generates a trace of N events (default 1,000,000) shaped like an agent's work:
processes spawning and exec'ing, opens of libraries and sources, reads/writes,
connects and socket writes, DNS exchanges, exits. Times `agentwatch replay`
over it (CPU time of the child, wall time beside it), with the pack and with no
rules at all (reading and the process table alone), and `jq` selecting the
same events (the execs, connects and socket sends the pack looks at) as a
yardstick. The trace is cached in /tmp between runs.
Usage: bench/replay.py [--events N] [--runs R] [--keep]
"""
import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
AW = os.path.join(ROOT, ".build/release/agentwatch")
WALL0 = 1_795_881_030_215_206_113


def generate(path, n):
    """Writes n events (syscalls count their entry and exit as two numbers, as live)."""
    out = open(path, "w", buffering=1 << 20)
    out.write(json.dumps({"agentwatch_trace": 1, "version": "bench", "host": "bench", "command": ["agent"],
                          "start_wall": WALL0, "tracer_pid": 1, "dns_servers": ["127.0.0.53"]},
                         separators=(",", ":")) + "\n")
    seq = 0
    count = 0
    pid = 1000
    enc = json.JSONEncoder(separators=(",", ":")).encode

    def line(obj):
        nonlocal count
        out.write(enc(obj))
        out.write("\n")
        count += 1

    def base(p, ev):
        nonlocal seq
        seq += 1
        return {"seq": seq, "mono": seq * 1000, "wall": WALL0 + seq * 1000, "pid": p, "tid": p, "ev": ev}

    def syscall(p, sc, nr, args, ret, out_=None):
        e = base(p, "syscall")
        e.update({"sc": sc, "nr": nr, "args": args, "ret": ret})
        if out_:
            e["out"] = out_
        global_seq = seq + 1
        e["xseq"] = global_seq
        bump()
        line(e)

    def bump():
        nonlocal seq
        seq += 1

    at_fdcwd = {"flags": "AT_FDCWD", "raw": 18446744073709551516}
    rdonly = {"flags": "O_RDONLY|O_CLOEXEC", "raw": 524288}
    wronly = {"flags": "O_WRONLY|O_CREAT|O_TRUNC", "raw": 577}
    tcp = {"fd": 5, "type": "ipv4", "name": "10.0.0.2:40000->93.184.216.34:443", "proto": "tcp",
           "local": {"family": "inet", "addr": "10.0.0.2", "port": 40000},
           "remote": {"family": "inet", "addr": "93.184.216.34", "port": 443}}
    udp = {"fd": 4, "type": "ipv4", "name": "10.0.0.2:5353->127.0.0.53:53", "proto": "udp",
           "remote": {"family": "inet", "addr": "127.0.0.53", "port": 53}}
    root = pid
    e = base(root, "spawn")
    e.update({"ppid": 1, "via": "root", "exe": "/usr/bin/python3", "argv": ["python3", "agent.py"], "cwd": "/work", "uid": 1000, "comm": "python3"})
    line(e)
    tools = [("/usr/bin/git", ["git", "status"]), ("/usr/bin/cc", ["cc", "-O2", "-c", "main.c"]),
             ("/usr/bin/grep", ["grep", "-rn", "TODO", "src"]), ("/usr/bin/ls", ["ls", "-la"]),
             ("/bin/sh", ["sh", "-c", "make test"])]
    i = 0
    while count < n:
        i += 1
        # The agent itself: reads sources, talks to its API, resolves names.
        for k in range(6):
            syscall(root, "openat", 257, {"dirfd": at_fdcwd, "filename": {"path": f"/work/src/file{k}.py"}, "flags": rdonly}, 3,
                    {"fd": {"fd": 3, "type": "file", "name": f"/work/src/file{k}.py"}})
            syscall(root, "close", 3, {"fd": {"fd": 3, "type": "file", "name": f"/work/src/file{k}.py"}}, 0)
        syscall(root, "sendto", 44, {"fd": udp, "data": {"data": "\u0012\u0034\u0001\u0000\u0000\u0001\u0000\u0000\u0000\u0000\u0000\u0000\u0003api\u0007example\u0003com\u0000\u0000\u0001\u0000\u0001", "len": 33},
                                      "flags": {"flags": "", "raw": 0}}, 33)
        syscall(root, "connect", 42, {"fd": tcp, "addr": {"family": "inet", "addr": "93.184.216.34", "port": 443}}, 0)
        syscall(root, "write", 1, {"fd": tcp, "data": {"data": "POST /v1/messages HTTP/1.1\r\nHost: api.example.com\r\n\r\n{\"model\":\"x\"}", "len": 64}, "count": 64}, 64)
        syscall(root, "mmap", 9, {"addr": {"hex": "0x0"}, "length": 1974096, "prot": {"flags": "PROT_READ", "raw": 1},
                                  "flags": {"flags": "MAP_PRIVATE|MAP_DENYWRITE", "raw": 2050}, "fd": {"fd": 3, "type": "file", "name": "/usr/lib/x86_64-linux-gnu/libc.so.6"}, "offset": {"hex": "0x0"}}, 139634298720256)
        # A tool run: fork, exec, a few opens and writes, exit.
        pid += 1
        exe, argv = tools[i % len(tools)]
        e = base(pid, "spawn")
        e.update({"ppid": root, "via": "fork", "exe": "/usr/bin/python3", "argv": ["python3", "agent.py"], "cwd": "/work", "uid": 1000, "comm": "python3"})
        line(e)
        entry = seq + 1
        e = base(pid, "syscall")
        e.update({"sc": "execve", "nr": 59, "args": {"filename": {"path": exe}, "argv": {"strv": argv}, "envp": {"hex": "0x7ffd0000"}}, "ret": 0, "xseq": entry + 2})
        x = base(pid, "exec")
        x.update({"exe": exe, "path": exe, "argv": argv, "cwd": "/work", "comm": os.path.basename(exe)})
        bump()
        line(x)
        line(e)
        for k in range(3):
            syscall(pid, "openat", 257, {"dirfd": at_fdcwd, "filename": {"path": "/etc/ld.so.cache"}, "flags": rdonly}, 3,
                    {"fd": {"fd": 3, "type": "file", "name": "/etc/ld.so.cache"}})
        syscall(pid, "openat", 257, {"dirfd": at_fdcwd, "filename": {"path": "/work/build/out.o"}, "flags": wronly}, 4,
                {"fd": {"fd": 4, "type": "file", "name": "/work/build/out.o"}})
        syscall(pid, "write", 1, {"fd": {"fd": 1, "type": "pipe", "name": "pipe:[4242]"}, "count": 120}, 120)
        e = base(pid, "exit")
        e.update({"code": 0, "process": True})
        line(e)
    out.close()
    return count


def cpu_of_child(cmd, stdout=subprocess.DEVNULL):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    p = subprocess.run(cmd, stdout=stdout, stderr=subprocess.PIPE)
    wall = time.monotonic() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return p.returncode, cpu, wall, p.stderr.decode(errors="replace")


def measure(events=1_000_000, runs=3, log=print):
    """Replay throughput: {"events", "bytes", "pack", "none", "jq"}; each reader's
    {"cpu", "wall"} (best of runs by CPU), {"error"} or None (jq missing).
    The trace is generated once and cached in /tmp."""
    path = f"/tmp/agentwatch-replay-bench-{events}.jsonl"
    if not os.path.exists(path):
        t0 = time.monotonic()
        got = generate(path + ".tmp", events)
        os.rename(path + ".tmp", path)
        log(f"generated {got} events ({os.path.getsize(path) / 1e6:.0f} MB) in {time.monotonic() - t0:.1f}s: {path}")
    size = os.path.getsize(path)
    with open(path) as f:
        lines = sum(1 for _ in f) - 1
    log(f"trace: {lines} events, {size / 1e6:.0f} MB, {size // max(lines, 1)} bytes/event")
    res = {"events": lines, "bytes": size, "path": path}

    def best_of(cmd, ok=(0, 1), n=runs):
        best = None
        for _ in range(n):
            rc, cpu, wall, err = cpu_of_child(cmd)
            if rc not in ok:
                return {"error": f"exit {rc}: {err[-400:]}"}
            best = (cpu, wall) if best is None or cpu < best[0] else best
        return {"cpu": best[0], "wall": best[1]}

    for key, label, extra in (("pack", "agentwatch replay (built-in pack)", []),
                              ("none", "agentwatch replay --no-defaults (no rules)", ["--no-defaults"])):
        r = res[key] = best_of([AW, "replay", *extra, path, "--fail-on", "emergency"])
        if r.get("error"):
            log(f"{label} failed ({r['error']})")
        else:
            log(f"{label}: {r['cpu']:.2f}s CPU, {r['wall']:.2f}s wall -> {lines / r['cpu'] / 1e6:.2f}M events/s of CPU "
                f"({lines / r['wall'] / 1e6:.2f}M/s wall), best of {runs}")

    jq = shutil.which("jq")
    if jq:
        # The events the pack's rules look at: execs, connects and bytes sent on sockets.
        filt = 'select(.ev == "exec" or .sc == "execve" or .sc == "connect" or ((.sc == "write" or .sc == "sendto") and .args.data != null))'
        r = res["jq"] = best_of([jq, "-c", filt, path], ok=(0,), n=1)
        if r.get("error"):
            log(f"jq failed ({r['error'][-300:]})")
        else:
            log(f"jq selecting the same events (one run): {r['cpu']:.2f}s CPU, {r['wall']:.2f}s wall -> {lines / r['cpu'] / 1e6:.2f}M events/s of CPU")
    else:
        res["jq"] = None
        log("jq not installed (make deps installs it)")
    return res


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--keep", action="store_true", help="keep the generated trace")
    a = ap.parse_args()
    if not os.access(AW, os.X_OK):
        sys.exit("bench/replay.py: build first (make build)")
    res = measure(a.events, a.runs)
    if not a.keep and a.events != 1_000_000:
        os.remove(res["path"])
    if any(isinstance(v, dict) and v.get("error") for v in res.values()):
        sys.exit(1)


if __name__ == "__main__":
    main()

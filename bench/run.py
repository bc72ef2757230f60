#!/usr/bin/python3
"""make bench: wall time of workloads natively, under strace and under agentwatch.

Runs are interleaved (every configuration once per round) so that machine noise
spreads evenly; medians and ratios to native go to stdout and bench/RESULTS.md.
Every run is checked (exit status 0 and the output the workload must produce): a
run that did not do its work is reported as failed, never as a time.
After the timed rounds: the tracer's stops per workload (one run each under
AGENTWATCH_STATS=1), the tracer's peak memory while 1,000 processes are alive,
and the replay throughput (bench/replay.py).

Usage: bench/run.py [--runs N] [--only NAME,...] [--configs CONFIG,...] [--out FILE]
  NAME: a workload, or `stops`, `memory`, `replay` for those sections.
  Without --only everything runs and bench/RESULTS.md is rewritten; with --only the
  results go to stdout (and to --out FILE if given).
"""
import argparse
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
AW = os.path.join(ROOT, ".build/release/agentwatch")
PY = "/usr/bin/python3"  # never `python3` from PATH: it may be a shim that forks
FORK_WIDE = 1000
CONNECTS = 2000
SECTIONS = ("stops", "memory", "replay")
WORKLOADS = ("true", "find", "sh-true-loop", "python-stat", "make-j2", "py-unittest", "git-status", "git-log-p",
             "connect-loop", f"fork-{FORK_WIDE}")


def decoded_syscalls():
    """The syscalls agentwatch stops on with the built-in pack (those its rules are
    indexed on, plus the ones the tracer always needs), as strace names them: the
    strace --seccomp-bpf column traces exactly these."""
    out = subprocess.run([AW, "rules", os.path.join(ROOT, "Policies")], capture_output=True, text=True, check=True).stdout
    names = {"execve", "execveat", "clone", "clone3", "chdir", "fchdir", "unshare", "setns", "pivot_root"}
    for line in out.splitlines():
        m = re.search(r", on (.+), (?:before|after) the syscall$", line)
        if m:
            names.update(n.strip() for n in m.group(1).split(","))
    # Calls this strace is too old to name cannot be traced by it (nor made by Debian's libc).
    known = [n for n in sorted(names) if subprocess.run(["strace", "-qq", "-e", "trace=" + n, "-o", "/dev/null", "true"],
                                                       capture_output=True).returncode == 0]
    return known


# MARK: workload inputs, generated once per bench run under /tmp


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


# Each test module imports a slice of these (all of them across the suite) and uses them.
STDLIB = [
    "json", "email", "email.mime.text", "email.mime.multipart", "email.parser", "email.policy", "http.client",
    "http.server", "http.cookies", "urllib.request", "urllib.parse", "xml.etree.ElementTree", "xml.dom.minidom",
    "xml.sax", "html.parser", "sqlite3", "asyncio", "unittest.mock", "decimal", "fractions", "statistics", "csv",
    "logging", "logging.handlers", "argparse", "subprocess", "tempfile", "shutil", "pathlib", "dataclasses",
    "typing", "collections", "itertools", "functools", "re", "hashlib", "hmac", "base64", "zlib", "gzip", "bz2",
    "lzma", "tarfile", "zipfile", "configparser", "datetime", "calendar", "uuid", "random", "socket", "ssl",
    "selectors", "threading", "concurrent.futures", "multiprocessing", "pickle", "copy", "pprint", "textwrap",
    "string", "difflib", "inspect", "ast", "dis", "tokenize", "traceback", "warnings", "contextlib", "enum",
    "ipaddress", "mimetypes", "smtplib", "ftplib", "imaplib", "poplib", "secrets", "struct", "array", "heapq",
    "bisect", "weakref", "shlex", "glob", "fnmatch", "locale", "gettext", "codecs", "unicodedata", "platform",
    "sysconfig", "importlib.metadata", "importlib.resources", "queue", "sched", "signal", "pdb", "doctest",
    "cProfile", "pstats", "timeit", "trace", "tomllib", "wave", "colorsys", "plistlib", "netrc", "graphlib",
]
UNITTEST_MODULES = 20
UNITTEST_TESTS_PER_MODULE = 15


def make_unittest_suite(base):
    """A test package importing the stdlib above; UNITTEST_MODULES × UNITTEST_TESTS_PER_MODULE trivial tests."""
    top = os.path.join(base, "pysuite")
    pkg = os.path.join(top, "tests")
    os.makedirs(pkg, exist_ok=True)
    open(os.path.join(pkg, "__init__.py"), "w").close()
    bodies = [
        "self.assertEqual(json.loads(json.dumps({'k': [%(i)d, %(j)d]})), {'k': [%(i)d, %(j)d]})",
        "self.assertEqual(decimal.Decimal('%(i)d.%(j)d') * 2, decimal.Decimal('%(i)d.%(j)d') + decimal.Decimal('%(i)d.%(j)d'))",
        "db = sqlite3.connect(':memory:'); db.execute('create table t (x)'); db.execute('insert into t values (%(j)d)');"
        " self.assertEqual(db.execute('select x from t').fetchone(), (%(j)d,)); db.close()",
        "self.assertEqual(xml.etree.ElementTree.fromstring('<a n=\"%(j)d\"/>').get('n'), '%(j)d')",
        "m = email.message_from_string('Subject: t%(j)d\\n\\nbody'); self.assertEqual(m['Subject'], 't%(j)d')",
        "self.assertEqual(asyncio.run(self._coro(%(j)d)), %(j)d)",
        "f = unittest.mock.Mock(return_value=%(j)d); self.assertEqual(f(), %(j)d); f.assert_called_once()",
        "self.assertEqual(hashlib.sha256(b'%(i)d-%(j)d').hexdigest(), hashlib.sha256(b'%(i)d-%(j)d').hexdigest())",
        "self.assertEqual(fractions.Fraction(%(j)d, %(j)d + 1) + fractions.Fraction(1, %(j)d + 1), 1)",
        "self.assertEqual(urllib.parse.urlsplit('http://h%(j)d.test/p?q=1').hostname, 'h%(j)d.test')",
        "self.assertTrue(ipaddress.ip_address('127.0.0.%(j)d').is_loopback)",
        "self.assertEqual(statistics.median([%(j)d, %(j)d + 1, %(j)d + 2]), %(j)d + 1)",
        "self.assertEqual(zlib.decompress(zlib.compress(b'x' * %(j)d)), b'x' * %(j)d)",
        "self.assertEqual(list(csv.reader(['a,%(j)d'])), [['a', '%(j)d']])",
        "self.assertEqual(textwrap.dedent('  x%(j)d'), 'x%(j)d')",
    ]
    per = (len(STDLIB) + UNITTEST_MODULES - 1) // UNITTEST_MODULES
    for i in range(UNITTEST_MODULES):
        # The modules every body uses, plus this module's slice of the rest.
        mods = ["json", "decimal", "sqlite3", "xml.etree.ElementTree", "email", "asyncio", "unittest.mock",
                "hashlib", "fractions", "urllib.parse", "ipaddress", "statistics", "zlib", "csv", "textwrap"]
        mods += STDLIB[i * per:(i + 1) * per]
        with open(os.path.join(pkg, f"test_mod{i:02d}.py"), "w") as f:
            f.write("".join(f"import {m}\n" for m in dict.fromkeys(mods)))
            f.write("import unittest\n\n\nclass T(unittest.TestCase):\n")
            f.write("    async def _coro(self, v):\n        await asyncio.sleep(0)\n        return v\n\n")
            for j in range(UNITTEST_TESTS_PER_MODULE):
                f.write(f"    def test_{j:02d}(self):\n        " + bodies[j % len(bodies)] % {"i": i, "j": j + 1} + "\n\n")
    return top


GIT_DIRS = (10, 10)  # 10 top directories × 10 subdirectories × GIT_FILES_PER_DIR files
GIT_FILES_PER_DIR = 30
GIT_COMMITS = 40  # after the first one, each touching GIT_FILES_PER_COMMIT files
GIT_FILES_PER_COMMIT = 120
GIT_MODIFIED = 50  # left modified in the work tree for git status
GIT_UNTRACKED = 20


def git_env(base):
    env = dict(os.environ, GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL="/dev/null", HOME=base, LC_ALL="C",
               GIT_AUTHOR_NAME="Bench", GIT_AUTHOR_EMAIL="bench@example.invalid",
               GIT_COMMITTER_NAME="Bench", GIT_COMMITTER_EMAIL="bench@example.invalid", GIT_PAGER="cat")
    env.pop("GIT_DIR", None)
    env.pop("GIT_WORK_TREE", None)
    return env


def make_git_repo(base):
    """3,000 files in nested directories, GIT_COMMITS + 1 commits; deterministic, no network.
    The history is written with git fast-import, then checked out."""
    repo = os.path.join(base, "gitrepo")
    env = git_env(base)
    rng = random.Random(6)
    words = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho sigma".split()

    def git(*args, **kw):
        subprocess.run(["git", "-C", repo, *args], env=env, check=True, stdout=subprocess.DEVNULL, **kw)

    def line(k, tag=""):
        return f"{k:03d} " + " ".join(rng.choice(words) for _ in range(8)) + tag + "\n"

    files = [f"pkg{a}/mod{b}/file{c}.txt" for a in range(GIT_DIRS[0]) for b in range(GIT_DIRS[1])
             for c in range(GIT_FILES_PER_DIR)]
    contents = {p: [line(k) for k in range(40)] for p in files}
    stream = []

    def data(text):
        raw = text.encode()
        stream.append(b"data %d\n%s\n" % (len(raw), raw))

    def commit(n, message, paths):
        when = 1_735_689_600 + n * 3600  # 2025-01-01, an hour apart
        stream.append(f"commit refs/heads/main\nmark :{n + 1}\n"
                      f"author Bench <bench@example.invalid> {when} +0000\n"
                      f"committer Bench <bench@example.invalid> {when} +0000\n".encode())
        data(message)
        if n:
            stream.append(f"from :{n}\n".encode())
        for p in paths:
            stream.append(f"M 100644 inline {p}\n".encode())
            data("".join(contents[p]))

    commit(0, "initial import", files)
    for n in range(GIT_COMMITS):
        changed = sorted(rng.sample(files, GIT_FILES_PER_COMMIT))
        for p in changed:
            for _ in range(2):
                k = rng.randrange(40)
                contents[p][k] = line(k, f" c{n}")
        commit(n + 1, f"change {n}", changed)
    subprocess.run(["git", "init", "-q", "-b", "main", repo], env=env, check=True)
    git("fast-import", "--quiet", input=b"".join(stream))
    git("reset", "-q", "--hard", "main")
    for p in files[:GIT_MODIFIED]:
        with open(os.path.join(repo, p), "a") as f:
            f.write("uncommitted\n")
    for k in range(GIT_UNTRACKED):
        with open(os.path.join(repo, "pkg0", f"untracked{k}.txt"), "w") as f:
            f.write(f"new {k}\n")
    # Index stat data older than the files' mtimes, so that git status is not
    # "racily clean" and does not rehash everything on every run.
    time.sleep(1.1)
    # (exit status 1: the modified files need updating)
    subprocess.run(["git", "-C", repo, "update-index", "-q", "--refresh"], env=env, stdout=subprocess.DEVNULL)
    return repo


def compile_fixture(base, name):
    out = os.path.join(base, name)
    subprocess.run(["cc", "-O2", "-Wall", "-o", out, os.path.join(ROOT, "bench/fixtures", name + ".c")], check=True)
    return out


class Listener:
    """A loopback TCP listener (127.0.0.1 only) that accepts and closes; counts connections."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(4096)
        self.port = self.sock.getsockname()[1]
        self.accepted = 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            c, _ = self.sock.accept()
            c.close()
            self.accepted += 1

    def wait_for(self, n, timeout=5.0):
        end = time.monotonic() + timeout
        while self.accepted < n and time.monotonic() < end:
            time.sleep(0.01)
        return self.accepted >= n


# MARK: workloads


class Workload:
    """A command, where it runs, and a check of what it produced (None when it did its work)."""

    def __init__(self, cmd, check, cwd=None, env=None, before=None):
        self.cmd, self.check, self.cwd, self.env, self.before = cmd, check, cwd, env, before


def lines_of(path):
    with open(path, "rb") as f:
        return f.read().count(b"\n")


def text_of(path):
    with open(path, "rb") as f:
        return f.read().decode(errors="replace")


def expect_stdout(want):
    def check(out, err):
        got = text_of(out).strip()
        return None if got == want else f"stdout {got[-80:]!r}, want {want!r}"
    return check


def workloads(base, listener):
    genv = git_env(base)
    cproj = make_c_project(base)
    suite = make_unittest_suite(base)
    repo = make_git_repo(base)
    connect_loop = compile_fixture(base, "connect_loop")
    fork_wide = compile_fixture(base, "fork_wide")
    ref = {}  # reference output sizes, from a native run at setup

    def check_find(out, err):
        n = lines_of(out)
        return None if n >= 0.99 * ref["find"] else f"{n} paths, a native run printed {ref['find']}"

    def check_make(out, err):
        return None if text_of(out).strip() == "built" else f"stdout {text_of(out)[-80:]!r}"

    def check_unittest(out, err):
        e = text_of(err)
        n = UNITTEST_MODULES * UNITTEST_TESTS_PER_MODULE
        ok = re.search(rf"^Ran {n} tests in [0-9.]+s\n\nOK$", e, re.M)
        return None if ok else f"stderr ends {e[-120:]!r}"

    def check_git_status(out, err):
        o = text_of(out)
        mod = o.count("\tmodified:")
        if mod != GIT_MODIFIED or "untracked0.txt" not in o:
            return f"{mod} modified files listed, want {GIT_MODIFIED}, and untracked files"
        return None

    def check_git_log(out, err):
        n, o = lines_of(out), text_of(out)
        commits = len(re.findall(r"^commit [0-9a-f]{40}$", o, re.M))
        if commits != GIT_COMMITS + 1 or n != ref["git-log-p"]:
            return f"{commits} commits, {n} lines; want {GIT_COMMITS + 1} commits, {ref['git-log-p']} lines"
        return None

    before_connect = {}

    def start_connect():
        before_connect["n"] = listener.accepted

    def check_connect(out, err):
        got = text_of(out).strip()
        if got != f"connected {CONNECTS}":
            return f"stdout {got!r}"
        if not listener.wait_for(before_connect["n"] + CONNECTS):
            return f"the listener accepted {listener.accepted - before_connect['n']} connections"
        return None

    ws = {
        "true": Workload(["/bin/true"], expect_stdout("")),
        "find": Workload(["find", "/usr", "-maxdepth", "6"], check_find),
        "sh-true-loop": Workload(["/bin/sh", "-c", "i=0; while [ $i -lt 300 ]; do /bin/true; i=$((i+1)); done; echo $i"],
                                 expect_stdout("300")),
        "python-stat": Workload([PY, "-c", "import os\nn = 0\nfor i in range(200000): os.stat('/'); n += 1\nprint(n)"],
                                expect_stdout("200000")),
        "make-j2": Workload(["/bin/sh", "-c", f"make -s -C {cproj} clean >/dev/null && make -s -j2 -C {cproj} >/dev/null"
                                              f" && test -x {cproj}/prog && echo built"], check_make),
        "py-unittest": Workload([PY, "-m", "unittest"], check_unittest, cwd=suite),
        "git-status": Workload(["git", "status"], check_git_status, cwd=repo, env=genv),
        "git-log-p": Workload(["git", "log", "-p"], check_git_log, cwd=repo, env=genv),
        "connect-loop": Workload([connect_loop, str(listener.port), str(CONNECTS)], check_connect, before=start_connect),
        f"fork-{FORK_WIDE}": Workload([fork_wide, str(FORK_WIDE)], expect_stdout(f"ready {FORK_WIDE}\nexited {FORK_WIDE}")),
    }
    return ws, ref, fork_wide


# MARK: running


def configs():
    seccomp_set = ",".join(decoded_syscalls())
    return {
        "native": [],
        "strace -f": ["strace", "-f", "-qq", "-o", "/dev/null"],
        "strace -f --seccomp-bpf": ["strace", "-f", "-qq", "--seccomp-bpf", "-e", "trace=" + seccomp_set, "-o", "/dev/null"],
        "agentwatch": [AW, "run", "--"],
        "agentwatch --all-syscalls": [AW, "run", "--all-syscalls", "--"],
    }


def run_once(w, prefix, base, env_extra=None):
    """Wall time of one run, and why it failed (None when it did its work)."""
    out, err = os.path.join(base, "stdout"), os.path.join(base, "stderr")
    env = dict(w.env or os.environ, **(env_extra or {}))
    if w.before:
        w.before()
    with open(out, "wb") as o, open(err, "wb") as e:
        t = time.perf_counter()
        r = subprocess.run(prefix + w.cmd, stdin=subprocess.DEVNULL, stdout=o, stderr=e, cwd=w.cwd, env=env)
        dt = time.perf_counter() - t
    if r.returncode != 0:
        return dt, f"exited {r.returncode}: {text_of(err)[-200:]!r}"
    return dt, w.check(out, err)


def stops(w, base, extra):
    """Stops of one agentwatch run under AGENTWATCH_STATS=1: total and the commonest syscall entries."""
    _, why = run_once(w, [AW, "run", *extra, "--"], base, {"AGENTWATCH_STATS": "1"})
    total, entries = None, []
    for line in text_of(os.path.join(base, "stderr")).splitlines():
        m = re.match(r"agentwatch: stats: (\d+) (\S+)$", line)
        if m and m.group(2) == "stops":
            total = int(m.group(1))
        elif m and m.group(2).startswith("entry:"):
            entries.append((int(m.group(1)), m.group(2)[len("entry:"):]))
        elif m and m.group(2).startswith("stop:"):
            entries.append((int(m.group(1)), m.group(2)))
    return total, entries, why


def vm_kb(pid, field):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def peak_memory(fork_wide, prefix, n):
    """Runs `fork_wide n hold` under a tracer. Returns the tracer's RSS while all n
    processes are alive (VmRSS), its peak RSS (VmHWM, the last sample before it exits)
    and why the run failed (None when it did its work).
    Not wait4's ru_maxrss: a child's maxrss starts with the RSS of the memory it had
    before exec, which for a child forked by this script is this script's own."""
    p = subprocess.Popen(prefix + [fork_wide, str(n), "hold"], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    hwm = [None]
    done = threading.Event()

    def sample():
        while not done.is_set():
            v = vm_kb(p.pid, "VmHWM")
            if v is None:
                break
            hwm[0] = v
            time.sleep(0.005)

    th = threading.Thread(target=sample, daemon=True)
    th.start()
    ready = p.stdout.readline().decode().strip()
    alive_rss = vm_kb(p.pid, "VmRSS")
    fw = _child_of(p.pid) if ready else None
    alive = len([t for t in os.listdir("/proc") if t.isdigit() and _ppid(t) == fw]) if ready else 0
    p.stdin.close()
    rest = p.stdout.read().decode().strip()
    p.wait()
    done.set()
    th.join()
    err = p.stderr.read().decode(errors="replace")
    why = None
    if p.returncode != 0 or ready != f"ready {n}" or rest != f"exited {n}":
        why = f"exit {p.returncode}, stdout {ready!r} {rest!r}: {err[-200:]!r}"
    elif alive != n:
        why = f"{alive} children alive at the sample, want {n}"
    return alive_rss, hwm[0], why


def _ppid(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return int(f.read().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return None


def _child_of(tracer):
    """The pid of fork_wide: the tracer's child (or the tracer itself when native)."""
    for t in os.listdir("/proc"):
        if t.isdigit() and _ppid(t) == tracer:
            try:
                if os.readlink(f"/proc/{t}/exe").endswith("/fork_wide"):
                    return int(t)
            except OSError:
                pass
    return tracer


def fmt_ms(v):
    return f"{v * 1000:.0f} ms"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--only", default="", help="workloads and sections (stops, memory, replay), comma-separated")
    ap.add_argument("--configs", default="")
    ap.add_argument("--out", default=None, help="default: bench/RESULTS.md for a full run, none with --only")
    ap.add_argument("--replay-events", type=int, default=1_000_000)
    a = ap.parse_args()
    if not os.path.exists(AW):
        sys.exit("bench: build first (make build)")
    out_path = a.out or (None if a.only else os.path.join(ROOT, "bench/RESULTS.md"))
    only = set(a.only.split(",")) if a.only else None
    if only and only - set(WORKLOADS + SECTIONS):
        sys.exit(f"bench: unknown --only {','.join(sorted(only - set(WORKLOADS + SECTIONS)))}; "
                 f"known: {','.join(WORKLOADS + SECTIONS)}")
    base = tempfile.mkdtemp(prefix="agentwatch-bench-", dir="/tmp")
    failed = []
    try:
        listener = Listener()
        t0 = time.monotonic()
        ws, ref, fork_wide = workloads(base, listener)
        assert tuple(ws) == WORKLOADS
        print(f"bench: inputs generated in {time.monotonic() - t0:.1f}s under {base}", file=sys.stderr)
        cs = configs()
        if only:
            ws = {k: v for k, v in ws.items() if k in only}
        if a.configs:
            cs = {k: v for k, v in cs.items() if k in a.configs.split(",")}
        # A native warm-up run of each: caches, .pyc files, the git index, the reference sizes.
        ref["find"] = ref["git-log-p"] = 0
        for w, wl in ws.items():
            dt, why = run_once(wl, [], base)
            if w in ("find", "git-log-p"):
                ref[w] = lines_of(os.path.join(base, "stdout"))
                dt, why = run_once(wl, [], base)
            if why:
                sys.exit(f"bench: {w} does not work natively: {why}")
            print(f"warm-up {w:14s} {fmt_ms(dt)}", file=sys.stderr)

        times = {(w, c): [] for w in ws for c in cs}
        fails = {}
        for r in range(a.runs):
            for w, wl in ws.items():
                for c, prefix in cs.items():
                    dt, why = run_once(wl, prefix, base)
                    if why:
                        print(f"bench: {c} / {w} failed: {why}", file=sys.stderr)
                        fails[(w, c)] = why
                        failed.append(f"{c} / {w}")
                    else:
                        times[(w, c)].append(dt)
                    print(f"round {r + 1}/{a.runs} {w:14s} {c:26s} {fmt_ms(dt):>9s}" + (" FAILED" if why else ""),
                          file=sys.stderr)

        rev = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
        lines = ["# Benchmark results", "",
                 f"Median wall time of {a.runs} interleaved runs on {os.cpu_count()} CPUs; ratio to native in brackets.",
                 f"Regenerate with `make bench` (bench/run.py). Machine: {os.uname().release}; agentwatch {rev or '?'}.",
                 "Every run is checked (exit status 0 and the output the workload must produce).", ""]
        if ws and cs:
            lines += ["| workload | " + " | ".join(cs) + " |", "|---|" + "---|" * len(cs)]
            for w in ws:
                native = statistics.median(times[(w, "native")]) if times.get((w, "native")) else None
                cells = []
                for c in cs:
                    if (w, c) in fails:
                        cells.append("failed")
                        continue
                    m = statistics.median(times[(w, c)])
                    cells.append(fmt_ms(m) + (f" ({m / native:.2f}×)" if native else ""))
                lines.append(f"| {w} | " + " | ".join(cells) + " |")
            lines += ["", "Workloads:", "",
                      "- true: `/bin/true`, the fixed cost of starting (loading the pack, spawning) and ending",
                      "- find: `find /usr -maxdepth 6`",
                      "- sh-true-loop: `/bin/sh` running `/bin/true` 300 times",
                      "- python-stat: `/usr/bin/python3`, 200,000 `os.stat`",
                      "- make-j2: `make -j2` of 25 C files (clean first)",
                      f"- py-unittest: `/usr/bin/python3 -m unittest`, {UNITTEST_MODULES * UNITTEST_TESTS_PER_MODULE} "
                      f"trivial tests in {UNITTEST_MODULES} modules importing {len(STDLIB)} stdlib modules",
                      f"- git-status, git-log-p: `git status` and `git log -p` in a generated repository of "
                      f"{GIT_DIRS[0] * GIT_DIRS[1] * GIT_FILES_PER_DIR} files in {GIT_DIRS[0] * (GIT_DIRS[1] + 1)} "
                      f"directories, {GIT_COMMITS + 1} commits (each after the first changing {GIT_FILES_PER_COMMIT} "
                      f"files), {GIT_MODIFIED} files modified and {GIT_UNTRACKED} untracked",
                      f"- connect-loop: a C program connecting {CONNECTS:,} times, one after the other, to a listener "
                      "on 127.0.0.1 (started by the bench) that accepts and closes",
                      f"- fork-{FORK_WIDE}: a C program forking {FORK_WIDE:,} children that are all alive at once "
                      "(blocked on a pipe), then releasing and reaping them", ""]

        if ws and (only is None or "stops" in only):
            lines += ["## Stops", "",
                      "One run of each workload with `AGENTWATCH_STATS=1`: the tracer's stops (seccomp, fork/clone/exec "
                      "events, signals, syscall exits), with the built-in pack and with --all-syscalls, and the "
                      "syscalls the pack stopped on most.", "",
                      "| workload | stops (pack) | stops (--all-syscalls) | commonest syscall entries (pack) |", "|---|---|---|---|"]
            for w, wl in ws.items():
                total, entries, why = stops(wl, base, [])
                total_all, _, why_all = stops(wl, base, ["--all-syscalls"])
                if why or why_all:
                    failed.append(f"stops / {w}")
                top = ", ".join(f"{name} {n:,}" for n, name in sorted(entries, reverse=True)
                                if not name.startswith("stop:"))
                top = ", ".join(top.split(", ")[:6])
                cell = lambda t, y: "failed" if y else (f"{t:,}" if t is not None else "?")
                lines.append(f"| {w} | {cell(total, why)} | {cell(total_all, why_all)} | {top} |")
                print(f"stops {w:14s} {total} / {total_all}", file=sys.stderr)
            lines.append("")

        if only is None or "memory" in only:
            mem_cfgs = {k: v for k, v in cs.items() if k != "native"}
            res = {(c, n): [] for c in mem_cfgs for n in (1, FORK_WIDE)}
            mfails = set()
            for r in range(a.runs):
                for c, prefix in mem_cfgs.items():
                    for n in (1, FORK_WIDE):
                        alive_rss, hwm, why = peak_memory(fork_wide, prefix, n)
                        if why:
                            mfails.add(c)
                            failed.append(f"memory / {c} / {n}")
                            print(f"bench: memory / {c} / {n} processes failed: {why}", file=sys.stderr)
                        else:
                            res[(c, n)].append((alive_rss, hwm))
                        print(f"memory {r + 1}/{a.runs} {c:26s} {n:5d} alive: rss {alive_rss} kB, peak {hwm} kB",
                              file=sys.stderr)
            lines += [f"## Tracer memory with {FORK_WIDE:,} live processes", "",
                      f"`fork_wide N hold` (bench/fixtures): N children alive at once, held until the bench has "
                      "sampled the tracer. RSS of the tracer process itself while they are all alive (VmRSS), and its "
                      "peak over the whole run (VmHWM, the last sample before it exits); N = 1 for comparison. "
                      f"Medians of {a.runs} runs. (Not wait4's ru_maxrss: it starts from the memory a child had "
                      "before exec, here the bench's own.)", "",
                      f"| tracer | RSS, 1 alive | RSS, {FORK_WIDE:,} alive | peak RSS, {FORK_WIDE:,} | per extra process |",
                      "|---|---|---|---|---|"]
            for c in mem_cfgs:
                if c in mfails:
                    lines.append(f"| {c} | failed | failed | failed | failed |")
                    continue
                one = statistics.median(v[0] for v in res[(c, 1)])
                many = statistics.median(v[0] for v in res[(c, FORK_WIDE)])
                peak = statistics.median(v[1] for v in res[(c, FORK_WIDE)])
                per = (many - one) / (FORK_WIDE - 1)
                lines.append(f"| {c} | {one / 1024:.1f} MB | {many / 1024:.1f} MB | {peak / 1024:.1f} MB | {per:.1f} kB |")
            fw = f"fork-{FORK_WIDE}"
            if times.get((fw, "native")) and times.get((fw, "agentwatch")):
                n, m = statistics.median(times[(fw, "native")]), statistics.median(times[(fw, "agentwatch")])
                lines += ["", f"Wall time of the same workload without the hold (row {fw} above): native {fmt_ms(n)}, "
                              f"agentwatch with the pack {fmt_ms(m)} ({m / n:.2f}×)."]
            lines.append("")

        if only is None or "replay" in only:
            sys.path.insert(0, os.path.join(ROOT, "bench"))
            import replay
            rr = replay.measure(a.replay_events, runs=a.runs, log=lambda s: print(s, file=sys.stderr))
            lines += ["## Replay throughput", "",
                      f"`agentwatch replay` of a generated trace of {rr['events']:,} events ({rr['bytes'] / 1e6:.0f} MB, "
                      "agent-shaped: spawns, execs, opens, connects, socket writes, DNS), CPU time of the best of "
                      f"{a.runs} runs (bench/replay.py; `make bench-replay` alone); `jq` selecting the events the pack "
                      "looks at (one run) as a yardstick.", "",
                      "| reader | CPU | wall | events/s (CPU) |", "|---|---|---|---|"]
            for label, key in (("agentwatch replay, built-in pack", "pack"),
                               ("agentwatch replay --no-defaults (no rules)", "none"), ("jq", "jq")):
                v = rr.get(key)
                if v is None:
                    lines.append(f"| {label} | – | – | not measured |")
                elif v.get("error"):
                    failed.append(f"replay / {key}")
                    lines.append(f"| {label} | failed | failed | failed |")
                else:
                    lines.append(f"| {label} | {v['cpu']:.2f} s | {v['wall']:.2f} s | {rr['events'] / v['cpu']:,.0f} |")
            if rr.get("alerts"):
                al = rr["alerts"]
                lines += ["", f"The trace carries attacks the pack must catch: {al['count']} alerts (digest {al['digest']}): "
                          + ", ".join(f"{r} {c}" for r, c in sorted(al["per_rule"].items())) + "."]
            lines.append("")

        text = "\n".join(lines)
        print(text)
        if out_path:
            with open(out_path, "w") as f:
                f.write(text)
    finally:
        shutil.rmtree(base, ignore_errors=True)
    if failed:
        sys.exit(f"bench: failed runs: {', '.join(failed)}")


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Runs a command on a new pseudo-terminal (its controlling terminal) and
types ANSWER once the terminal shows PROMPT; relays the screen to stdout and
exits with the command's status. For tests of agentwatch's pause prompt."""
import os
import pty
import select
import sys
import time

prompt, answer, argv = sys.argv[1].encode(), sys.argv[2].encode(), sys.argv[3:]
pid, fd = pty.fork()
if pid == 0:
    os.execv(argv[0], argv)
seen = b""
answered = False
deadline = time.time() + 30
while time.time() < deadline:
    r, _, _ = select.select([fd], [], [], 0.1)
    if fd in r:
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
        sys.stdout.buffer.write(chunk)
        sys.stdout.flush()
    if not answered and prompt in seen:
        os.write(fd, answer)
        answered = True
_, status = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(status) & 0xFF)

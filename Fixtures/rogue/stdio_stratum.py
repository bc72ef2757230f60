"""A miner that sends its stratum request through stdout (descriptor 1).

Writes to stdin, stdout and stderr run without a stop while none of them is a
socket; each mode puts a socket there another way before writing to it:

  dup2        dup2(socket, 1)
  close       close(1), then the socket takes descriptor 1 (the lowest free)
  thread      a second thread writes, after the first one's dup2
  cloexec     F_SETFD FD_CLOEXEC on 1, exec of a static program whose socket
              lands on 1 (src/stdio_stratum_static.c)
  fioclex     the same through ioctl(FIOCLEX)
  dup3cloexec the same through dup3(/dev/null, 1, O_CLOEXEC)
  closerange  close_range(1, 1), then the socket takes descriptor 1
  closedup    close(1), then dup(socket) lands on 1
  closefork   close(1), then a child's socket takes descriptor 1
  clonefiles  a child sharing the descriptor table (clone CLONE_FILES) puts the
              socket on 1; the parent writes
  socketpair  stdout is one end of a socketpair, as Node gives its children; the
              parent relays what it reads to the pool (bytes that stay in the
              tree are read where they leave it)
  unixproxy   a unix socket to a listener outside the tree (argv[3]), as a
              local proxy would be
  plain       writes to whatever stdout is

Prints "went through" on stderr when the write went through.
usage: stdio_stratum.py PORT MODE [UNIX-SOCKET-PATH]
"""
import ctypes
import fcntl
import os
import socket
import subprocess
import sys
import termios
import threading

STRATUM = b'{"id":1,"method":"mining.subscribe","params":["xmrig/6.21.0"]}\n'


def pool(port):
    return socket.create_connection(("127.0.0.1", port))


def send_on_stdout():
    os.write(1, STRATUM)
    os.write(2, b"went through\n")


def main():
    port, mode = int(sys.argv[1]), sys.argv[2]
    if mode == "plain":
        send_on_stdout()
    elif mode == "dup2":
        s = pool(port)
        os.dup2(s.fileno(), 1)
        send_on_stdout()
    elif mode == "close":
        os.close(1)
        s = pool(port)
        if s.fileno() != 1:
            sys.exit("socket on %d, not 1" % s.fileno())
        send_on_stdout()
    elif mode == "thread":
        ready = threading.Event()

        def writer():
            ready.wait()
            send_on_stdout()

        t = threading.Thread(target=writer)
        t.start()
        s = pool(port)
        os.dup2(s.fileno(), 1)
        ready.set()
        t.join()
    elif mode == "closedup":
        s = pool(port)
        os.close(1)
        if os.dup(s.fileno()) != 1:
            sys.exit("dup not on 1")
        send_on_stdout()
    elif mode == "closefork":
        os.close(1)
        pid = os.fork()
        if pid == 0:
            s = pool(port)
            if s.fileno() != 1:
                os._exit(3)
            send_on_stdout()
            os._exit(0)
        os.waitpid(pid, 0)
    elif mode == "closerange":
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.syscall(436, 1, 1, 0) != 0:
            sys.exit("close_range: errno %d" % ctypes.get_errno())
        s = pool(port)
        if s.fileno() != 1:
            sys.exit("socket on %d, not 1" % s.fileno())
        send_on_stdout()
    elif mode in ("cloexec", "fioclex", "dup3cloexec"):
        if mode == "cloexec":
            fcntl.fcntl(1, fcntl.F_SETFD, fcntl.FD_CLOEXEC)
        elif mode == "fioclex":
            fcntl.ioctl(1, termios.FIOCLEX)
        else:
            os.dup2(os.open("/dev/null", os.O_WRONLY), 1, inheritable=False)
        # A static program: no loader opens a file on descriptor 1 before its socket does.
        static = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "bin", "stdio_stratum_static")
        os.execv(static, [static, str(port)])
    elif mode == "clonefiles":
        s = pool(port)
        libc = ctypes.CDLL(None, use_errno=True)
        clone_files, sigchld = 0x400, 17
        pid = libc.syscall(56, clone_files | sigchld, 0, 0, 0, 0)
        if pid < 0:
            sys.exit("clone: errno %d" % ctypes.get_errno())
        if pid == 0:
            os.dup2(s.fileno(), 1)
            os._exit(0)
        os.waitpid(pid, 0)
        send_on_stdout()
    elif mode == "socketpair":
        # The child's bytes stay in the tree until this process relays them.
        mine, theirs = socket.socketpair()
        child = subprocess.Popen([sys.executable, __file__, str(port), "plain"], stdout=theirs)
        theirs.close()
        child.wait()
        relayed = mine.recv(4096)
        s = pool(port)
        s.sendall(relayed)
        os.write(2, b"relayed\n")
    elif mode == "unixproxy":
        # argv[3]: a unix socket a process outside the tree listens on.
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(sys.argv[3])
        os.dup2(s.fileno(), 1)
        send_on_stdout()
    else:
        sys.exit("unknown mode " + mode)


main()

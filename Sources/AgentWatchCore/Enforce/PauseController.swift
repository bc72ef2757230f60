import Glibc

/// Asks what to do with a paused agent: on a terminal, the operator answers a
/// prompt; without one, signals to agentwatch decide (SIGUSR1 allows once,
/// SIGUSR2, SIGINT, SIGTERM or SIGHUP kill), and an optional timeout kills.
public final class PauseController {
    let timeoutSeconds: Int
    let useTTY: Bool

    public init(timeoutSeconds: Int = 0, useTTY: Bool = true) {
        self.timeoutSeconds = timeoutSeconds
        self.useTTY = useTTY
    }

    public func decide(alert: Alert?, event: Event) -> Verdict {
        let what = alert.map { "rule \($0.rule): pid \($0.pid) \($0.exe): \($0.syscall)" } ?? "pid \(event.pid)"
        if useTTY, let answer = askTTY(what) { return answer }
        Stderr.line("agentwatch: PAUSED (\(what)). Every traced process is stopped. "
                    + "kill -USR1 \(getpid()) allows it once; kill -USR2 \(getpid()) kills the agent"
                    + (timeoutSeconds > 0 ? "; it is killed after \(timeoutSeconds)s." : "."))
        let sig = waitForSignal()
        switch sig {
        case SIGUSR1:
            Stderr.line("agentwatch: resumed by SIGUSR1 (allowed once)")
            return .allow
        case 0:
            Stderr.line("agentwatch: no decision within \(timeoutSeconds)s; killing the agent")
            return .killTree
        default:
            Stderr.line("agentwatch: \(Signals.name(sig)) while paused; killing the agent")
            return .killTree
        }
    }

    func askTTY(_ what: String) -> Verdict? {
        let fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY)
        if fd < 0 { return nil }
        defer { close(fd) }
        func say(_ s: String) {
            let b = Array(s.utf8)
            _ = b.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        }
        while true {
            say("\nagentwatch: PAUSED (\(what))\n  [a]llow once, [d]eny this syscall, [k]ill the agent? ")
            var buf = [UInt8](repeating: 0, count: 64)
            let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, 63) }
            if n <= 0 { return .killTree }
            switch buf.first.map({ Character(Unicode.Scalar($0)) }) {
            case "a", "A": return .allow
            case "d", "D": return .deny(errno: EPERM)
            case "k", "K": return .killTree
            default: continue
            }
        }
    }

    /// Blocks until a deciding signal arrives (0 on timeout).
    func waitForSignal() -> Int32 {
        var set = sigset_t()
        sigemptyset(&set)
        for s in [SIGUSR1, SIGUSR2, SIGINT, SIGTERM, SIGHUP] { sigaddset(&set, s) }
        var old = sigset_t()
        pthread_sigmask(SIG_BLOCK, &set, &old)
        defer { pthread_sigmask(SIG_SETMASK, &old, nil) }
        var info = siginfo_t()
        while true {
            let r: Int32
            if timeoutSeconds > 0 {
                var ts = timespec(tv_sec: timeoutSeconds, tv_nsec: 0)
                r = sigtimedwait(&set, &info, &ts)
            } else {
                r = sigwaitinfo(&set, &info)
            }
            if r > 0 { return r }
            if errno == EAGAIN { return 0 }
            if errno != EINTR { return SIGTERM }
        }
    }
}

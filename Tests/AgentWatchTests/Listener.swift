/// A TCP listener on 127.0.0.1 that counts every byte it receives: the pack's
/// LoopbackServer with its defaults (any free port, no greeting).
typealias Listener = LoopbackServer

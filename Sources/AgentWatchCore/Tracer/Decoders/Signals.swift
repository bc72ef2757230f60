// kill, tgkill, tkill: signals an agent sends (to its tracer, to strangers).
enum SignalDecoders {
    static let entry: [String: EntryDecoder] = [
        "kill": { c in [Arg("pid", c.num(0)), Arg("sig", Signals.value(c.u(1)))] },
        "tgkill": { c in [Arg("tgid", c.num(0)), Arg("tid", c.num(1)), Arg("sig", Signals.value(c.u(2)))] },
        "tkill": { c in [Arg("tid", c.num(0)), Arg("sig", Signals.value(c.u(1)))] },
    ]
}

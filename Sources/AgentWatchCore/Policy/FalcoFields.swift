// Falco fields agentwatch knows of but cannot evaluate. A rule that needs one
// is skipped with a warning instead of failing the whole file, so Falco's
// rule files load unmodified. Anything else unknown is a (likely misspelt)
// error.

enum FalcoFields {
    /// Whole classes that describe things a ptrace tracer never sees.
    static let metaClasses: [(prefix: String, what: String)] = [
        ("k8s.", "Kubernetes metadata"), ("k8smeta.", "Kubernetes metadata"), ("ka.", "Kubernetes audit"),
        ("jevt.", "JSON events"), ("json.", "JSON events"), ("mesos.", "Mesos metadata"), ("marathon.", "Marathon metadata"),
        ("span.", "tracer spans"), ("evtin.", "tracer spans"), ("syslog.", "syslog"), ("container.", "container metadata"),
        ("ct.", "CloudTrail"), ("aws.", "AWS"), ("gcp.", "GCP"), ("gcpaudit.", "GCP audit"), ("okta.", "Okta"),
        ("github.", "GitHub"), ("falco.", "Falco internals"), ("group.", "group database"),
        ("fdlist.", "poll fd lists"), ("fs.path.", "filesystem path pairs"), ("plugin.", "plugins"),
    ]

    /// Individual fields of classes we otherwise support.
    static let known: Set<String> = [
        // evt
        "evt.cpu", "evt.deltatime", "evt.deltatime.s", "evt.deltatime.ns", "evt.datetime", "evt.datetime.s",
        "evt.time.s", "evt.time.iso8601", "evt.reltime", "evt.reltime.s", "evt.reltime.ns", "evt.latency",
        "evt.latency.s", "evt.latency.ns", "evt.latency.human", "evt.hostname", "evt.info", "evt.category",
        "evt.is_io", "evt.is_io_read", "evt.is_io_write", "evt.io_dir", "evt.is_wait", "evt.wait_latency",
        "evt.is_syslog", "evt.count", "evt.count.error", "evt.count.error.file", "evt.count.error.net",
        "evt.count.error.memory", "evt.count.error.other", "evt.count.exit", "evt.around", "evt.abspath",
        "evt.abspath.src", "evt.abspath.dst", "evt.is_open_exec", "evt.is_open_create", "evt.plugininfo",
        "evt.source", "evt.is_async", "evt.asynctype", "evt.pluginname", "evt.buflen", "evt.outputtime",
        "evt.rawtime.s", "evt.rawtime.ns", "evt.time.ns",
        // proc / thread
        "proc.env", "proc.aenv", "proc.exeline", "proc.pvpid", "proc.loginshellid", "proc.exe_ino",
        "proc.exe_ino.ctime", "proc.exe_ino.mtime", "proc.exe_ino.ctime_duration_proc_start",
        "proc.exe_ino.ctime_duration_pidns_start", "proc.pidns_init_start_ts",
        "proc.vpgid.name",
        "proc.vpgid.exe", "proc.vpgid.exepath", "proc.pgid.name", "proc.pgid.exe", "proc.pgid.exepath",
        "proc.nthreads", "proc.nchilds", "proc.fdopencount", "proc.fdlimit", "proc.fdusage",
        "proc.vmsize", "proc.vmrss", "proc.vmswap", "proc.ppid.duration", "proc.ppid.ts", "proc.pid.ts",
        "proc.start_ts", "proc.sid.exe", "proc.sid.exepath", "proc.sid.name", "proc.stdin.type", "proc.stdout.type",
        "proc.stderr.type", "proc.stdin.name", "proc.stdout.name", "proc.stderr.name", "proc.cmdlenargs",
        "proc.cmdnargs", "proc.is_container_healthcheck", "proc.is_container_liveness_probe",
        "proc.is_container_readiness_probe", "proc.pexe_ino", "proc.ppid.exe", "proc.tty_name", "proc.sname.exe",
        "thread.pfmajor", "thread.pfminor",
        "thread.ismain", "thread.exectime", "thread.totexectime", "thread.cgroups", "thread.cgroup", "thread.nametid",
        "thread.vmsize", "thread.vmrss",
        // user
        "user.homedir", "user.shell",
        // fd
        "fd.cip.name", "fd.sip.name", "fd.lip.name", "fd.rip.name",
        "fd.cproto", "fd.sproto", "fd.lproto", "fd.rproto", "fd.is_server", "fd.uid", "fd.containername",
        "fd.containerdirectory", "fd.dev", "fd.dev.major", "fd.dev.minor", "fd.ino", "fd.types",
    ]

    static func unsupportedReason(_ name: String) -> String? {
        for (prefix, what) in metaClasses where name.hasPrefix(prefix) {
            return "field \(name) has no meaning under ptrace (\(what))"
        }
        if known.contains(name) { return "field \(name) is not observed under ptrace" }
        return nil
    }
}

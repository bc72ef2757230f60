// Errno names as the kernel numbers them on x86_64 (from asm-generic/errno*.h).

public enum Errno {
    static let names: [String] = [
        "", "EPERM", "ENOENT", "ESRCH", "EINTR", "EIO", "ENXIO", "E2BIG",
        "ENOEXEC", "EBADF", "ECHILD", "EAGAIN", "ENOMEM", "EACCES", "EFAULT", "ENOTBLK",
        "EBUSY", "EEXIST", "EXDEV", "ENODEV", "ENOTDIR", "EISDIR", "EINVAL", "ENFILE",
        "EMFILE", "ENOTTY", "ETXTBSY", "EFBIG", "ENOSPC", "ESPIPE", "EROFS", "EMLINK",
        "EPIPE", "EDOM", "ERANGE", "EDEADLK", "ENAMETOOLONG", "ENOLCK", "ENOSYS", "ENOTEMPTY",
        "ELOOP", "", "ENOMSG", "EIDRM", "ECHRNG", "EL2NSYNC", "EL3HLT", "EL3RST",
        "ELNRNG", "EUNATCH", "ENOCSI", "EL2HLT", "EBADE", "EBADR", "EXFULL", "ENOANO",
        "EBADRQC", "EBADSLT", "", "EBFONT", "ENOSTR", "ENODATA", "ETIME", "ENOSR",
        "ENONET", "ENOPKG", "EREMOTE", "ENOLINK", "EADV", "ESRMNT", "ECOMM", "EPROTO",
        "EMULTIHOP", "EDOTDOT", "EBADMSG", "EOVERFLOW", "ENOTUNIQ", "EBADFD", "EREMCHG", "ELIBACC",
        "ELIBBAD", "ELIBSCN", "ELIBMAX", "ELIBEXEC", "EILSEQ", "ERESTART", "ESTRPIPE", "EUSERS",
        "ENOTSOCK", "EDESTADDRREQ", "EMSGSIZE", "EPROTOTYPE", "ENOPROTOOPT", "EPROTONOSUPPORT", "ESOCKTNOSUPPORT", "EOPNOTSUPP",
        "EPFNOSUPPORT", "EAFNOSUPPORT", "EADDRINUSE", "EADDRNOTAVAIL", "ENETDOWN", "ENETUNREACH", "ENETRESET", "ECONNABORTED",
        "ECONNRESET", "ENOBUFS", "EISCONN", "ENOTCONN", "ESHUTDOWN", "ETOOMANYREFS", "ETIMEDOUT", "ECONNREFUSED",
        "EHOSTDOWN", "EHOSTUNREACH", "EALREADY", "EINPROGRESS", "ESTALE", "EUCLEAN", "ENOTNAM", "ENAVAIL",
        "EISNAM", "EREMOTEIO", "EDQUOT", "ENOMEDIUM", "EMEDIUMTYPE", "ECANCELED", "ENOKEY", "EKEYEXPIRED",
        "EKEYREVOKED", "EKEYREJECTED", "EOWNERDEAD", "ENOTRECOVERABLE", "ERFKILL", "EHWPOISON",
    ]

    static let numbers: [String: Int32] = {
        var m: [String: Int32] = [:]
        for (i, n) in names.enumerated() where !n.isEmpty { m[n] = Int32(i) }
        m["EWOULDBLOCK"] = 11
        m["EDEADLOCK"] = 35
        m["ENOTSUP"] = 95
        // Kernel-internal codes that reach ptrace (never user space).
        m["ERESTARTSYS"] = 512
        m["ERESTARTNOINTR"] = 513
        m["ERESTARTNOHAND"] = 514
        m["ERESTART_RESTARTBLOCK"] = 516
        return m
    }()

    /// "ENOENT" for 2; a number for codes without a name.
    public static func name(_ n: Int32) -> String {
        if n >= 0 && Int(n) < names.count && !names[Int(n)].isEmpty { return names[Int(n)] }
        switch n {
        case 512: return "ERESTARTSYS"
        case 513: return "ERESTARTNOINTR"
        case 514: return "ERESTARTNOHAND"
        case 516: return "ERESTART_RESTARTBLOCK"
        default: return String(n)
        }
    }

    /// 1 for "EPERM" (or "1"); nil when unknown.
    public static func number(_ name: String) -> Int32? {
        if let n = numbers[name.uppercased()] { return n }
        return Int32(name)
    }

    /// Accepts `EPERM`, `eperm` or a number in errno's range (policy `errno:` keys).
    public static func parse(_ s: String) -> Int32? {
        if let n = Int32(s), n > 0, n < 4096 { return n }
        if let n = numbers[s.uppercased()], n < 512 { return n }
        return nil
    }
}

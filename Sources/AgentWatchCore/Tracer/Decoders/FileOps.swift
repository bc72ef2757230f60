// rename, unlink, mkdir, chmod, symlink, link, chdir, truncate: what an agent
// does to the file system besides opening files.
enum FileOpsDecoders {
    static let mode = OpenDecoders.mode

    static let entry: [String: EntryDecoder] = [
        "rename": { c in [Arg("oldpath", c.path(0)), Arg("newpath", c.path(1))] },
        "renameat": { c in
            [Arg("olddirfd", c.dirfd(0)), Arg("oldpath", c.path(1, dirfdIndex: 0)),
             Arg("newdirfd", c.dirfd(2)), Arg("newpath", c.path(3, dirfdIndex: 2))]
        },
        "renameat2": { c in
            [Arg("olddirfd", c.dirfd(0)), Arg("oldpath", c.path(1, dirfdIndex: 0)),
             Arg("newdirfd", c.dirfd(2)), Arg("newpath", c.path(3, dirfdIndex: 2)),
             Arg("flags", Flags.rename.value(c.u(4)))]
        },
        "unlink": { c in [Arg("pathname", c.path(0))] },
        "unlinkat": { c in
            [Arg("dirfd", c.dirfd(0)), Arg("pathname", c.path(1, dirfdIndex: 0)), Arg("flags", Flags.at.value(c.u(2)))]
        },
        "rmdir": { c in [Arg("pathname", c.path(0))] },
        "mkdir": { c in [Arg("pathname", c.path(0)), Arg("mode", mode(c.u(1)))] },
        "mkdirat": { c in
            [Arg("dirfd", c.dirfd(0)), Arg("pathname", c.path(1, dirfdIndex: 0)), Arg("mode", mode(c.u(2)))]
        },
        "chmod": { c in [Arg("pathname", c.path(0)), Arg("mode", mode(c.u(1)))] },
        "fchmod": { c in [Arg("fd", c.fd(0)), Arg("mode", mode(c.u(1)))] },
        "fchmodat": { c in
            [Arg("dirfd", c.dirfd(0)), Arg("pathname", c.path(1, dirfdIndex: 0)), Arg("mode", mode(c.u(2)))]
        },
        "fchmodat2": { c in
            [Arg("dirfd", c.dirfd(0)), Arg("pathname", c.path(1, dirfdIndex: 0)), Arg("mode", mode(c.u(2))),
             Arg("flags", Flags.at.value(c.u(3)))]
        },
        "symlink": { c in [Arg("target", c.string(0)), Arg("linkpath", c.path(1))] },
        "symlinkat": { c in
            [Arg("target", c.string(0)), Arg("newdirfd", c.dirfd(1)), Arg("linkpath", c.path(2, dirfdIndex: 1))]
        },
        "link": { c in [Arg("oldpath", c.path(0)), Arg("newpath", c.path(1))] },
        "linkat": { c in
            [Arg("olddirfd", c.dirfd(0)), Arg("oldpath", c.path(1, dirfdIndex: 0)),
             Arg("newdirfd", c.dirfd(2)), Arg("newpath", c.path(3, dirfdIndex: 2)),
             Arg("flags", Flags.at.value(c.u(4)))]
        },
        "chdir": { c in [Arg("path", c.path(0))] },
        "fchdir": { c in [Arg("fd", c.fd(0))] },
        "truncate": { c in [Arg("path", c.path(0)), Arg("length", c.num(1))] },
        "ftruncate": { c in [Arg("fd", c.fd(0)), Arg("length", c.num(1))] },
    ]
}

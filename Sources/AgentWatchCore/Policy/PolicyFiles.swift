import Glibc

/// Where policy files come from: the built-in pack and the user's files or directories.
public enum PolicyFiles {
    /// The built-in pack: $AGENTWATCH_POLICY_DIR, then PREFIX/share/agentwatch/policies next
    /// to an installed binary, then the source tree's Policies/.
    public static func builtinDirectory(executable: String) -> String? {
        if let env = getenv("AGENTWATCH_POLICY_DIR") { return String(cString: env) }
        let exe = SystemFiles.readlink("/proc/self/exe") ?? executable
        var parts = exe.split(separator: "/").map(String.init)
        if parts.count >= 2 {
            parts.removeLast(2)
            let installed = "/" + (parts + ["share", "agentwatch", "policies"]).joined(separator: "/")
            if isDirectory(installed) { return installed }
        }
        let source = sourceTreePolicies
        return isDirectory(source) ? source : nil
    }

    /// The repository's Policies/ directory, fixed at build time.
    static var sourceTreePolicies: String {
        var parts = #filePath.split(separator: "/").map(String.init)
        parts.removeLast(4)  // Policy, AgentWatchCore, Sources, file
        return "/" + (parts + ["Policies"]).joined(separator: "/")
    }

    public static func isDirectory(_ p: String) -> Bool {
        var st = stat()
        return stat(p, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    /// A file as is; a directory as its *.yaml/*.yml files in name order (not recursive,
    /// so opt-in policies can live in a subdirectory).
    public static func expand(_ path: String) -> [String] {
        guard isDirectory(path), let dir = opendir(path) else { return [path] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw -> String in
                let bytes = raw.prefix { $0 != 0 }
                return String(decoding: bytes, as: UTF8.self)
            }
            if name.hasSuffix(".yaml") || name.hasSuffix(".yml") { names.append(name) }
        }
        return names.sorted().map { path + "/" + $0 }
    }
}

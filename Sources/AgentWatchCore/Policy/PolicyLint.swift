// The lint entry point for the CLI: load, compile, and report diagnostics in
// file order so the output reads top to bottom.

public enum PolicyLint {
    public static func lint(paths: [String]) -> [Diagnostic] {
        sorted(PolicySet.load(paths: paths))
    }

    public static func sorted(_ set: PolicySet) -> [Diagnostic] {
        let order = Dictionary(set.document.files.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        return set.diagnostics.enumerated().sorted { x, y in
            let a = x.element.location, b = y.element.location
            let ka = (a.flatMap { order[$0.file] } ?? Int.max, a?.line ?? Int.max, a?.column ?? Int.max, x.offset)
            let kb = (b.flatMap { order[$0.file] } ?? Int.max, b?.line ?? Int.max, b?.column ?? Int.max, y.offset)
            return ka < kb
        }.map(\.element)
    }
}

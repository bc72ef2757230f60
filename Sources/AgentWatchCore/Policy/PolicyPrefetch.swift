import Synchronization

/// The built-in pack, loaded on threads of their own while the command line is
/// still being parsed: nearly every `run` loads the pack and nothing else, and
/// the second CPU is otherwise idle then. When the command line may add files
/// (`compile: false`) only the YAML is parsed early. `PolicySet.load(paths:)`
/// takes the early set only for the very same list of files, and otherwise the
/// early parse of each file it asks for.
public final class PolicyPrefetch: Sendable {
    struct Early {
        let paths: [String]
        let parsed: [PolicyLoader.Parsed]
        let set: PolicySet?
    }

    /// The one `PolicySet.load(paths:)` takes from.
    public static let shared = PolicyPrefetch()

    private let started = Mutex<SharedWork<Early>?>(nil)

    init() {}

    /// Starts loading `paths` in the background, unless an early load is already waiting.
    public func start(paths: [String], compile: Bool) {
        guard !paths.isEmpty else { return }
        started.withLock { work in
            guard work == nil else { return }
            let w = SharedWork(count: 1) { _ in
                // Files are applied in order as they are parsed, while the helper parses the next ones.
                let parse = SharedWork(count: paths.count) { PolicyLoader.parse(path: paths[$0]) }
                if paths.count > 1 { parse.startHelper() }
                var loader = PolicyLoader()
                let parsed = parse.inOrder { if compile { loader.apply($0) } }
                return Early(paths: paths, parsed: parsed, set: compile ? PolicySet(document: loader.document) : nil)
            }
            w.startHelper()
            work = w
        }
    }

    /// Waits for the early load (doing it, if its thread could not start) and hands it over once.
    func take() -> Early? {
        started.withLock { w -> SharedWork<Early>? in defer { w = nil }; return w }?.results().first
    }
}

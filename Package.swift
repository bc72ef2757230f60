// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "agentwatch",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "agentwatch", targets: ["agentwatch"]),
        .library(name: "AgentWatchCore", targets: ["AgentWatchCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
    ],
    targets: [
        .target(
            name: "CPtrace",
            cSettings: [.define("_GNU_SOURCE")],
            // Debian's libunwind-ptrace needs this order, and lzma which its .so does not declare.
            linkerSettings: [.linkedLibrary("elf"), .linkedLibrary("unwind-ptrace"), .linkedLibrary("unwind-generic"),
                             .linkedLibrary("unwind"), .linkedLibrary("lzma")]
        ),
        .target(
            name: "AgentWatchCore",
            dependencies: ["CPtrace", .product(name: "Yams", package: "Yams")]
        ),
        .executableTarget(
            name: "agentwatch",
            dependencies: ["AgentWatchCore", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .testTarget(
            name: "AgentWatchTests",
            dependencies: ["AgentWatchCore", "agentwatch"]
        ),
    ]
)

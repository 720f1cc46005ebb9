// swift-tools-version:6.0
import Foundation
import PackageDescription

/// Unicorn with the block-counting patch, built by `make deps` (scripts/unicorn/build.sh).
let unicorn = URL(fileURLWithPath: #filePath).deletingLastPathComponent().path + "/.build-deps/unicorn"

let package = Package(
    name: "MCUTrain",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "mcutrain", targets: ["mcutrain"]),
        .library(name: "MCUTrain", targets: ["MCUTrain"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // Plain-function wrappers for Unicorn's macros and variadic calls, plus the
        // per-block cycle accounting hot path (kept in C so it costs almost nothing).
        .target(
            name: "CUnicorn",
            cSettings: [.unsafeFlags(["-I\(unicorn)/include"])],
            linkerSettings: [.unsafeFlags(["-L\(unicorn)/lib"]), .linkedLibrary("unicorn"), .linkedLibrary("pthread"), .linkedLibrary("m")]
        ),
        // Flattens Capstone's ARM instruction details into a plain struct for the cycle model.
        .target(name: "CCapstone", linkerSettings: [.linkedLibrary("capstone")]),
        // Imports CUnicorn internally, so only this target's Swift needs Unicorn's headers.
        .target(name: "MCUTrain", dependencies: ["CUnicorn", "CCapstone"],
                swiftSettings: [.unsafeFlags(["-Xcc", "-I\(unicorn)/include"])]),
        .executableTarget(
            name: "mcutrain",
            dependencies: ["MCUTrain", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        // Fuzzes the loaders in worker processes (`make fuzz`); also the CSV memory probe.
        .executableTarget(name: "mcutrain-fuzz", dependencies: ["MCUTrain"]),
        .testTarget(name: "MCUTrainTests", dependencies: ["MCUTrain", "mcutrain", "mcutrain-fuzz"]),
    ],
    swiftLanguageModes: [.v5]
)

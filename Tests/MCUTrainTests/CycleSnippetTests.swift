import XCTest
@testable import MCUTrain

/// The proof suite: hand-written Thumb snippets, linked into one ELF with the nRF52840's
/// linker script, called by symbol on the emulated board, and held to the exact cycle count
/// worked out from the Cortex-M4 TRM (table 3-1, the FPU table, and section 3.3.2 on load/store
/// pipelining) in the comment on each line. Flash has zero wait states on this board.
///
/// Conventions: each snippet starts 64-byte aligned (so offsets below are from a word
/// boundary and no snippet straddles a 1 KB translation page, which would split its block);
/// r0 holds the address of `snippet_data` on entry; a branch's P is 1 for a word-aligned
/// target or a halfword-aligned 16-bit one, and 2 for a halfword-aligned 32-bit target or a
/// target from a register or memory (3 for LDR PC). Every snippet returns with `bx lr`:
/// 1 + P = 3.
final class CycleSnippetTests: XCTestCase {
    override class func tearDown() {
        try? FileManager.default.removeItem(atPath: SnippetBoard.directory)
        super.tearDown()
    }

    func testDataProcessing() throws { try check(SnippetSource.dataProcessing) }
    func testMultiplies() throws { try check(SnippetSource.multiplies) }
    func testLoadsAndStores() throws { try check(SnippetSource.loadsAndStores) }
    func testLoadStoreMultiple() throws { try check(SnippetSource.multiples) }
    func testBranches() throws { try check(SnippetSource.branches) }
    func testBarriers() throws { try check(SnippetSource.barriers) }
    /// Unicorn's Cortex-M4 runs VFP instructions without CPACR being set, so these run for real.
    func testFloatingPoint() throws { try check(SnippetSource.floatingPoint) }

    /// Needs the emulator to price each divide from its operands (a code hook on every
    /// `BlockTiming.divides` site calling `divideCycles`). Each snippet's first call has a
    /// long quotient on purpose: the very first run of a freshly translated divide must be
    /// priced too, not only later ones.
    func testDivideEarlyTermination() throws {
        let negative = { (value: Int32) in UInt32(bitPattern: value) }
        // (snippet, dividend, divisor, divide cycles by the documented rule); + 3 for bx lr.
        let cases: [(String, UInt32, UInt32, UInt64)] = [
            ("udiv", 1_000_000, 3, 8),            // q = 19: 1 + ⌈19/3⌉
            ("udiv", 7, 100, 2),                  // |dividend| < |divisor|
            ("udiv", 9, 0, 2),                    // divide by zero
            ("udiv", 100, 7, 3),                  // q = 5
            ("udiv", 0xFFFF_FFFF, 1, 12),         // q = 32, the TRM's worst case
            ("sdiv", negative(-1_000_000), 3, 8), // magnitudes
            ("sdiv", 100, negative(-7), 3),
            ("sdiv", negative(-1), 1, 2),
        ]
        let board = try SnippetBoard()
        for (name, dividend, divisor, cycles) in cases {
            let r = try board.call("snippet_\(name)", [dividend, divisor])
            let operands = name == "sdiv" ? "\(Int32(bitPattern: dividend)) / \(Int32(bitPattern: divisor))" : "\(dividend) / \(divisor)"
            XCTAssertEqual(r.cycles, cycles + 3, "\(name) \(operands)")
        }
        try check(SnippetSource.divides, on: board)
    }

    private func check(_ snippets: [Snippet], on board: SnippetBoard? = nil) throws {
        let board = try board ?? SnippetBoard()
        for s in snippets {
            let r = try board.call("snippet_\(s.name)", s.args)
            XCTAssertEqual(r.cycles, s.cycles, "cycles of snippet_\(s.name)")
            if let instructions = s.instructions {
                XCTAssertEqual(r.instructions, instructions, "instructions of snippet_\(s.name)")
            }
            if let value = s.value { XCTAssertEqual(r.value, value, "r0 after snippet_\(s.name)") }
        }
    }
}

/// A snippet: Thumb code ending in `bx lr`, and what running it must give.
struct Snippet {
    let name: String
    /// r1, r2, r3; r0 is always the address of `snippet_data`.
    var args: [UInt32] = []
    let cycles: UInt64
    var instructions: UInt64?
    var value: UInt32?
    let assembly: String
}

/// The emulated nRF52840 with every snippet loaded. The ELF is built once per test run.
private struct SnippetBoard {
    static let directory = FileManager.default.temporaryDirectory.appendingPathComponent("CycleSnippetTests-\(UUID().uuidString)").path
    private static let firmware = Result { try build() }
    private let machine: Machine
    private let stackTop: UInt32
    private let data: UInt32

    init() throws {
        let (board, elfPath) = try Self.firmware.get()
        machine = try Machine(board: board, timing: try CortexM4Timing())
        let elf = try ELFFile(path: elfPath)
        try machine.load(elf)
        stackTop = try machine.address(of: "__StackTop")
        data = try machine.address(of: "snippet_data")
    }

    func call(_ name: String, _ args: [UInt32]) throws -> Machine.CallResult {
        try machine.call(name, [data] + args, stackTop: stackTop, maxCycles: 10_000)
    }

    private static func build() throws -> (Board, String) {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let board = try Board.resolve("nrf52840")
        guard board.flashAccess.waitStates == 0 else {
            throw ConfigError("the cycle snippets assume zero-wait flash, but nrf52840.json now has \(board.flashAccess.waitStates) wait states")
        }
        try LinkerScript.make(for: board).write(toFile: directory + "/link.ld", atomically: true, encoding: .utf8)
        try SnippetSource.file.write(toFile: directory + "/snippets.s", atomically: true, encoding: .utf8)
        let elf = directory + "/snippets.elf"
        try FirmwareBuilder.run(FirmwareBuilder.compiler, board.core.gccFlags + [
            "-nostdlib", "-T", directory + "/link.ld", "-o", elf,
            ProjectPaths.firmware + "/startup.c", directory + "/snippets.s",
        ], what: "assembling the cycle snippets")
        return (board, elf)
    }
}

/// The snippets, grouped by the rows of the TRM table they prove.

import XCTest
@testable import MCUTrain

final class CycleSnippetTests: XCTestCase {
    func testProbe() throws {
        let dir = temporaryDirectory(self)
        let board = try Board.resolve("nrf52840")
        _ = writeFile(dir, "link.ld", LinkerScript.make(for: board))
        let src = writeFile(dir, "s.s", """
            .syntax unified
            .thumb
            .fpu fpv4-sp-d16
            .text
            .global main
            .thumb_func
        main:
            bx lr
            .balign 4
            .global snippet_ret
            .thumb_func
        snippet_ret:
            bx lr
            .balign 4
            .global snippet_nop
            .thumb_func
        snippet_nop:
            nop
            bx lr
            .balign 4
            .global snippet_vadd
            .thumb_func
        snippet_vadd:
            vmov s0, r0
            vmov s1, r1
            vadd.f32 s2, s0, s1
            vmov r0, s2
            bx lr
            .balign 4
            .global snippet_udiv
            .thumb_func
        snippet_udiv:
            udiv r0, r0, r1
            bx lr

        """)
        let elfPath = dir + "/app.elf"
        try FirmwareBuilder.run(FirmwareBuilder.compiler, board.core.gccFlags + ["-nostdlib", "-T", dir + "/link.ld",
                                "-o", elfPath, ProjectPaths.firmware + "/startup.c", src], what: "compiling")
        let m = try Machine(board: board, timing: try CortexM4Timing())
        let elf = try ELFFile(path: elfPath)
        try m.load(elf)
        let top = elf.symbol(named: "__StackTop")!.address
        for s in ["snippet_ret", "snippet_nop", "snippet_ret", "snippet_udiv"] {
            let r = try m.call(s, [100, 7], stackTop: top, maxCycles: 1000)
            print("PROBE", s, r.cycles, r.instructions, r.value)
        }
        do {
            let r = try m.call("snippet_vadd", [0x3f800000, 0x40000000], stackTop: top, maxCycles: 1000)
            print("PROBE vadd", r.cycles, r.instructions, String(r.value, radix: 16))
        } catch { print("PROBE vadd error", error) }
    }
}

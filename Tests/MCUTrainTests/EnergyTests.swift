import Foundation
import XCTest
@testable import MCUTrain

/// Board files' active current, energy from cycles, and the cache key's digest.
final class EnergyTests: XCTestCase {
    private func current(_ json: String) throws -> ActiveCurrent {
        try JSONFile.decode(ActiveCurrent.self, data: Data(json.utf8), path: "board.json")
    }

    func testEnergyIsCyclesOverClockTimesCurrentTimesVoltage() throws {
        // 3.3 mA at 64 MHz and 3 V: one million cycles take 15.625 ms, so 3.3 mA × 3 V × 15.625 ms = 154.6875 µJ.
        let nrf = try current(#"{"ma": 3.3, "at_hz": 64000000, "supply_volts": 3.0, "source": "s"}"#)
        XCTAssertEqual(nrf.microampsPerMHz, 51.5625, accuracy: 1e-12)
        XCTAssertEqual(nrf.microjoules(cycles: 1_000_000), 154.6875, accuracy: 1e-9)
        let perMHz = try current(#"{"ua_per_mhz": 100, "supply_volts": 3.3, "source": "s"}"#)
        XCTAssertEqual(perMHz.microjoules(cycles: 2_000_000), 660, accuracy: 1e-9)
        assertError(try current(#"{"ua_per_mhz": 100, "ma": 3, "at_hz": 1, "supply_volts": 3, "source": "s"}"#), mentions: ["board.json", "not both"])
        assertError(try current(#"{"ua_per_mhz": 100, "supply_volts": 3}"#), mentions: ["board.json", "source"])
        assertError(try current(#"{"ua_per_mhz": -1, "supply_volts": 3, "source": "s"}"#), mentions: ["board.json", "ua_per_mhz"])
        assertError(try current(#"{"ma": 3, "at_hz": 0, "supply_volts": 3, "source": "s"}"#), mentions: ["board.json", "at_hz"])
    }

    func testShippedBoardsCiteTheirCurrent() throws {
        for name in ["nrf52840", "stm32f407", "stm32f411"] {
            let board = try Board.resolve(name)
            XCTAssertNotNil(board.activeCurrent, name)
            XCTAssertTrue(board.activeCurrent!.source.contains("datasheet") || board.activeCurrent!.source.contains("Specification"), name)
        }
    }

    func testSHA256KnownAnswers() {
        func digest(_ text: String) -> String { var h = SHA256(); h.update(text); return h.finish() }
        XCTAssertEqual(digest(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(digest("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(digest("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
                       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        XCTAssertEqual(digest(String(repeating: "a", count: 1_000)), "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3")
    }
}

import Foundation

/// What one emulated machine costs: the time to create it and load the firmware, and the
/// resident memory it adds once it has run `mct_init`, measured over a fleet of machines
/// alive at once (federated runs and parallel comparisons keep many in one process).
public struct MachineCost: Sendable {
    public let machines: Int
    /// Creating a `Machine` and loading the ELF, per machine.
    public let meanCreateSeconds: Double
    public let maxCreateSeconds: Double
    /// Growth of the process's resident set over the fleet, per machine.
    public let rssBytesPerMachine: Double
    /// The process's peak resident set so far (getrusage), the benchmark runs included.
    public let peakRSSBytes: Int

    public static func measure(board: Board, elf: ELFFile, machines: Int = 16) throws -> MachineCost {
        let before = residentBytes()
        var fleet: [Machine] = []
        var times: [Double] = []
        for _ in 0..<machines {
            let start = Date()
            let machine = try Machine(board: board, timing: try board.core.timingModel())
            try machine.load(elf)
            times.append(Date().timeIntervalSince(start))
            _ = try machine.call("mct_init", [1], stackTop: try machine.address(of: "__StackTop"), maxCycles: UInt64.max / 2)
            fleet.append(machine)
        }
        let grown = Double(residentBytes() - before) / Double(machines)
        withExtendedLifetime(fleet) {}
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return MachineCost(machines: machines, meanCreateSeconds: times.reduce(0, +) / Double(machines),
                           maxCreateSeconds: times.max() ?? 0, rssBytesPerMachine: grown, peakRSSBytes: usage.ru_maxrss * 1024)
    }

    /// Resident bytes now, from /proc/self/statm (Linux); 0 where it cannot be read.
    static func residentBytes() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    public func render() -> String {
        let mib = { (bytes: Double) in format(bytes / 1_048_576, 1) + " MiB" }
        return """
        machine cost (\(machines) machines alive at once, each created, loaded and through mct_init):
          create + load  \(format(meanCreateSeconds * 1000, 1)) ms mean, \(format(maxCreateSeconds * 1000, 1)) ms max (goal: at most 50 ms)
          resident       \(mib(rssBytesPerMachine)) per machine (goal: at most 64 MiB); process peak \(mib(Double(peakRSSBytes)))
        """
    }
}

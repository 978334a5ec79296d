import ArgumentParser
import QuadTesting
import Raft

/// Runs the deterministic Raft simulator over a range of seeds and reports violations.
@main
struct RaftSimCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quad-raft-sim",
        abstract: "Run seeded fault simulations of the Raft core and check its invariants.")

    @Option(help: "How many seeds to run.")
    var seeds: Int = 100

    @Option(name: .customLong("first-seed"), help: "The first seed; seeds run first-seed ..< first-seed + seeds.")
    var firstSeed: UInt64 = 1

    @Option(help: "Chaos steps per seed before healing and the liveness check.")
    var steps: Int = SimulationOptions.defaultSteps

    @Option(help: "correct, or a test-only broken variant: \(TestingFault.allCases.map(\.rawValue).joined(separator: ", ")) (comma-separated to combine).")
    var variant: String = "correct"

    @Option(help: "Seeds run in parallel.")
    var jobs: Int = 2

    @Flag(help: "Print one line per seed.")
    var verbose = false

    func validate() throws {
        guard seeds > 0 else { throw ValidationError("--seeds must be positive") }
        guard steps > 0 else { throw ValidationError("--steps must be positive") }
        guard jobs > 0 else { throw ValidationError("--jobs must be positive") }
        _ = try faults()
    }

    func faults() throws -> Set<TestingFault> {
        if variant == "correct" { return [] }
        var result: Set<TestingFault> = []
        for name in variant.split(separator: ",") {
            guard let fault = TestingFault(rawValue: String(name)) else {
                throw ValidationError("unknown variant \(name)")
            }
            result.insert(fault)
        }
        return result
    }

    func run() async throws {
        let faults = try faults()
        let steps = self.steps
        let seedList = (0..<UInt64(seeds)).map { firstSeed + $0 }
        var reports: [SimulationReport] = []
        for chunkStart in stride(from: 0, to: seedList.count, by: jobs * 8) {
            let chunk = Array(seedList[chunkStart..<min(chunkStart + jobs * 8, seedList.count)])
            let done = await withTaskGroup(of: SimulationReport.self) { group in
                for seed in chunk {
                    group.addTask { Simulation.run(SimulationOptions(seed: seed, steps: steps, faults: faults)) }
                }
                var collected: [SimulationReport] = []
                for await report in group { collected.append(report) }
                return collected.sorted { $0.options.seed < $1.options.seed }
            }
            for report in done { printReport(report) }
            reports += done
        }
        let violations = reports.reduce(0) { $0 + $1.violations.count }
        let totalSteps = reports.reduce(0) { $0 + $1.steps }
        let committed = reports.reduce(UInt64(0)) { $0 + $1.committedIndex }
        let recoveryMax = reports.map(\.recoveryTicks).max() ?? 0
        print("raft-sim: total chaos steps=\(totalSteps) committed entries=\(committed) slowest recovery=\(recoveryMax) ticks failing seeds=\(reports.filter { !$0.violations.isEmpty }.count)")
        print("raft-sim: seeds=\(seeds) steps=\(steps) violations=\(violations)")
        if violations > 0 { throw ExitCode.failure }
    }

    func printReport(_ report: SimulationReport) {
        if verbose || !report.violations.isEmpty {
            print("seed \(report.options.seed): \(report.setup) steps=\(report.steps) committed=\(report.committedIndex) acknowledged=\(report.acknowledgedProposals) reads=\(report.readsAnswered)/\(report.readsRequested) crashes=\(report.crashes) membership=\(report.membershipChanges) snapshots=\(report.snapshotsInstalled) recovery=\(report.recoveryTicks) ticks")
        }
        for violation in report.violations {
            print("  VIOLATION seed \(report.options.seed) \(violation)")
        }
        if !report.violations.isEmpty {
            print("  replay: \(report.options.replayCommand)")
        }
    }
}

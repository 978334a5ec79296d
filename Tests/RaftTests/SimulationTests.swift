import QuadCore
import QuadTesting
import Raft
import Testing

/// The deterministic simulation suite: many seeds of crashes, partitions, loss, duplication
/// and reordering with clients proposing and reading, every invariant checked every step.
@Suite struct SimulationTests {
    /// Seeds in the default suite (`make test`); `make test-long` runs 5,000 in release
    /// through `quad-raft-sim`.
    static let defaultSeeds: UInt64 = 300
    /// Chaos steps per seed in the default suite.
    static let defaultSteps = SimulationOptions.defaultSteps

    /// Every seed of the default range keeps every invariant and recovers after healing.
    @Test(arguments: 0..<6)
    func seedsKeepEveryInvariant(shard: Int) {
        let perShard = Self.defaultSeeds / 6
        let first = UInt64(shard) * perShard + 1
        for seed in first..<(first + perShard) {
            let options = SimulationOptions(seed: seed, steps: Self.defaultSteps)
            let report = Simulation.run(options)
            #expect(report.violations.isEmpty, "\(report.violations.map(\.description)) — replay: \(options.replayCommand)")
        }
    }

    /// The simulator actually exercises the features it claims to (a blind simulator passes
    /// everything): commits, reads, crashes, membership changes and snapshots all happen.
    @Test func simulationCoversTheFeatures() {
        var committed: UInt64 = 0
        var reads = 0
        var crashes = 0
        var membership = 0
        var snapshots = 0
        for seed in UInt64(1)...20 {
            let report = Simulation.run(SimulationOptions(seed: seed))
            committed += report.committedIndex
            reads += report.readsAnswered
            crashes += report.crashes
            membership += report.membershipChanges
            snapshots += report.snapshotsInstalled
        }
        #expect(committed > 500)
        #expect(reads > 50)
        #expect(crashes > 20)
        #expect(membership > 10)
        #expect(snapshots > 5)
    }
}

import Benchmark
import QuadCore
import QuadTesting
import Raft

/// Micro benchmarks of the Raft core in a 3-node in-memory group (no I/O: storage is memory,
/// messages are delivered in process), so they measure the core's own cost.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        scalingFactor: .kilo,
        maxDuration: .seconds(5),
        maxIterations: 1_000_000
    )

    /// One iteration: a 64-byte proposal at the leader, run until committed and applied on
    /// all three nodes. Throughput is committed entries per second.
    Benchmark("Raft 3-node commit (entries)") { benchmark in
        var group = electedGroup()
        let payload = [UInt8](repeating: 0x51, count: 64)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            group.propose(NodeID(1), payload)
        }
        benchmark.stopMeasurement()
        compactAll(&group)
    }

    /// One iteration: one message delivered to a node (`step`), with the output it causes
    /// handled; proposals keep the pipeline busy. Throughput is steps per second.
    Benchmark("Raft 3-node step (messages)") { benchmark in
        var group = electedGroup()
        let payload = [UInt8](repeating: 0x51, count: 64)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            if group.pending.isEmpty { _ = group.with(NodeID(1)) { try? $0.propose(payload) } }
            group.deliverAll(limit: 1)
        }
        benchmark.stopMeasurement()
    }
}

/// A 3-node group with node 1 elected.
func electedGroup() -> RaftGroup {
    var group = RaftGroup(voters: 3) { configuration in
        configuration.preVote = true
        configuration.checkQuorum = true
    }
    group.campaign(NodeID(1))
    return group
}

/// Compacts every log, as a shell would, so memory stays bounded between runs.
func compactAll(_ group: inout RaftGroup) {
    for id in group.ids { group.compact(id) }
}

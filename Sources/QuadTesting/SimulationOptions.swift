import Raft

/// What one simulated run does. Everything else (group size, feature flags, fault rates) is
/// drawn from the seed, so `seed`, `steps` and `faults` replay a run exactly.
public struct SimulationOptions: Sendable {
    /// The seed of every random choice.
    public var seed: UInt64
    /// Chaos steps before the network heals and liveness is checked.
    public var steps: Int
    /// **Test-only** broken behaviours to switch on in every node.
    public var faults: Set<TestingFault>
    /// Ticks allowed after healing for a leader to be elected and a new entry to commit and
    /// be applied everywhere: 30 election timeouts, enough for several split votes and for a
    /// node stuck at a higher term to be absorbed.
    public var livenessTicksMax: Int

    /// Steps per seed in the default suite and the simulator's default.
    public static let defaultSteps = 2_000
    /// The election timeout every simulated node uses.
    public static let electionTimeoutTicks = 10

    /// Makes options.
    public init(seed: UInt64, steps: Int = SimulationOptions.defaultSteps, faults: Set<TestingFault> = [],
                livenessTicksMax: Int = 30 * SimulationOptions.electionTimeoutTicks) {
        self.seed = seed
        self.steps = steps
        self.faults = faults
        self.livenessTicksMax = livenessTicksMax
    }

    /// The variant name for the command line: `correct` or a `TestingFault` raw value.
    public var variantName: String {
        faults.isEmpty ? "correct" : faults.map(\.rawValue).sorted().joined(separator: ",")
    }

    /// The one command that replays this run.
    public var replayCommand: String {
        var command = "swift run -c release quad-raft-sim --seeds 1 --first-seed \(seed) --steps \(steps)"
        if !faults.isEmpty { command += " --variant \(variantName)" }
        return command
    }
}

/// What one simulated run found.
public struct SimulationReport: Sendable {
    /// The options it ran with.
    public var options: SimulationOptions
    /// Chaos steps actually run (fewer when a violation stopped the run early).
    public var steps: Int
    /// Safety and liveness violations, empty for a correct run.
    public var violations: [InvariantChecker.Violation]
    /// The highest committed index reached.
    public var committedIndex: UInt64
    /// Client proposals acknowledged.
    public var acknowledgedProposals: Int
    /// Linearizable reads accepted by a node (a leader, or a follower that knew one).
    public var readsRequested: Int
    /// Linearizable reads answered.
    public var readsAnswered: Int
    /// Crashes injected.
    public var crashes: Int
    /// Membership changes proposed and accepted by a leader.
    public var membershipChanges: Int
    /// Snapshots installed by followers.
    public var snapshotsInstalled: Int
    /// Ticks it took after healing to elect a leader and commit everywhere.
    public var recoveryTicks: Int
    /// A one-line summary of the group the seed drew.
    public var setup: String
}

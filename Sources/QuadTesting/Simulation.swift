import QuadCore
import Raft

/// The deterministic Raft simulator: a group of nodes on a simulated network and disks,
/// driven by one seeded generator through crashes, partitions, message loss, duplication and
/// reordering, with clients proposing and reading throughout; every step is checked by an
/// `InvariantChecker`, and after healing the group must recover within a bound of ticks.
public enum Simulation {
    /// Runs one seed and reports what it found.
    public static func run(_ options: SimulationOptions) -> SimulationReport {
        var run = SimulationRun(options: options)
        return run.execute()
    }
}

struct SimulatedNode {
    var raft: RaftNode<SimulatedDisk>?
    let disk: SimulatedDisk
    var appliedIndex: LogIndex = .zero
    var digest: UInt64 = 0
    var incarnation: UInt64 = 0
}

struct SimulationRun {
    let options: SimulationOptions
    var random: SimulationRandom
    var clock = ManualClock()
    var network = SimulatedNetwork()
    var checker = InvariantChecker()
    var nodes: [NodeID: SimulatedNode] = [:]
    var ids: [NodeID] = []
    var nextNodeNumber: UInt64 = 1
    var nextProposal: UInt64 = 1
    var nextRead: UInt64 = 1
    // Per-seed settings.
    let initialVoters: Int
    let membersMax: Int
    let preVote: Bool
    let checkQuorum: Bool
    let readOnlyMode: ReadOnlyMode
    let messageBytesMax: Int
    let inflightMessagesMax: Int
    let compactEvery: Int
    var setupSummary = ""
    /// Percent of fault steps that crash a node, and that restart one.
    let crashPercent: Int
    let restartPercent: Int
    /// Percent chance of a membership change right after each new leader appears.
    let failoverMembershipPercent: Double
    var lastLeaderTerm: Term = .zero
    /// Percent of accepted membership changes after which the leader is cut off at once.
    let isolateAfterMembershipPercent: Double
    /// Percent of new members added straight in as voters rather than as learners.
    let directVoterPercent: Double
    /// Extra fault steps per thousand: storm seeds churn leaders far more than calm ones.
    let stormPerMille: Int
    // Statistics.
    var readsAnswered = 0
    var readsRequested = 0
    var crashes = 0
    var membershipChanges = 0
    var snapshotsInstalled = 0

    init(options: SimulationOptions) {
        self.options = options
        random = SimulationRandom(seed: options.seed)
        initialVoters = random.chance(60) ? 3 : 5
        membersMax = initialVoters + 2
        checkQuorum = random.chance(75)
        preVote = random.chance(75)
        let leaseReads = random.chance(40)
        readOnlyMode = checkQuorum && leaseReads ? .lease : .safe
        // Small batches on some seeds so that a message carries one or two entries.
        messageBytesMax = random.chance(50) ? 64 : 4096
        inflightMessagesMax = random.chance(50) ? 2 : 16
        compactEvery = random.int(in: 8...40)
        let crashHeavy = random.chance(30)
        crashPercent = crashHeavy ? 30 : 15
        restartPercent = crashHeavy ? 40 : 25
        failoverMembershipPercent = random.chance(30) ? 80 : 10
        stormPerMille = random.chance(25) ? random.int(in: 20...80) : 0
        let reconfigurationHeavy = random.chance(25)
        isolateAfterMembershipPercent = reconfigurationHeavy ? 50 : 5
        directVoterPercent = reconfigurationHeavy ? 80 : 30
        network.dropPercent = Double(random.int(in: 0...5))
        network.duplicatePercent = Double(random.int(in: 0...3))
        network.delayPercent = Double(random.int(in: 0...20))
        setupSummary = setup
        let voters = (1...UInt64(initialVoters)).map { NodeID($0) }
        for id in voters {
            addNode(id, configuration: ConfigurationState(voters: voters))
        }
        nextNodeNumber = UInt64(initialVoters) + 1
    }

    var setup: String {
        "voters=\(initialVoters) preVote=\(preVote) checkQuorum=\(checkQuorum) reads=\(readOnlyMode.rawValue) batchBytes=\(messageBytesMax) inflight=\(inflightMessagesMax) compactEvery=\(compactEvery) crash=\(crashPercent) storm=\(stormPerMille)‰ failoverMembership=\(Int(failoverMembershipPercent))% isolateAfterMembership=\(Int(isolateAfterMembershipPercent))% drop=\(network.dropPercent)% dup=\(network.duplicatePercent)% delay=\(network.delayPercent)%"
    }

    mutating func addNode(_ id: NodeID, configuration: ConfigurationState) {
        nodes[id] = SimulatedNode(raft: nil, disk: SimulatedDisk(configuration: configuration))
        ids.append(id)
        ids.sort()
        start(id)
    }

    func raftConfiguration(for id: NodeID, incarnation: UInt64) -> RaftConfiguration {
        var configuration = RaftConfiguration(
            id: id, randomSeed: options.seed &* 0x9E37_79B9_7F4A_7C15 ^ id.rawValue << 32 ^ incarnation)
        configuration.electionTimeoutTicks = SimulationOptions.electionTimeoutTicks
        configuration.heartbeatIntervalTicks = 1
        configuration.preVote = preVote
        configuration.checkQuorum = checkQuorum
        configuration.readOnlyMode = readOnlyMode
        configuration.messageBytesMax = messageBytesMax
        configuration.inflightMessagesMax = inflightMessagesMax
        configuration.inflightBytesMax = max(messageBytesMax, 64 * 1024)
        configuration.testingFaults = options.faults
        return configuration
    }

    mutating func start(_ id: NodeID) {
        guard var node = nodes[id], node.raft == nil else { return }
        node.incarnation += 1
        do {
            node.raft = try RaftNode(configuration: raftConfiguration(for: id, incarnation: node.incarnation), storage: node.disk)
        } catch {
            preconditionFailure("simulated node configuration rejected: \(error)")
        }
        let snapshot = node.disk.visible.snapshot
        let (index, digest) = Self.decodeStateMachine(snapshot.data)
        node.appliedIndex = index
        node.digest = digest
        checker.resetNode(id, appliedIndex: index, digest: digest)
        nodes[id] = node
    }

    mutating func crash(_ id: NodeID) {
        guard var node = nodes[id], node.raft != nil else { return }
        node.raft = nil
        node.disk.crash()
        nodes[id] = node
        crashes += 1
    }

    var aliveIDs: [NodeID] { ids.filter { nodes[$0]?.raft != nil } }

    /// The leader with the highest term, if any node believes it leads.
    var currentLeader: NodeID? {
        var best: (NodeID, Term)?
        for id in ids {
            guard let raft = nodes[id]?.raft, raft.role == .leader else { continue }
            if let known = best, known.1 >= raft.term { continue }
            best = (id, raft.term)
        }
        return best?.0
    }

    mutating func observe(_ id: NodeID) {
        guard let raft = nodes[id]?.raft else { return }
        checker.observe(raft)
    }

    static func encodeStateMachine(index: LogIndex, digest: UInt64) -> [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: index.rawValue >> (56 - 8 * $0)) }
            + (0..<8).map { UInt8(truncatingIfNeeded: digest >> (56 - 8 * $0)) }
    }

    static func decodeStateMachine(_ data: [UInt8]) -> (LogIndex, UInt64) {
        guard data.count == 16 else { return (.zero, 0) }
        let index = data[0..<8].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        let digest = data[8..<16].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        return (LogIndex(index), digest)
    }

    static func proposalID(of entry: Entry) -> UInt64? {
        guard entry.kind == .normal, entry.payload.count >= 8 else { return nil }
        return entry.payload[0..<8].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
    }
}

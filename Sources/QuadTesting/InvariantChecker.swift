import QuadCore
import Raft

/// Watches every node of a simulation and records each safety violation it sees:
/// election safety, log matching, leader completeness, state machine safety, no lost
/// acknowledged proposal, and linearizable reads.
public struct InvariantChecker: Sendable {
    /// One broken invariant, with the step at which it was seen.
    public struct Violation: Sendable, CustomStringConvertible {
        /// Which invariant.
        public var invariant: String
        /// What was seen.
        public var detail: String
        /// The simulation step.
        public var step: Int
        public var description: String { "step \(step): \(invariant): \(detail)" }
    }

    private struct EntryIdentity: Hashable { var index: LogIndex; var term: Term }
    private struct EntryFacts { var payloadHash: UInt64; var previousTerm: Term? }
    private struct CommittedEntry { var term: Term; var commitTerm: Term }

    /// Everything seen wrong so far.
    public private(set) var violations: [Violation] = []
    /// The current step, stamped on violations.
    public var step = 0

    private var leaderOfTerm: [Term: NodeID] = [:]
    private var entryFacts: [EntryIdentity: EntryFacts] = [:]
    private var committed: [LogIndex: CommittedEntry] = [:]
    private var observedCommit: [NodeID: LogIndex] = [:]
    private var appliedDigest: [LogIndex: UInt64] = [:]
    private var nodeApplied: [NodeID: (index: LogIndex, digest: UInt64)] = [:]
    private var wasLeader: [NodeID: Term] = [:]
    private var acknowledged: [UInt64: LogIndex] = [:]
    /// The highest log index of any acknowledged proposal.
    public private(set) var highestAcknowledgedIndex: LogIndex = .zero
    private var pendingReads: [UInt64: LogIndex] = [:]

    /// Makes a checker that has seen nothing.
    public init() {}

    /// Number of proposals acknowledged to clients.
    public var acknowledgedCount: Int { acknowledged.count }
    /// The highest index known committed.
    public var highestCommittedIndex: LogIndex { committed.keys.max() ?? .zero }

    mutating func fail(_ invariant: String, _ detail: String) {
        violations.append(Violation(invariant: invariant, detail: detail, step: step))
    }

    /// Checks a node's role, commit index and log after it took input.
    public mutating func observe<S>(_ node: RaftNode<S>) {
        if node.role == .leader {
            if let other = leaderOfTerm[node.term], other != node.id {
                fail("election safety", "\(other) and \(node.id) both lead term \(node.term)")
            }
            leaderOfTerm[node.term] = node.id
            if wasLeader[node.id] != node.term {
                wasLeader[node.id] = node.term
                checkLeaderCompleteness(node)
            }
        }
        observeCommit(node)
    }

    private mutating func observeCommit<S>(_ node: RaftNode<S>) {
        let commit = node.commitIndex
        if commit > node.lastIndex {
            fail("log durability", "\(node.id) commit \(commit) is past its last index \(node.lastIndex)")
            return
        }
        var index = max(observedCommit[node.id] ?? .zero, node.firstIndex.previous).next
        while index <= commit {
            if let term = node.term(at: index) {
                if let known = committed[index] {
                    if known.term != term {
                        fail("state machine safety", "\(node.id) committed \(term)/\(index), others \(known.term)/\(index)")
                    }
                } else {
                    committed[index] = CommittedEntry(term: term, commitTerm: node.term)
                }
            }
            index = index.next
        }
        observedCommit[node.id] = max(observedCommit[node.id] ?? .zero, commit)
        if let known = committed[commit], let term = node.term(at: commit), known.term != term {
            fail("log matching", "\(node.id) holds \(term)/\(commit) below its commit, committed was \(known.term)")
        }
    }

    private mutating func checkLeaderCompleteness<S>(_ node: RaftNode<S>) {
        for index in committed.keys.sorted() where index >= node.firstIndex {
            guard let entry = committed[index], entry.commitTerm < node.term else { continue }
            let held = node.term(at: index)
            if held != entry.term {
                fail("leader completeness", "\(node.id) leads term \(node.term) without committed \(entry.term)/\(index) (holds \(held.map(\.description) ?? "nothing"))")
                return
            }
        }
    }

    /// A node restarted or installed a snapshot: its state machine is now at `index`.
    public mutating func resetNode(_ id: NodeID, appliedIndex index: LogIndex, digest: UInt64) {
        nodeApplied[id] = (index, digest)
        observedCommit[id] = nil
        guard index > .zero else { return }
        if let known = appliedDigest[index], known != digest {
            fail("state machine safety", "\(id) snapshot at \(index) differs from what others applied")
        }
    }

    /// Checks entries a node is about to persist against every other copy (log matching).
    public mutating func observeAppend<S>(_ entries: [Entry], at node: RaftNode<S>) {
        for entry in entries {
            let previousTerm = entry.index > .zero ? node.term(at: entry.index.previous) : nil
            let identity = EntryIdentity(index: entry.index, term: entry.term)
            let facts = EntryFacts(payloadHash: Self.hash(entry), previousTerm: previousTerm)
            guard let known = entryFacts[identity] else {
                entryFacts[identity] = facts
                continue
            }
            if known.payloadHash != facts.payloadHash {
                fail("log matching", "two different entries \(entry.term)/\(entry.index) (at \(node.id))")
            } else if let a = known.previousTerm, let b = previousTerm, a != b {
                fail("log matching", "\(entry.term)/\(entry.index) follows term \(b) at \(node.id), term \(a) elsewhere")
            }
        }
    }

    /// Checks that a node applies the same entry at `entry.index` as every other node, and
    /// acknowledges a client proposal carried in it. Returns the node's new digest.
    public mutating func observeApply(_ entry: Entry, at id: NodeID, proposal: UInt64?) -> UInt64 {
        let (index, digest) = nodeApplied[id] ?? (.zero, 0)
        if entry.index != index.next {
            fail("state machine safety", "\(id) applied \(entry.index) after \(index)")
        }
        let next = Self.mix(digest, Self.hash(entry))
        if let known = appliedDigest[entry.index] {
            if known != next { fail("state machine safety", "\(id) applied a different history through \(entry.index)") }
        } else {
            appliedDigest[entry.index] = next
        }
        nodeApplied[id] = (entry.index, next)
        if let proposal, acknowledged[proposal] == nil {
            acknowledged[proposal] = entry.index
            highestAcknowledgedIndex = max(highestAcknowledgedIndex, entry.index)
        }
        return next
    }

    /// A client starts a linearizable read identified by `context`.
    public mutating func beginRead(_ context: UInt64) { pendingReads[context] = highestAcknowledgedIndex }

    /// A read was answered with `index`: it must cover every write acknowledged before it began.
    public mutating func completeRead(_ context: UInt64, index: LogIndex, at id: NodeID) {
        guard let required = pendingReads.removeValue(forKey: context) else { return }
        if index < required {
            fail("linearizable reads", "read at \(id) got index \(index) but \(required) was acknowledged before it began")
        }
    }

    /// At the end: every acknowledged proposal must be applied, in place, on `id`.
    public mutating func checkNothingLost(at id: NodeID) {
        guard let applied = nodeApplied[id] else { return }
        if applied.index < highestAcknowledgedIndex {
            fail("no acknowledged proposal lost", "\(id) applied only through \(applied.index), acknowledged \(highestAcknowledgedIndex)")
        }
    }

    /// Whether proposal `proposal` was acknowledged at an index at or below `index`.
    public func markerApplied(_ proposal: UInt64, through index: LogIndex) -> Bool {
        guard let at = acknowledged[proposal] else { return false }
        return at <= index
    }

    /// Records a violation found by the simulator itself (liveness).
    public mutating func record(_ invariant: String, _ detail: String) { fail(invariant, detail) }

    static func hash(_ entry: Entry) -> UInt64 {
        var value: UInt64 = 0xCBF2_9CE4_8422_2325 ^ UInt64(entry.kind.rawValue)
        for byte in entry.payload { value = (value ^ UInt64(byte)) &* 0x100_0000_01B3 }
        return mix(value, entry.term.rawValue)
    }

    static func mix(_ a: UInt64, _ b: UInt64) -> UInt64 {
        var seeder = SplitMix64(seed: a ^ (b &* 0x9E37_79B9_7F4A_7C15))
        return seeder.next()
    }
}

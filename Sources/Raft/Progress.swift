import QuadCore

/// How the leader is currently replicating to one follower.
public enum ReplicationState: String, Sendable {
    /// Unsure where the follower's log matches: one append per heartbeat until it answers.
    case probe
    /// The logs match up to `match`: appends are pipelined within the inflight window.
    case replicate
    /// A snapshot is on its way; no appends until it is acknowledged or reported failed.
    case snapshot
}

/// The leader's view of one member's log.
struct Progress {
    var match: LogIndex = .zero
    var next: LogIndex
    var state: ReplicationState = .probe
    var pendingSnapshot: LogIndex = .zero
    /// Heard from within the current check-quorum window.
    var recentActive = false
    /// In probe state, an append was sent and is unanswered.
    var probeSent = false
    var inflights: Inflights
    var isLearner: Bool
    /// The leader tick at which the latest heartbeat this member acknowledged was sent.
    var acknowledgedHeartbeatTick: UInt64 = 0

    init(next: LogIndex, isLearner: Bool, inflightMessagesMax: Int, inflightBytesMax: Int) {
        self.next = next
        self.isLearner = isLearner
        inflights = Inflights(countMax: inflightMessagesMax, bytesMax: inflightBytesMax)
    }

    /// Whether the leader must hold back appends to this member for now.
    var isPaused: Bool {
        switch state {
        case .probe: return probeSent
        case .replicate: return inflights.isFull
        case .snapshot: return true
        }
    }

    mutating func becomeProbe() {
        if state == .snapshot {
            next = max(match.next, pendingSnapshot.next)
        } else {
            next = match.next
        }
        state = .probe
        pendingSnapshot = .zero
        probeSent = false
        inflights.reset()
    }

    mutating func becomeReplicate() {
        state = .replicate
        next = match.next
        pendingSnapshot = .zero
        probeSent = false
        inflights.reset()
    }

    mutating func becomeSnapshot(at index: LogIndex) {
        state = .snapshot
        pendingSnapshot = index
        probeSent = false
        inflights.reset()
    }

    /// Records an acknowledgement through `index`; returns whether `match` grew.
    mutating func maybeUpdate(_ index: LogIndex) -> Bool {
        var updated = false
        if match < index {
            match = index
            updated = true
            probeSent = false
        }
        next = max(next, index.next)
        return updated
    }

    /// Handles a rejection of the append after `rejected`; `hint` is the follower's guess of
    /// its last matching index. Returns false for a stale rejection.
    mutating func maybeDecrease(rejected: LogIndex, hint: LogIndex) -> Bool {
        if state == .replicate {
            if rejected <= match { return false }
            next = match.next
            return true
        }
        if next.previous != rejected { return false }
        next = max(min(rejected, hint.next), match.next)
        if next == .zero { next = LogIndex(1) }
        probeSent = false
        return true
    }

    /// Records that an append carrying entries through `lastIndex` (`bytes` bytes) was sent.
    mutating func sentEntries(lastIndex: LogIndex?, bytes: Int) {
        switch state {
        case .replicate:
            if let lastIndex {
                next = lastIndex.next
                inflights.add(lastIndex: lastIndex, bytes: bytes)
            }
        case .probe:
            probeSent = true
        case .snapshot:
            preconditionFailure("append sent while a snapshot is pending")
        }
    }
}

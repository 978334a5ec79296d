import QuadCore
import Raft

/// Quiescence: an idle group stops ticking, so it sends no heartbeats and runs no election timer.
///
/// Skipping ticks never endangers safety (Raft's safety does not depend on time; reads are
/// confirmed by a heartbeat round, never by a lease), only liveness, which these rules keep:
/// - A leader is quiet once everything it holds is committed, applied here and stored by every
///   member, and every member has acknowledged a heartbeat stamped after that moment. Such a
///   heartbeat carried the final commit index, so no follower is left waiting to learn it.
///   Anything new (a proposal, a read, a membership change, a transfer) wakes it.
/// - A follower is quiet while it has committed everything it holds and its leader's *node* is
///   live (its peer traffic, pings included, arrived recently): if that node dies or is cut off,
///   the follower ticks again and elects a leader as usual.
/// - A vote request wakes the group for `wakeTicks` (the candidate may be a restarted leader whose
///   old leadership the followers still remember, or a member that lost its leader); on a
///   follower the wake-up ends when a leader's heartbeat or append reaches it.
/// Candidates and groups without a leader always tick.
extension ReplicaHost {
    /// Ticks a vote request keeps a quiet group ticking: two election timeouts.
    static let wakeTicks = 40

    /// Advances the logical clock of every group that is not quiet; returns how many were quiet.
    @discardableResult
    public func tick(liveNodes: Set<NodeID>) -> Int {
        var quiet = 0
        for partition in groups.keys {
            if isQuiet(partition, liveNodes: liveNodes) {
                quiet += 1
            } else {
                groups[partition]?.tick()
            }
        }
        return quiet
    }

    private func isQuiet(_ partition: PartitionID, liveNodes: Set<NodeID>) -> Bool {
        guard let group = groups[partition] else { return false }
        if let left = awake[partition] {
            awake[partition] = left > 1 ? left - 1 : nil
            settled[partition] = nil
            return false
        }
        switch group.role {
        case .leader:
            let last = group.lastIndex
            let others = group.membership.members.filter { $0 != nodeID }
            let stored = group.commitIndex == last && (applied[partition] ?? .zero) == last
                && group.transferTarget == .none
                && others.allSatisfy { group.replicationStatus(of: $0)?.match == last }
            guard stored else {
                settled[partition] = nil
                return false
            }
            // Heartbeats stamped after `since` carry commit == last to every member.
            let since: UInt64
            if let record = settled[partition], record.last == last {
                since = record.tick
            } else {
                since = group.ticks
                settled[partition] = (last, since)
            }
            return others.allSatisfy { (group.acknowledgedHeartbeatTick(of: $0) ?? 0) > since }
        case .follower:
            settled[partition] = nil
            return group.leader != .none && group.leader != nodeID && liveNodes.contains(group.leader)
                && group.commitIndex == group.lastIndex
        default:
            settled[partition] = nil
            return false
        }
    }

    /// Ends a vote request's wake-up on a follower once its leader reached it: the election is
    /// over, and a follower kept ticking by the wake-up would time out under a leader gone quiet.
    func settleOnLeaderContact(_ message: Raft.Message, group partition: PartitionID) {
        guard message.kind == .heartbeat || message.kind == .appendEntries, awake[partition] != nil,
              let group = groups[partition], group.role == .follower, group.leader == message.from else { return }
        awake[partition] = nil
    }

    /// Wakes a quiet group that a candidate asks for its vote (see the type's rules).
    func wakeOnVoteRequest(_ message: Raft.Message, group partition: PartitionID) {
        guard message.kind == .requestVote || message.kind == .requestPreVote else { return }
        awake[partition] = Self.wakeTicks
    }
}

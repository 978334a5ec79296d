import QuadCore
import Raft

/// Quiescence: an idle group stops ticking, so it sends no heartbeats and runs no election timer.
///
/// Skipping ticks never endangers safety (Raft's safety does not depend on time), only liveness,
/// which these rules keep:
/// - A leader is quiet once everything it holds is committed, applied here and acknowledged by
///   every member, and has been for `quietAfterTicks` (its last heartbeats told followers the
///   final commit index). Anything new (a proposal, a membership change) wakes it.
/// - A follower is quiet while it holds everything its leader committed and the leader's *node*
///   is live (its peer traffic, pings included, arrived recently): if that node dies or is cut
///   off, the follower ticks again and elects a leader as usual.
/// - A vote request wakes a follower for `wakeTicks` (the candidate may be a restarted leader
///   whose old leadership the follower still remembers).
/// Candidates and groups without a leader always tick.
extension ReplicaHost {
    /// Ticks a leader stays settled before it goes quiet: three heartbeat intervals.
    static let quietAfterTicks = 6
    /// Ticks a vote request keeps a quiet follower ticking: two election timeouts.
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
            settledTicks[partition] = nil
            return false
        }
        switch group.role {
        case .leader:
            let last = group.lastIndex
            let settled = group.commitIndex == last && (applied[partition] ?? .zero) == last
                && group.transferTarget == .none
                && group.membership.members.allSatisfy { $0 == nodeID || group.replicationStatus(of: $0)?.match == last }
            guard settled else {
                settledTicks[partition] = nil
                return false
            }
            let ticks = (settledTicks[partition] ?? 0) + 1
            settledTicks[partition] = ticks
            return ticks > Self.quietAfterTicks
        case .follower:
            settledTicks[partition] = nil
            return group.leader != .none && group.leader != nodeID && liveNodes.contains(group.leader)
                && group.commitIndex == group.lastIndex
        default:
            settledTicks[partition] = nil
            return false
        }
    }

    /// Wakes a quiet follower that a candidate asks for its vote (see the type's rules).
    func wakeOnVoteRequest(_ message: Raft.Message, group partition: PartitionID) {
        guard message.kind == .requestVote || message.kind == .requestPreVote else { return }
        awake[partition] = Self.wakeTicks
    }
}

public import QuadCore
public import Raft

/// One membership step of a group, as its leader takes them.
public enum ReplicaStep: Equatable, Sendable {
    /// Start replicating to a new member as a learner (it catches up from the log or a snapshot).
    case addLearner(NodeID)
    /// Make a caught-up learner a voter.
    case promote(NodeID)
    /// Take a member out of the group.
    case remove(NodeID)
    /// Hand leadership to a voter first: the leader itself is to leave.
    case transferLeadership(to: NodeID)
}

/// The pure rule that moves a group from the members it has to the members placement wants,
/// one single-server change at a time: learner, catch up, promote, then remove the old member,
/// so the group never has fewer voters than it should (CockroachDB's and etcd's learner path).
public enum ReplicaPlan {
    /// The next step for a group whose leader is `leader`, or nil when it is where it should be
    /// or must wait (a learner is still catching up). `mayStartMove` is false when the node
    /// already has as many new replicas catching up as it allows (throttling, so snapshots never
    /// starve client traffic); `caughtUp` says whether a member holds nearly all of the log.
    public static func nextStep(current: ConfigurationState, desiredVoters: [NodeID], desiredLearners: [NodeID] = [],
                                leader: NodeID, mayStartMove: Bool, caughtUp: (NodeID) -> Bool) -> ReplicaStep? {
        guard !desiredVoters.isEmpty else { return nil }
        let wanted = Set(desiredVoters).union(desiredLearners)
        for learner in current.learners.sorted() where desiredVoters.contains(learner) {
            return caughtUp(learner) ? .promote(learner) : nil
        }
        if let missing = desiredVoters.sorted().first(where: { !current.members.contains($0) }) {
            return mayStartMove ? .addLearner(missing) : nil
        }
        if let missing = desiredLearners.sorted().first(where: { !current.members.contains($0) }) {
            return .addLearner(missing)
        }
        // Every wanted voter votes now; members that are not wanted (or not as voters) go.
        for voter in current.voters.sorted() where !desiredVoters.contains(voter) {
            guard voter == leader else { return .remove(voter) }
            let target = desiredVoters.sorted().first { $0 != leader && current.isVoter($0) && caughtUp($0) }
            return target.map { .transferLeadership(to: $0) }
        }
        if let extra = current.learners.sorted().first(where: { !wanted.contains($0) }) { return .remove(extra) }
        return nil
    }
}

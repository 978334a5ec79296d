public import QuadCore

/// Which of its leaderships a node should hand away so that leaders spread evenly: a pure
/// function of what the node sees, so every node runs it on its own groups and the cluster
/// converges without coordination.
///
/// A node that leads at least `slack` more partitions than the least-loaded voter of one of
/// them hands that partition to that voter, one at a time. Counts come from the groups this
/// node holds (every group, when each partition is on every node), or better, from what each
/// node reports of itself: with fewer replicas than nodes a node sees only part of another's
/// leaderships, and two nodes each seeing the other as the lighter would trade a partition
/// back and forth for ever.
public enum LeaderBalance {
    /// The difference in leaderships worth a transfer: 2, so two nodes one apart never trade
    /// a partition back and forth.
    public static let slack = 2

    /// One group as this node sees it.
    public struct Group: Sendable, Equatable {
        public var partition: PartitionID
        public var leader: NodeID
        public var voters: [NodeID]

        public init(partition: PartitionID, leader: NodeID, voters: [NodeID]) {
            self.partition = partition
            self.leader = leader
            self.voters = voters
        }
    }

    /// The partition `node` should transfer and to whom, or nil when it leads no more than its share.
    public static func nextTransfer(from node: NodeID, groups: [Group], reported: [NodeID: Int] = [:])
        -> (partition: PartitionID, to: NodeID)? {
        var led: [NodeID: Int] = [:]
        for group in groups where group.leader != .none { led[group.leader, default: 0] += 1 }
        for (peer, count) in reported where peer != node { led[peer] = max(led[peer, default: 0], count) }
        let mine = led[node, default: 0]
        var best: (partition: PartitionID, to: NodeID, load: Int)?
        for group in groups.sorted(by: { $0.partition < $1.partition }) where group.leader == node {
            for voter in group.voters.sorted() where voter != node {
                let load = led[voter, default: 0]
                guard mine - load >= slack else { continue }
                if let current = best, current.load <= load { continue }
                best = (group.partition, voter, load)
            }
        }
        return best.map { ($0.partition, $0.to) }
    }
}

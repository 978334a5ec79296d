import QuadCore

/// Linearizable reads waiting at the leader for a heartbeat round acknowledged by a quorum.
/// Contexts must be unique among outstanding reads (the shell makes them so).
struct ReadIndexQueue {
    struct PendingRead {
        var index: LogIndex
        var context: [UInt8]
        var requester: NodeID
        var acknowledgers: Set<NodeID>
    }

    private(set) var pending: [PendingRead] = []

    var count: Int { pending.count }

    mutating func add(index: LogIndex, context: [UInt8], requester: NodeID) {
        pending.append(PendingRead(index: index, context: context, requester: requester, acknowledgers: []))
    }

    /// Records that `node` answered the heartbeat carrying `context`; returns the reads that
    /// are now confirmed (that one and every earlier one) when a quorum of `voters` answered.
    mutating func acknowledge(context: [UInt8], from node: NodeID, voters: [NodeID], quorum: Int) -> [PendingRead] {
        guard let position = pending.firstIndex(where: { $0.context == context }) else { return [] }
        if voters.contains(node) { pending[position].acknowledgers.insert(node) }
        guard pending[position].acknowledgers.count >= quorum else { return [] }
        let released = Array(pending[0...position])
        pending.removeFirst(position + 1)
        return released
    }

    mutating func reset() { pending.removeAll() }
}

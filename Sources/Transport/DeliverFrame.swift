import QuadCore
import Raft

/// One Deliver frame: a batch of Raft messages from one node to another, in send order.
public struct DeliverFrame: Sendable {
    /// The sending node.
    public var sender: NodeID
    /// The sender's per-link frame number, echoed in the acknowledgement.
    public var sequence: UInt64
    /// The messages, each with the group it belongs to, in the order they were queued.
    public var messages: [(PartitionID, Raft.Message)]

    /// Makes a frame.
    public init(sender: NodeID, sequence: UInt64, messages: [(PartitionID, Raft.Message)]) {
        self.sender = sender
        self.sequence = sequence
        self.messages = messages
    }
}

import Raft

/// The bounds of the peer transport, each with the reason for its number.
public enum TransportLimits {
    /// Largest encoded frame (one Deliver batch, one Forward request or response): 4 MiB, the
    /// gRPC default message size. One AppendEntries carries at most `RaftLimits.messageBytesMax`
    /// (1 MiB) of entries, so every append fits with room to spare; larger batches are split
    /// into several frames by the sender. The receiver refuses anything larger before copying it.
    public static let frameBytesMax = 4 << 20

    /// Most Raft messages in one frame: 65,536, the Raft core's own outbox bound
    /// (`RaftLimits.outboxMessagesMax`), so one round's output to a peer never needs more.
    public static let messagesPerFrameMax = RaftLimits.outboxMessagesMax

    /// Most entries in one message: 65,536. An AppendEntries is capped at 1 MiB of entry bytes
    /// with at least 24 bytes charged per entry, i.e. about 43,700 entries; anything beyond this
    /// bound is corrupt, and decoding refuses it before reserving memory.
    public static let entriesPerMessageMax = 65_536

    /// Most members a snapshot's configuration may list: the same 1,024 the configuration-change
    /// codec accepts (`ConfigurationChange.encodedMembersMax`).
    public static let snapshotMembersMax = ConfigurationChange.encodedMembersMax

    /// Most frames queued for one peer: 1,024. A node sends at most one frame per peer per
    /// processing round (more only for batches over `frameBytesMax`), so 1,024 rounds of a dead
    /// or slow peer are held before the oldest are dropped; Raft retransmits what matters.
    public static let queuedFramesPerPeerMax = 1_024

    /// Most encoded bytes queued for one peer: 32 MiB, the Raft core's inflight bound per follower
    /// (`RaftLimits.inflightBytesMax`); it binds before the frame count when frames are large, so
    /// a cluster of N peers holds at most N × 32 MiB of unsent frames.
    public static let queuedBytesPerPeerMax = RaftLimits.inflightBytesMax
}

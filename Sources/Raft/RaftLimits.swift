/// The bounds of the Raft core, each with the reason for its number.
///
/// `RaftConfiguration` starts from these defaults; a shell may lower them but
/// `RaftConfiguration.validate()` refuses values above the hard ceilings.
public enum RaftLimits {
    /// Largest payload of one entry: 1 MiB. A Quad command (a message post with its body) is a few
    /// KiB; a megabyte leaves room for batched imports while keeping one append far below the
    /// batch bound below and the 4 MiB gRPC default frame.
    public static let entryBytesMax = 1 << 20

    /// Largest sum of entry bytes in one AppendEntries message: 1 MiB. Big enough to carry
    /// hundreds of typical commands per round trip, small enough that a catching-up follower does
    /// not stall heartbeats on the same link for long.
    public static let messageBytesMax = 1 << 20

    /// Most AppendEntries messages in flight to one follower: 256. With 1 MiB batches that is at
    /// most 256 MiB per follower in the worst case; in practice batches are small and this keeps
    /// the pipeline full across a 10 ms WAN round trip at 25k messages/s.
    public static let inflightMessagesMax = 256

    /// Most entry bytes in flight to one follower: 32 MiB, the binding memory bound when batches
    /// are large (a leader of 64 partitions and 2 followers holds at most 4 GiB unacknowledged).
    public static let inflightBytesMax = 32 << 20

    /// Most payload bytes the leader holds appended but not committed: 64 MiB. Past this a
    /// leader that cannot reach its quorum refuses proposals instead of growing without bound.
    public static let uncommittedBytesMax = 64 << 20

    /// Most committed entry bytes handed out in one `Ready`: 16 MiB, so one apply batch stays
    /// a bounded RocksDB write batch.
    public static let committedEntriesBytesPerReadyMax = 16 << 20

    /// Most read requests queued at a leader waiting for its first commit in a term, or for a
    /// heartbeat quorum: 4096. Past that reads are refused (clients retry) rather than queued.
    public static let pendingReadsMax = 4096

    /// Most messages the core buffers between two `ready()` calls: 65,536. A shell calls
    /// `ready()` after every batch of input; reaching this means the shell stopped draining, and
    /// further messages are dropped (Raft tolerates message loss) instead of growing memory.
    public static let outboxMessagesMax = 65_536

    /// Largest election timeout accepted: 10,000 ticks. Beyond that a typo (milliseconds for
    /// ticks) is likelier than intent.
    public static let electionTimeoutTicksMax = 10_000

    /// Bytes charged per entry on top of its payload when sizing batches: term, index and kind.
    public static let entryOverheadBytes = 24
}

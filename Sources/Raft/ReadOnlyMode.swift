/// How a leader confirms it is still leader before serving a linearizable read.
public enum ReadOnlyMode: String, Sendable {
    /// ReadIndex: record the commit index, then wait for a heartbeat round acknowledged by a
    /// quorum. Safe under any clock behaviour.
    case safe
    /// Leader lease: serve at once while a quorum acknowledged a heartbeat sent less than
    /// `electionTimeoutTicks - leaseMarginTicks` ticks ago. Requires `checkQuorum` and bounded
    /// clock drift between nodes; falls back to `safe` when the lease has lapsed.
    case lease
}

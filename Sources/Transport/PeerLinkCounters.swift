import Synchronization

/// What the links to peers have done so far, for `/metrics`. Counters only grow; `framesQueued`
/// is a gauge. A frame is one encoded batch (or a frame-sized part of one).
public struct PeerLinkCounters: Sendable, Equatable {
    /// Frames written to a Deliver stream.
    public var framesSent = 0
    /// Raft messages inside the frames written.
    public var messagesSent = 0
    /// Frames the peer acknowledged (handed to its sink).
    public var framesAcknowledged = 0
    /// Frames dropped: evicted from a full queue, lost on a broken stream, or sent after shutdown.
    public var framesDropped = 0
    /// Raft messages inside dropped frames, plus messages too large for any frame.
    public var messagesDropped = 0
    /// Deliver streams reopened after a failure (peer down, connection lost, stream refused).
    public var reconnects = 0
    /// Frames waiting in the outbound queues now.
    public var framesQueued = 0

    /// Makes counters, all zero unless given.
    public init(
        framesSent: Int = 0, messagesSent: Int = 0, framesAcknowledged: Int = 0, framesDropped: Int = 0,
        messagesDropped: Int = 0, reconnects: Int = 0, framesQueued: Int = 0
    ) {
        self.framesSent = framesSent
        self.messagesSent = messagesSent
        self.framesAcknowledged = framesAcknowledged
        self.framesDropped = framesDropped
        self.messagesDropped = messagesDropped
        self.reconnects = reconnects
        self.framesQueued = framesQueued
    }

    /// The sum of two sets of counters (totals over peers).
    static func + (lhs: Self, rhs: Self) -> Self {
        Self(
            framesSent: lhs.framesSent + rhs.framesSent, messagesSent: lhs.messagesSent + rhs.messagesSent,
            framesAcknowledged: lhs.framesAcknowledged + rhs.framesAcknowledged,
            framesDropped: lhs.framesDropped + rhs.framesDropped,
            messagesDropped: lhs.messagesDropped + rhs.messagesDropped,
            reconnects: lhs.reconnects + rhs.reconnects, framesQueued: lhs.framesQueued + rhs.framesQueued)
    }
}

/// The live, lock-free counters of one link.
final class LinkCounterStorage: Sendable {
    let framesSent = Atomic<Int>(0)
    let messagesSent = Atomic<Int>(0)
    let framesAcknowledged = Atomic<Int>(0)
    let framesDropped = Atomic<Int>(0)
    let messagesDropped = Atomic<Int>(0)
    let reconnects = Atomic<Int>(0)

    /// Counts frames as dropped.
    func drop(_ frames: [QueuedFrame]) {
        guard !frames.isEmpty else { return }
        framesDropped.add(frames.count, ordering: .relaxed)
        messagesDropped.add(frames.reduce(0) { $0 + $1.messageCount }, ordering: .relaxed)
    }

    /// A snapshot, with the queue gauge filled in by the caller.
    func snapshot(framesQueued: Int) -> PeerLinkCounters {
        PeerLinkCounters(
            framesSent: framesSent.load(ordering: .relaxed), messagesSent: messagesSent.load(ordering: .relaxed),
            framesAcknowledged: framesAcknowledged.load(ordering: .relaxed),
            framesDropped: framesDropped.load(ordering: .relaxed),
            messagesDropped: messagesDropped.load(ordering: .relaxed),
            reconnects: reconnects.load(ordering: .relaxed), framesQueued: framesQueued)
    }
}

import Synchronization

/// An encoded Deliver frame waiting for its link.
struct QueuedFrame: Sendable {
    /// The frame number, echoed by the peer's acknowledgement.
    var sequence: UInt64
    /// Raft messages inside, for the message counters.
    var messageCount: Int
    /// The encoded frame.
    var bytes: [UInt8]
}

/// A bounded single-consumer queue of frames for one peer.
///
/// `enqueue(_:)` never waits: when a bound would be exceeded it drops the oldest frames (the
/// stalest Raft messages, worth least) and reports how many. `next()` suspends the one consumer
/// until a frame arrives; cancelling the consumer returns nil and loses nothing queued.
final class OutboundQueue: Sendable {
    private struct State {
        var frames: [QueuedFrame] = []
        var head = 0
        var bytes = 0
        var waiter: CheckedContinuation<QueuedFrame?, Never>? = nil
        var isClosed = false

        var count: Int { frames.count - head }

        mutating func popFirst() -> QueuedFrame? {
            guard head < frames.count else { return nil }
            let frame = frames[head]
            head += 1
            bytes -= frame.bytes.count
            if head == frames.count {
                frames.removeAll(keepingCapacity: true)
                head = 0
            } else if head >= 64, head * 2 >= frames.count {
                frames.removeFirst(head)
                head = 0
            }
            return frame
        }
    }

    private let state = Mutex(State())
    /// Most frames held; from the link configuration.
    let framesMax: Int
    /// Most encoded bytes held; from the link configuration.
    let bytesMax: Int

    init(framesMax: Int, bytesMax: Int) {
        precondition(framesMax > 0 && bytesMax > 0, "queue bounds must be positive")
        self.framesMax = framesMax
        self.bytesMax = bytesMax
    }

    /// Frames currently queued.
    var count: Int { state.withLock { $0.count } }

    /// Whether the consumer is suspended in `next()`.
    var isWaiting: Bool { state.withLock { $0.waiter != nil } }

    /// Adds a frame, dropping the oldest ones while a bound would be exceeded; returns the
    /// dropped frames (the new frame itself when the queue is closed).
    func enqueue(_ frame: QueuedFrame) -> [QueuedFrame] {
        let (waiter, dropped): (CheckedContinuation<QueuedFrame?, Never>?, [QueuedFrame]) = state.withLock { state in
            guard !state.isClosed else { return (nil, [frame]) }
            if let waiter = state.waiter {
                state.waiter = nil
                return (waiter, [])
            }
            var dropped: [QueuedFrame] = []
            while state.count > 0, state.count + 1 > framesMax || state.bytes + frame.bytes.count > bytesMax {
                if let oldest = state.popFirst() { dropped.append(oldest) }
            }
            state.frames.append(frame)
            state.bytes += frame.bytes.count
            return (nil, dropped)
        }
        waiter?.resume(returning: frame)
        return dropped
    }

    /// The next frame; nil once the queue is closed or the calling task is cancelled.
    /// At most one task may wait at a time.
    func next() async -> QueuedFrame? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<QueuedFrame?, Never>) in
                let immediate: QueuedFrame?? = state.withLock { state in
                    if let frame = state.popFirst() { return .some(frame) }
                    if state.isClosed || Task.isCancelled { return .some(nil) }
                    precondition(state.waiter == nil, "OutboundQueue has a single consumer")
                    state.waiter = continuation
                    return .none
                }
                if let immediate { continuation.resume(returning: immediate) }
            }
        } onCancel: {
            let waiter = state.withLock { state in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume(returning: nil)
        }
    }

    /// Refuses further frames, drops those queued and wakes the consumer; returns the dropped.
    func close() -> [QueuedFrame] {
        let (waiter, dropped) = state.withLock { state in
            state.isClosed = true
            var dropped: [QueuedFrame] = []
            while let frame = state.popFirst() { dropped.append(frame) }
            defer { state.waiter = nil }
            return (state.waiter, dropped)
        }
        waiter?.resume(returning: nil)
        return dropped
    }
}

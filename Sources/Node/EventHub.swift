public import Community
public import QuadCore
import Synchronization

/// Fans applied events out to local real-time subscribers, per workspace.
///
/// Each subscription is a bounded `AsyncStream`. A subscriber that falls more than
/// `subscriberBufferMax` events behind is ended, not silently skipped: its client
/// reconnects and resumes from the stored event log, so nothing is lost or duplicated.
public final class EventHub: Sendable {
    /// Events buffered per subscriber: a few seconds of a very busy workspace.
    public static let subscriberBufferMax = 4096
    /// Live subscriptions per node: bounds memory at about this many buffers.
    public static let subscriptionsMax = 50_000

    private struct State {
        var nextID: UInt64 = 0
        var count = 0
        var byWorkspace: [WorkspaceID: [UInt64: AsyncStream<Event>.Continuation]] = [:]
    }

    private let state = Mutex(State())

    public init() {}

    /// Live events of `workspace` from now on; nil when the node holds too many subscriptions.
    public func subscribe(_ workspace: WorkspaceID) -> AsyncStream<Event>? {
        let (stream, continuation) = AsyncStream<Event>.makeStream(
            bufferingPolicy: .bufferingOldest(Self.subscriberBufferMax))
        let id: UInt64? = state.withLock { state in
            guard state.count < Self.subscriptionsMax else { return nil }
            state.nextID += 1
            state.count += 1
            state.byWorkspace[workspace, default: [:]][state.nextID] = continuation
            return state.nextID
        }
        guard let id else { return nil }
        continuation.onTermination = { [weak self] _ in self?.remove(workspace, id) }
        return stream
    }

    /// Delivers events in order to every subscriber of their workspace.
    public func publish(_ events: [Event]) {
        guard !events.isEmpty else { return }
        var overflowed: [AsyncStream<Event>.Continuation] = []
        state.withLock { state in
            for event in events {
                guard let subscribers = state.byWorkspace[event.workspaceID] else { continue }
                for continuation in subscribers.values {
                    if case .dropped = continuation.yield(event) { overflowed.append(continuation) }
                }
            }
        }
        for continuation in overflowed { continuation.finish() }
    }

    /// Number of live subscriptions (for metrics and tests).
    public var subscriptionCount: Int { state.withLock { $0.count } }

    /// Ends every subscription (shutdown).
    public func finishAll() {
        let all = state.withLock { state in state.byWorkspace.values.flatMap { $0.values } }
        for continuation in all { continuation.finish() }
    }

    private func remove(_ workspace: WorkspaceID, _ id: UInt64) {
        state.withLock { state in
            if state.byWorkspace[workspace]?.removeValue(forKey: id) != nil { state.count -= 1 }
            if state.byWorkspace[workspace]?.isEmpty == true { state.byWorkspace[workspace] = nil }
        }
    }
}

import Community
import QuadCore
import Synchronization

/// A command waiting to be logged, and the caller waiting for its outcome.
struct Proposal: Sendable {
    let command: Command
    let partition: PartitionID
    let continuation: CheckedContinuation<Result<Outcome, CommunityError>, any Error>
}

/// The bounded queue between request handlers and the commit loop. Whatever piles up
/// while the loop is busy with one fsync becomes the next batch: that is group commit.
final class ProposalQueue: Sendable {
    private struct State {
        var items: [Proposal] = []
        var waiter: CheckedContinuation<Void, Never>?
        var closed = false
    }

    private let state = Mutex(State())
    let capacity: Int

    init(capacity: Int) {
        precondition(capacity > 0, "a proposal queue needs room")
        self.capacity = capacity
    }

    /// Adds a proposal; throws when full or closed so the caller can answer 503.
    func enqueue(_ proposal: Proposal) throws(NodeError) {
        let outcome: Result<CheckedContinuation<Void, Never>?, NodeError> = state.withLock { state in
            if state.closed { return .failure(NodeError(.unavailable, "The node is shutting down.")) }
            guard state.items.count < capacity else {
                return .failure(NodeError(.overloaded, "Too many writes are waiting; retry shortly."))
            }
            state.items.append(proposal)
            let waiter = state.waiter
            state.waiter = nil
            return .success(waiter)
        }
        switch outcome {
        case .success(let waiter): waiter?.resume()
        case .failure(let error): throw error
        }
    }

    /// Up to `maximum` proposals in arrival order; waits while empty; nil once closed and drained.
    func next(maximum: Int) async -> [Proposal]? {
        while true {
            let taken: [Proposal]? = state.withLock { state in
                if !state.items.isEmpty {
                    let count = min(maximum, state.items.count)
                    let batch = Array(state.items.prefix(count))
                    state.items.removeFirst(count)
                    return batch
                }
                return state.closed ? [] : nil
            }
            if let taken { return taken.isEmpty ? nil : taken }
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state in
                    if !state.items.isEmpty || state.closed { return true }
                    precondition(state.waiter == nil, "one commit loop per queue")
                    state.waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        }
    }

    /// Stops accepting; the loop drains what is queued and then ends.
    func close() {
        let waiter = state.withLock { state in
            state.closed = true
            let waiter = state.waiter
            state.waiter = nil
            return waiter
        }
        waiter?.resume()
    }
}

import QuadCore
import Raft

/// A linearizable read in progress: waiting for its read point, then for apply to reach it.
struct ReadWaiter {
    let partition: PartitionID
    let continuation: CheckedContinuation<Void, any Error>
    let deadline: ContinuousClock.Instant
    var readIndex: LogIndex?
    /// The request's context (its ID), to ask again with.
    let context: [UInt8]
    /// When the read point was last asked for.
    var askedAt: ContinuousClock.Instant
}

extension ReplicaDriver {
    /// Reads waiting on this node at once; past this, readers get 503.
    public static let pendingReadsMax = 10_000
    /// A read point not answered within this long is asked for again: the request or its answer
    /// may have been lost (a dropped message, a leader that changed meanwhile). Five ticks.
    public static let readRetryInterval: Duration = .milliseconds(250)

    /// Returns once this node's replica of `partition` has applied everything committed
    /// before the call (Raft ReadIndex, §6.4 of Ongaro's thesis): a read of local rows after
    /// it is linearizable, on the leader or on any follower.
    public func linearizableBarrier(for partition: PartitionID) async throws {
        guard !isStopped else { throw NodeError(.unavailable, "The node is shutting down.") }
        guard host.membership(of: partition)?.isVoter(nodeID) == true else {
            // Held elsewhere (or only as a learner still catching up): the API relays the request.
            throw NodeError(.notHeld, "This node holds no replica of \(partition).", partition: partition)
        }
        guard readWaiters.count < Self.pendingReadsMax else {
            throw NodeError(.overloaded, "Too many reads are waiting; retry shortly.")
        }
        nextReadID += 1
        let id = nextReadID
        var context = BinaryWriter(capacity: 8)
        context.write(id)
        do {
            try host.requestRead(in: partition, context: context.bytes)
        } catch {
            throw NodeError(.unavailable, "\(partition) has no leader right now; retry shortly.")
        }
        scheduleRound()
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let now = ContinuousClock.now
            readWaiters[id] = ReadWaiter(partition: partition, continuation: continuation,
                                         deadline: now + Self.proposalTimeout, context: context.bytes, askedAt: now)
        }
    }

    /// Records read points from a round and releases reads whose partition applied far enough.
    func settleReads(_ states: [(PartitionID, ReadState)]) {
        for (_, state) in states {
            var reader = BinaryReader(state.context)
            guard let id = try? reader.readUInt64() else { continue }
            readWaiters[id]?.readIndex = state.index
        }
        let now = ContinuousClock.now
        var askedAgain = false
        for (id, waiter) in readWaiters {
            if let index = waiter.readIndex, host.appliedIndex(of: waiter.partition) >= index {
                readWaiters[id] = nil
                waiter.continuation.resume()
            } else if waiter.deadline <= now {
                readWaiters[id] = nil
                waiter.continuation.resume(throwing: NodeError(.unavailable, "The read did not get a read point in time; retry."))
            } else if waiter.readIndex == nil, now - waiter.askedAt >= Self.readRetryInterval {
                // Ask again (the core answers each request with the same context once); with no
                // leader right now the request fails and the next interval tries again.
                readWaiters[id]?.askedAt = now
                if (try? host.requestRead(in: waiter.partition, context: waiter.context)) != nil { askedAgain = true }
            }
        }
        if askedAgain { scheduleRound() }
    }
}

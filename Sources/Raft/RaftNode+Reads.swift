import QuadCore

extension RaftNode {
    /// Requests a linearizable read. The answer arrives as a `ReadState` carrying `context`
    /// in a later `Ready`: once the applied index reaches its index, reading local state is
    /// linearizable. `context` must be unique among this group's outstanding reads.
    /// Throws `.proposalDropped` when no leader is known or the queue is full.
    public mutating func readIndex(context: [UInt8]) throws(RaftError) {
        precondition(!readyOutstanding, "readIndex(context:) between ready() and advance()")
        if role == .leader {
            guard readQueue.count + readsAwaitingTermCommit.count < RaftLimits.pendingReadsMax else {
                throw RaftError(code: .proposalDropped, message: "read queue full")
            }
            handleReadRequest(requester: id, context: context)
            return
        }
        guard leader != .none else {
            throw RaftError(code: .proposalDropped, message: "no leader known at \(id) in term \(term)")
        }
        var forward = message(.readIndex, to: leader)
        forward.context = context
        send(forward)
    }

    mutating func handleReadRequest(requester: NodeID, context: [UInt8]) {
        if membership.voters == [id] {
            answerRead(requester: requester, index: log.committed, context: context)
            return
        }
        guard log.term(at: log.committed) == term else {
            // Until this leader commits in its term it does not know the commit index (§8).
            if readsAwaitingTermCommit.count < RaftLimits.pendingReadsMax {
                readsAwaitingTermCommit.append((requester, context))
            }
            return
        }
        if configuration.readOnlyMode == .lease, hasLease() {
            answerRead(requester: requester, index: log.committed, context: context)
            return
        }
        guard readQueue.count < RaftLimits.pendingReadsMax else { return }
        readQueue.add(index: log.committed, context: context, requester: requester)
        let released = readQueue.acknowledge(context: context, from: id, voters: membership.voters, quorum: membership.quorum)
        for read in released { answerRead(requester: read.requester, index: read.index, context: read.context) }
        if released.isEmpty { broadcastHeartbeat(context: context) }
    }

    /// Whether a quorum acknowledged a heartbeat sent recently enough that no other leader
    /// can have been elected since: followers ignore votes for an election timeout after
    /// hearing from us, so the lease runs from the send tick, less a drift margin.
    func hasLease() -> Bool {
        guard transferTarget == .none else { return false }
        let ticks = membership.voters.map { $0 == id ? tickCount : (progress[$0]?.acknowledgedHeartbeatTick ?? 0) }
            .sorted(by: >)
        let quorumTick = ticks[membership.quorum - 1]
        guard quorumTick > 0 else { return false }
        let leaseTicks = UInt64(configuration.electionTimeoutTicks - configuration.leaseMarginTicks)
        return tickCount < quorumTick + leaseTicks
    }

    mutating func answerRead(requester: NodeID, index: LogIndex, context: [UInt8]) {
        if requester == id {
            readStates.append(ReadState(index: index, context: context))
        } else {
            var response = message(.readIndexResponse, to: requester)
            response.index = index
            response.context = context
            send(response)
        }
    }
}

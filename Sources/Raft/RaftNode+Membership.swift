import QuadCore

extension RaftNode {
    /// Proposes one single-server membership change. The leader refuses (`.proposalDropped`)
    /// until it has committed an entry of its own term (Ongaro, raft-dev, 2015) and while an
    /// earlier change is not yet applied, so at most one change is ever in flight.
    public mutating func proposeConfigurationChange(_ change: ConfigurationChange) throws(RaftError) {
        precondition(!readyOutstanding, "proposeConfigurationChange(_:) between ready() and advance()")
        guard role == .leader else {
            throw RaftError(code: .proposalDropped, message: "configuration changes are proposed at the leader")
        }
        if !configuration.testingFaults.contains(.configurationChangeBeforeTermCommit) {
            guard log.committed >= termStartIndex else {
                throw RaftError(code: .proposalDropped, message: "leader has not committed an entry of term \(term) yet")
            }
        }
        guard pendingConfigurationIndex <= log.applied else {
            throw RaftError(code: .proposalDropped, message: "configuration change at \(pendingConfigurationIndex) not yet applied")
        }
        let base = latestConfiguration()
        guard let resulting = base.applying(change) else {
            throw RaftError(code: .proposalDropped, message: "\(change.kind) \(change.node) does not apply to \(base)")
        }
        var full = change
        full.resulting = resulting
        try appendAsLeader([(.configurationChange, full.encoded())])
        pendingConfigurationIndex = log.lastIndex
    }

    /// The configuration the log will hold once everything in it is applied: the latest
    /// change after the applied index, or the membership in force. (With the guards above
    /// there is no such change, and this is `membership`.)
    func latestConfiguration() -> ConfigurationState {
        guard log.lastIndex > log.applied,
            let pending = try? log.slice(from: log.applied.next, upTo: log.lastIndex.next, bytesMax: Int.max)
        else { return membership }
        guard let last = pending.last(where: { $0.kind == .configurationChange }),
            let change = try? ConfigurationChange(decoding: last.payload)
        else { return membership }
        return change.resulting
    }

    /// Makes a committed configuration change take effect (called from `advance(_:)`).
    mutating func applyConfigurationChange(_ entry: Entry) {
        guard let change = try? ConfigurationChange(decoding: entry.payload) else {
            preconditionFailure("committed configuration change at \(entry.index) does not decode")
        }
        membership = change.resulting
        for member in progress.keys.sorted() where !membership.members.contains(member) {
            progress[member] = nil
        }
        for member in membership.members {
            if progress[member] == nil {
                progress[member] = Progress(
                    next: log.lastIndex.next, isLearner: membership.isLearner(member),
                    inflightMessagesMax: configuration.inflightMessagesMax,
                    inflightBytesMax: configuration.inflightBytesMax)
            } else {
                progress[member]?.isLearner = membership.isLearner(member)
            }
        }
        guard role == .leader else { return }
        guard membership.isVoter(id) else {
            becomeFollower(term: term, leader: .none)
            return
        }
        if transferTarget != .none, !membership.isVoter(transferTarget) { transferTarget = .none }
        if maybeCommit() { broadcastAppend() }
    }

    /// Asks the leader to hand leadership to `target`, a voter: once `target`'s log is
    /// current it is told to campaign at once. Proposals are refused meanwhile; the attempt
    /// is abandoned after an election timeout. Does nothing on a non-leader.
    public mutating func transferLeadership(to target: NodeID) {
        precondition(!readyOutstanding, "transferLeadership(to:) between ready() and advance()")
        guard role == .leader, target != id, membership.isVoter(target), transferTarget != target else { return }
        transferTarget = target
        electionElapsedTicks = 0
        if progress[target]?.match == log.lastIndex {
            sendTimeoutNow(to: target)
        } else {
            sendAppend(to: target)
        }
    }

    mutating func sendTimeoutNow(to target: NodeID) {
        // The target will campaign past every follower's lease: no lease read may rely on
        // acknowledgements from before this moment.
        for member in membership.members { progress[member]?.acknowledgedHeartbeatTick = 0 }
        send(message(.timeoutNow, to: target))
    }
}

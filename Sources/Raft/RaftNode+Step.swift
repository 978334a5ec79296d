import QuadCore

extension RaftNode {
    /// Feeds one message received from a peer. Messages for another node, from stale terms
    /// or of no use in the current role are dropped (Raft tolerates loss).
    public mutating func step(_ message: Message) {
        precondition(!readyOutstanding, "step(_:) between ready() and advance()")
        guard message.to == id, message.from != .none else { return }
        if message.kind == .propose || message.kind == .readIndex {
            // Forwarded requests carry no term obligations; only a leader serves them.
            handleForwarded(message)
            return
        }
        guard acceptTerm(of: message) else { return }
        switch message.kind {
        case .requestVote, .requestPreVote:
            handleVoteRequest(message)
        case .requestVoteResponse, .requestPreVoteResponse:
            if role == .preCandidate || role == .candidate { handleVoteResponse(message) }
        case .appendEntries, .heartbeat, .installSnapshot:
            guard role != .leader else { return }
            if role != .follower { becomeFollower(term: term, leader: message.from) }
            electionElapsedTicks = 0
            leader = message.from
            switch message.kind {
            case .appendEntries: handleAppendEntries(message)
            case .heartbeat: handleHeartbeat(message)
            default: handleSnapshot(message)
            }
        case .appendEntriesResponse:
            if role == .leader { handleAppendResponse(message) }
        case .heartbeatResponse:
            if role == .leader { handleHeartbeatResponse(message) }
        case .timeoutNow:
            if role == .follower { startElection(transfer: true) }
        case .readIndexResponse:
            if role == .follower { readStates.append(ReadState(index: message.index, context: message.context)) }
        case .propose, .readIndex:
            break
        }
    }

    /// Applies the term rules of §5.1 to `message`; returns whether to process it further.
    mutating func acceptTerm(of message: Message) -> Bool {
        if message.term > term {
            let isVoteRequest = message.kind == .requestVote || message.kind == .requestPreVote
            if isVoteRequest, ignoresDisruptiveVote(message) { return false }
            if message.kind == .requestPreVote { return true }
            if message.kind == .requestPreVoteResponse, !message.reject { return true }
            let fromLeader = [.appendEntries, .heartbeat, .installSnapshot].contains(message.kind)
            becomeFollower(term: message.term, leader: fromLeader ? message.from : .none)
            return true
        }
        if message.term < term {
            if configuration.checkQuorum || configuration.preVote,
                message.kind == .heartbeat || message.kind == .appendEntries
            {
                // A leader of an older term: tell it our term so that it steps down (a node
                // stuck at a higher term after a partition could not rejoin otherwise).
                send(self.message(.appendEntriesResponse, to: message.from))
            } else if message.kind == .requestPreVote {
                var refusal = self.message(.requestPreVoteResponse, to: message.from)
                refusal.reject = true
                send(refusal)
            }
            return false
        }
        return true
    }

    mutating func handleForwarded(_ message: Message) {
        guard role == .leader, progress[message.from] != nil else { return }
        if message.kind == .propose {
            let payloads = message.entries.filter { $0.kind == .normal }.map(\.payload)
            guard payloads.allSatisfy({ $0.count <= configuration.entryBytesMax }) else { return }
            try? appendAsLeader(payloads.map { (EntryKind.normal, $0) })
        } else {
            handleReadRequest(requester: message.from, context: message.context)
        }
    }
}

import QuadCore

extension RaftNode {
    /// Advances logical time by one tick: followers count toward an election, leaders toward
    /// a heartbeat and their check-quorum window.
    public mutating func tick() {
        precondition(!readyOutstanding, "tick() between ready() and advance()")
        tickCount += 1
        if role == .leader {
            tickAsLeader()
        } else {
            tickAsFollower()
        }
    }

    /// Starts an election now (as if the election timeout had passed), with a pre-vote
    /// round first when `preVote` is on. Does nothing on a leader or a non-voter.
    public mutating func campaign() {
        precondition(!readyOutstanding, "campaign() between ready() and advance()")
        startElection(transfer: false)
    }

    mutating func tickAsFollower() {
        electionElapsedTicks += 1
        if electionElapsedTicks >= configuration.electionTimeoutTicks { startupLease = false }
        if isPromotable, electionElapsedTicks >= randomizedElectionTimeoutTicks {
            electionElapsedTicks = 0
            startElection(transfer: false)
        }
    }

    mutating func tickAsLeader() {
        heartbeatElapsedTicks += 1
        electionElapsedTicks += 1
        if electionElapsedTicks >= configuration.electionTimeoutTicks {
            electionElapsedTicks = 0
            if configuration.checkQuorum {
                guard isQuorumActive() else {
                    becomeFollower(term: term, leader: .none)
                    return
                }
                for member in membership.members where member != id { progress[member]?.recentActive = false }
            }
            if transferTarget != .none { transferTarget = .none }
        }
        if heartbeatElapsedTicks >= configuration.heartbeatIntervalTicks {
            heartbeatElapsedTicks = 0
            broadcastHeartbeat(context: [])
        }
    }

    /// Whether a quorum of voters (this node included) was heard from in this window.
    func isQuorumActive() -> Bool {
        let active = membership.voters.filter { $0 == id || progress[$0]?.recentActive == true }
        return active.count >= membership.quorum
    }

    /// Whether a committed but unapplied configuration change exists (campaigning then could
    /// use a stale membership).
    func hasUnappliedConfigurationChange() -> Bool {
        guard log.committed > log.applied else { return false }
        return log.committedEntriesToApply().contains { $0.kind == .configurationChange }
    }

    mutating func startElection(transfer: Bool) {
        guard role != .leader, isPromotable, !hasUnappliedConfigurationChange() else { return }
        if configuration.preVote, !transfer {
            runElection(pre: true, transfer: false)
        } else {
            runElection(pre: false, transfer: transfer)
        }
    }

    mutating func runElection(pre: Bool, transfer: Bool) {
        let voteTerm: Term
        let kind: MessageKind
        if pre {
            becomePreCandidate()
            voteTerm = term.next
            kind = .requestPreVote
        } else {
            becomeCandidate()
            voteTerm = term
            kind = .requestVote
        }
        if recordVote(from: id, granted: true) == .won {
            if pre { runElection(pre: false, transfer: false) } else { becomeLeader() }
            return
        }
        for voter in membership.voters where voter != id {
            var request = Message(kind: kind, from: id, to: voter, term: voteTerm)
            request.index = log.lastIndex
            request.logTerm = log.lastTerm
            if transfer { request.context = transferCampaignContext }
            send(request)
        }
    }

    enum ElectionOutcome { case pending, won, lost }

    mutating func recordVote(from voter: NodeID, granted: Bool) -> ElectionOutcome {
        if votes[voter] == nil { votes[voter] = granted }
        var grants = 0
        var rejections = 0
        for member in membership.voters {
            switch votes[member] {
            case true?: grants += 1
            case false?: rejections += 1
            case nil: break
            }
        }
        if grants >= membership.quorum { return .won }
        if membership.voters.count - rejections < membership.quorum { return .lost }
        return .pending
    }

    // MARK: Role changes

    mutating func reset(term newTerm: Term) {
        if newTerm != term {
            term = newTerm
            vote = .none
        }
        leader = .none
        electionElapsedTicks = 0
        heartbeatElapsedTicks = 0
        resetRandomizedElectionTimeout()
        transferTarget = .none
        votes = [:]
        progress = [:]
        for member in membership.members {
            var entry = Progress(
                next: log.lastIndex.next, isLearner: membership.isLearner(member),
                inflightMessagesMax: configuration.inflightMessagesMax, inflightBytesMax: configuration.inflightBytesMax)
            if member == id { entry.match = log.stableLastIndex }
            progress[member] = entry
        }
        pendingConfigurationIndex = .zero
        uncommittedBytes = 0
        readQueue.reset()
        readsAwaitingTermCommit = []
    }

    mutating func becomeFollower(term newTerm: Term, leader newLeader: NodeID) {
        reset(term: newTerm)
        leader = newLeader
        role = .follower
    }

    mutating func becomePreCandidate() {
        precondition(role != .leader, "a leader cannot become a pre-candidate")
        votes = [:]
        leader = .none
        role = .preCandidate
    }

    mutating func becomeCandidate() {
        precondition(role != .leader, "a leader cannot become a candidate")
        reset(term: term.next)
        vote = id
        role = .candidate
    }

    mutating func becomeLeader() {
        precondition(role == .candidate, "only a candidate becomes leader")
        reset(term: term)
        leader = id
        role = .leader
        for member in membership.members { progress[member]?.recentActive = true }
        progress[id]?.becomeReplicate()
        progress[id]?.match = log.stableLastIndex
        pendingConfigurationIndex = configuration.testingFaults.contains(.configurationChangeBeforeTermCommit)
            ? .zero : log.lastIndex
        // The no-op lets the leader commit (and so learn the commit index) in its own term.
        termStartIndex = log.lastIndex.next
        log.append([Entry(term: term, index: termStartIndex)])
        broadcastAppend()
    }

    // MARK: Votes

    mutating func handleVoteRequest(_ request: Message) {
        let isPre = request.kind == .requestPreVote
        let canVote = vote == request.from
            || (vote == .none && leader == .none)
            || (isPre && request.term > term)
        let responseKind: MessageKind = isPre ? .requestPreVoteResponse : .requestVoteResponse
        if canVote, log.isUpToDate(lastIndex: request.index, term: request.logTerm) {
            // A pre-vote grant answers in the term asked about; a real vote is in our term now.
            send(Message(kind: responseKind, from: id, to: request.from, term: request.term))
            if !isPre {
                electionElapsedTicks = 0
                vote = request.from
            }
        } else {
            var refusal = message(responseKind, to: request.from)
            refusal.reject = true
            send(refusal)
        }
    }

    mutating func handleVoteResponse(_ response: Message) {
        let expected: MessageKind = role == .preCandidate ? .requestPreVoteResponse : .requestVoteResponse
        guard response.kind == expected else { return }
        switch recordVote(from: response.from, granted: !response.reject) {
        case .won:
            if role == .preCandidate {
                runElection(pre: false, transfer: false)
            } else {
                becomeLeader()
            }
        case .lost:
            becomeFollower(term: term, leader: .none)
        case .pending:
            break
        }
    }

    /// Whether a vote request at a higher term should be ignored because this node still
    /// hears from a leader (check-quorum's lease); transfers override it.
    func ignoresDisruptiveVote(_ request: Message) -> Bool {
        guard configuration.checkQuorum, request.context != transferCampaignContext else { return false }
        let hearsLeader = (leader != .none || startupLease) && electionElapsedTicks < configuration.electionTimeoutTicks
        return hearsLeader
    }
}

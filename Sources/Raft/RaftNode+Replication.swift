import QuadCore

extension RaftNode {
    /// Proposes `payload` for the log. At a follower with a known leader it is forwarded
    /// (when `forwardProposals` is on); it is not acknowledged until it appears in
    /// `Ready.committedEntries`. Throws `.proposalDropped` when no leader can take it now.
    public mutating func propose(_ payload: [UInt8]) throws(RaftError) {
        precondition(!readyOutstanding, "propose(_:) between ready() and advance()")
        guard payload.count <= configuration.entryBytesMax else {
            throw RaftError(code: .entryTooLarge, message: "entry of \(payload.count) bytes exceeds \(configuration.entryBytesMax)")
        }
        if role == .leader {
            try appendAsLeader([(.normal, payload)])
            return
        }
        guard leader != .none, configuration.forwardProposals else {
            throw RaftError(code: .proposalDropped, message: "no leader known at \(id) in term \(term)")
        }
        var forward = message(.propose, to: leader)
        forward.entries = [Entry(term: .zero, index: .zero, payload: payload)]
        send(forward)
    }

    mutating func appendAsLeader(_ items: [(EntryKind, [UInt8])]) throws(RaftError) {
        guard transferTarget == .none else {
            throw RaftError(code: .proposalDropped, message: "leadership transfer to \(transferTarget) under way")
        }
        let bytes = items.reduce(0) { $0 + $1.1.count }
        guard uncommittedBytes == 0 || uncommittedBytes + bytes <= configuration.uncommittedBytesMax else {
            throw RaftError(code: .proposalDropped, message: "uncommitted bytes would exceed \(configuration.uncommittedBytesMax)")
        }
        var index = log.lastIndex
        let entries = items.map { item -> Entry in
            index = index.next
            return Entry(term: term, index: index, kind: item.0, payload: item.1)
        }
        log.append(entries)
        uncommittedBytes += bytes
        broadcastAppend()
    }

    /// Sends appends to every member whose window allows it.
    mutating func broadcastAppend() {
        for member in membership.members where member != id { sendAppend(to: member) }
    }

    /// Sends `member` the next entries (or a snapshot when they are compacted away).
    /// Returns whether a message was sent.
    @discardableResult
    mutating func sendAppend(to member: NodeID, sendIfEmpty: Bool = true) -> Bool {
        guard var entry = progress[member], !entry.isPaused else { return false }
        let previousIndex = entry.next.previous
        guard let previousTerm = log.term(at: previousIndex),
            let entries = try? log.entries(from: entry.next, bytesMax: configuration.messageBytesMax)
        else {
            return sendSnapshot(to: member)
        }
        if entries.isEmpty, !sendIfEmpty { return false }
        var append = message(.appendEntries, to: member)
        append.index = previousIndex
        append.logTerm = previousTerm
        append.entries = entries
        append.commit = log.committed
        entry.sentEntries(lastIndex: entries.last?.index, bytes: entries.byteCount)
        progress[member] = entry
        send(append)
        return true
    }

    mutating func sendSnapshot(to member: NodeID) -> Bool {
        guard var entry = progress[member], entry.recentActive,
            let snapshot = try? log.snapshot(), !snapshot.isEmpty
        else { return false }
        entry.becomeSnapshot(at: snapshot.metadata.index)
        progress[member] = entry
        var install = message(.installSnapshot, to: member)
        install.snapshot = snapshot
        send(install)
        return true
    }

    mutating func broadcastHeartbeat(context: [UInt8]) {
        for member in membership.members where member != id {
            guard let entry = progress[member] else { continue }
            var heartbeat = message(.heartbeat, to: member)
            // Never tell a follower to commit past what it is known to hold.
            heartbeat.commit = min(entry.match, log.committed)
            heartbeat.context = context
            heartbeat.sentTick = tickCount
            send(heartbeat)
        }
    }

    /// Commits the highest index stored on a quorum, if it is of the current term (§5.4.2).
    @discardableResult
    mutating func maybeCommit() -> Bool {
        let matches = membership.voters.map { progress[$0]?.match ?? .zero }.sorted(by: >)
        guard !matches.isEmpty else { return false }
        let quorumIndex = matches[membership.quorum - 1]
        guard quorumIndex > log.committed, let quorumTerm = log.term(at: quorumIndex) else { return false }
        guard quorumTerm == term || configuration.testingFaults.contains(.commitPreviousTermByCounting) else {
            return false
        }
        log.commit(to: quorumIndex)
        if log.committed >= termStartIndex, !readsAwaitingTermCommit.isEmpty {
            let waiting = readsAwaitingTermCommit
            readsAwaitingTermCommit = []
            for read in waiting { handleReadRequest(requester: read.requester, context: read.context) }
        }
        return true
    }

    mutating func handleAppendResponse(_ response: Message) {
        guard var entry = progress[response.from] else { return }
        entry.recentActive = true
        if response.reject {
            var hint = response.rejectHint
            if response.logTerm > .zero {
                hint = log.lastIndexAtOrBefore(response.rejectHint, term: response.logTerm).index
            }
            if entry.maybeDecrease(rejected: response.index, hint: hint) {
                if entry.state == .replicate { entry.becomeProbe() }
                progress[response.from] = entry
                sendAppend(to: response.from)
            } else {
                progress[response.from] = entry
            }
            return
        }
        let wasPaused = entry.isPaused
        guard entry.maybeUpdate(response.index) else {
            progress[response.from] = entry
            return
        }
        switch entry.state {
        case .probe:
            entry.becomeReplicate()
        case .snapshot:
            if entry.match >= entry.pendingSnapshot {
                entry.becomeProbe()
                entry.becomeReplicate()
            }
        case .replicate:
            entry.inflights.free(through: response.index)
        }
        progress[response.from] = entry
        if maybeCommit() {
            broadcastAppend()
        } else if wasPaused {
            sendAppend(to: response.from)
        }
        while sendAppend(to: response.from, sendIfEmpty: false) {}
        if response.from == transferTarget, progress[response.from]?.match == log.lastIndex {
            sendTimeoutNow(to: response.from)
        }
    }

    mutating func handleHeartbeatResponse(_ response: Message) {
        guard var entry = progress[response.from] else { return }
        entry.recentActive = true
        entry.probeSent = false
        entry.acknowledgedHeartbeatTick = max(entry.acknowledgedHeartbeatTick, response.sentTick)
        if entry.state == .replicate, entry.inflights.isFull { entry.inflights.freeFirst() }
        progress[response.from] = entry
        if entry.match < log.lastIndex { sendAppend(to: response.from) }
        if !response.context.isEmpty {
            let released = readQueue.acknowledge(
                context: response.context, from: response.from, voters: membership.voters, quorum: membership.quorum)
            for read in released { answerRead(requester: read.requester, index: read.index, context: read.context) }
        }
    }

    // MARK: Follower side

    mutating func handleAppendEntries(_ append: Message) {
        var response = message(.appendEntriesResponse, to: append.from)
        if append.index < log.committed {
            response.index = log.committed
            send(response)
            return
        }
        let truncateAll = configuration.testingFaults.contains(.truncateMatchingSuffix)
        if let lastNew = log.maybeAppend(
            index: append.index, logTerm: append.logTerm, commit: append.commit, entries: append.entries,
            truncateAll: truncateAll)
        {
            response.index = lastNew
        } else {
            let probe = log.lastIndexAtOrBefore(min(append.index, log.lastIndex), term: append.logTerm)
            response.reject = true
            response.index = append.index
            response.rejectHint = probe.index
            response.logTerm = probe.term
        }
        send(response)
    }

    mutating func handleHeartbeat(_ heartbeat: Message) {
        log.commit(to: min(heartbeat.commit, log.lastIndex))
        var response = message(.heartbeatResponse, to: heartbeat.from)
        response.context = heartbeat.context
        response.sentTick = heartbeat.sentTick
        send(response)
    }

    mutating func handleSnapshot(_ install: Message) {
        guard let snapshot = install.snapshot else { return }
        var response = message(.appendEntriesResponse, to: install.from)
        let metadata = snapshot.metadata
        if metadata.index <= log.committed {
            response.index = log.committed
        } else if log.matchTerm(metadata.index, metadata.term) {
            // Our log already holds the snapshot's last entry: keep the matching suffix.
            log.commit(to: metadata.index)
            response.index = log.committed
        } else {
            log.restore(snapshot)
            membership = metadata.configuration
            response.index = log.lastIndex
        }
        send(response)
    }

    /// Tells the core that `member` could not be reached (a send failed), so replication to
    /// it falls back to probing.
    public mutating func reportUnreachable(_ member: NodeID) {
        precondition(!readyOutstanding, "reportUnreachable(_:) between ready() and advance()")
        guard role == .leader, var entry = progress[member], entry.state == .replicate else { return }
        entry.becomeProbe()
        progress[member] = entry
    }

    /// Tells the core whether the snapshot sent to `member` was delivered; on failure the
    /// leader probes again (and sends a new snapshot if still needed).
    public mutating func reportSnapshot(to member: NodeID, succeeded: Bool) {
        precondition(!readyOutstanding, "reportSnapshot(to:succeeded:) between ready() and advance()")
        guard role == .leader, var entry = progress[member], entry.state == .snapshot else { return }
        if !succeeded { entry.pendingSnapshot = .zero }
        entry.becomeProbe()
        entry.probeSent = succeeded
        progress[member] = entry
    }
}

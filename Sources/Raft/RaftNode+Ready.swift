import QuadCore

extension RaftNode {
    /// The soft state as it stands now.
    public var softState: SoftState { SoftState(leader: leader, role: role) }

    /// Whether `ready()` has anything for the shell to do.
    public var hasReady: Bool {
        softState != emittedSoftState || hardState != emittedHardState
            || !log.unstable.entries.isEmpty || log.unstable.snapshot != nil || !outbox.isEmpty
            || !readStates.isEmpty || log.hasCommittedEntriesToApply
    }

    /// Collects what the shell must persist, send and apply. The shell must carry it out in
    /// the order `Ready` documents and then call `advance(_:)` before any other call.
    public mutating func ready() -> Ready {
        precondition(!readyOutstanding, "ready() called twice without advance(_:)")
        readyOutstanding = true
        let current = hardState
        var hardStateOut: HardState?
        var mustSync = false
        if current != emittedHardState {
            var report = current
            if configuration.testingFaults.contains(.voteNotPersisted) {
                // Broken on purpose: the vote never reaches the shell.
                report.vote = current.term == reportedHardState.term ? reportedHardState.vote : .none
            }
            if report.term != reportedHardState.term || report.vote != reportedHardState.vote { mustSync = true }
            hardStateOut = report
            reportedHardState = report
            emittedHardState = current
        }
        let entries = log.unstable.entries
        if !entries.isEmpty, !configuration.testingFaults.contains(.acknowledgeBeforeDurable) { mustSync = true }
        let snapshot = log.unstable.snapshot
        if snapshot != nil { mustSync = true }
        let soft = softState
        let softOut: SoftState? = soft != emittedSoftState ? soft : nil
        emittedSoftState = soft
        let ready = Ready(
            softState: softOut, hardState: hardStateOut, entries: entries, snapshot: snapshot,
            committedEntries: log.committedEntriesToApply(), messages: outbox, readStates: readStates,
            mustSync: mustSync)
        outbox = []
        readStates = []
        return ready
    }

    /// Acknowledges that the shell carried out `ready`: its entries and snapshot are stable,
    /// its committed entries applied (configuration changes among them now take effect).
    public mutating func advance(_ ready: Ready) {
        precondition(readyOutstanding, "advance(_:) without ready()")
        readyOutstanding = false
        if let snapshot = ready.snapshot {
            log.unstable.stableSnapshotTo(index: snapshot.metadata.index)
            log.applied = max(log.applied, snapshot.metadata.index)
        }
        if let last = ready.entries.last {
            log.unstable.stableTo(index: last.index, term: last.term)
            if role == .leader, progress[id]?.maybeUpdate(min(last.index, log.stableLastIndex)) == true {
                if maybeCommit() { broadcastAppend() }
            }
        }
        var appliedBytes = 0
        for entry in ready.committedEntries {
            precondition(entry.index == log.applied.next, "committed entries applied out of order")
            log.applied = entry.index
            appliedBytes += entry.payload.count
            if entry.kind == .configurationChange { applyConfigurationChange(entry) }
        }
        if role == .leader { uncommittedBytes = max(0, uncommittedBytes - appliedBytes) }
    }
}

import Community
import QuadCore
import Storage

/// What one batch produced, in proposal order.
struct BatchOutcome: Sendable {
    var results: [Result<Outcome, CommunityError>] = []
    var events: [Event] = []
}

extension CommunityNode {
    /// Appends the batch to the partitions' logs with one fsync, applies every command in
    /// order, and writes the rows with each partition's applied index. Runs on `ioThreads`,
    /// one batch at a time.
    func persistAndApply(_ batch: [Proposal]) throws -> BatchOutcome {
        let entries: [(PartitionID, LogIndex, Command)] = try positions.withLock { positions in
            let logBatch = database.makeWriteBatch()
            var planned: [(PartitionID, LogIndex, Command)] = []
            planned.reserveCapacity(batch.count)
            var last = positions
            for proposal in batch {
                let index = (last[proposal.partition] ?? .zero).next
                last[proposal.partition] = index
                logStore.appendEntries(
                    [StoredEntry(index: index, term: Self.singleVoterTerm, payload: proposal.command.encoded())],
                    group: proposal.partition, into: logBatch)
                planned.append((proposal.partition, index, proposal.command))
            }
            for (partition, index) in last where positions[partition] != index {
                logStore.setHardState(StoredHardState(term: Self.singleVoterTerm, vote: configuration.nodeID, commit: index),
                                      group: partition, into: logBatch)
            }
            try database.write(logBatch, sync: true)  // the durability point: acknowledged writes are here
            positions = last
            return planned
        }
        counters.withLock { counters in
            counters.fsyncs += 1
            counters.largestBatch = max(counters.largestBatch, batch.count)
        }
        metrics.fsyncs.increment()
        metrics.batchSize.record(batch.count)
        return try apply(entries)
    }

    /// Applies logged commands in order and writes their rows and applied indexes in one batch.
    func apply(_ entries: [(PartitionID, LogIndex, Command)]) throws -> BatchOutcome {
        var outcome = BatchOutcome()
        outcome.results.reserveCapacity(entries.count)
        var changes: [PartitionID: ChangeSet] = [:]
        var applied: [PartitionID: LogIndex] = [:]
        for (partition, index, command) in entries {
            let reader = OverlayReader(base: PartitionRowReader(database: database, partition: partition),
                                       changes: changes[partition] ?? ChangeSet())
            let result = try stateMachine.apply(command, over: reader)
            changes[partition, default: ChangeSet()].merge(result.changes)
            applied[partition] = index
            outcome.results.append(result.result)
            outcome.events += result.events
        }
        let rowBatch = database.makeWriteBatch()
        for (partition, changeSet) in changes {
            for (key, value) in changeSet.writes {
                let stored = PartitionRowReader.storedKey(partition, key)
                if let value { rowBatch.put(.data, stored, value) } else { rowBatch.delete(.data, stored) }
            }
        }
        for (partition, index) in applied { logStore.setAppliedIndex(index, group: partition, into: rowBatch) }
        // Not synced: the log is, and recovery re-applies anything after the stored applied index.
        try database.write(rowBatch, sync: false)
        counters.withLock { $0.commandsApplied += UInt64(entries.count) }
        metrics.commandsApplied.increment(by: entries.count)
        return outcome
    }

    /// Re-applies every logged entry past each partition's applied index (after a crash).
    func recover() throws {
        var recovered = 0
        var last: [PartitionID: LogIndex] = [:]
        for raw in 0..<placement.partitionCount {
            let partition = PartitionID(raw)
            let lastIndex = try logStore.lastIndex(group: partition)
            last[partition] = lastIndex
            var next = try logStore.appliedIndex(group: partition).next
            while next <= lastIndex {
                let stored = try logStore.entries(group: partition, from: next, to: lastIndex.next,
                                                  maxBytes: NodeConfiguration.recoveryBatchBytesMax)
                guard let lastRead = stored.last else {
                    throw StorageError(code: "missing_entries", message: "log of \(partition) has a gap at \(next)")
                }
                var batch: [(PartitionID, LogIndex, Command)] = []
                for entry in stored {
                    batch.append((partition, entry.index, try Command(decoding: entry.payload)))
                }
                _ = try apply(batch)
                recovered += stored.count
                next = lastRead.index.next
            }
        }
        positions.withLock { $0 = last }
        if recovered > 0 {
            logger.info("replayed logged commands", metadata: ["count": "\(recovered)"])
        }
    }
}

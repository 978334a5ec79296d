public import QuadCore
public import Raft
import Storage

extension ReplicaDriver {
    /// Snapshots this node streams to followers at once; more wait for a later round (the core
    /// asks again), so catching a node up never takes every core from client traffic.
    public static let snapshotSendsMax = 2
    /// How long one snapshot stream may take before it is abandoned and tried again.
    public static let snapshotTimeout: Duration = .seconds(120)

    /// Streams the round's snapshots to their followers, at most `snapshotSendsMax` at once, and
    /// tells each group's core how its stream ended.
    func sendSnapshots(_ snapshots: [OutgoingSnapshot]) {
        for snapshot in snapshots {
            let follower = snapshot.message.to
            guard snapshotSends < Self.snapshotSendsMax else {
                host.reportSnapshot(in: snapshot.partition, to: follower, succeeded: false)
                continue
            }
            snapshotSends += 1
            metrics.snapshotsSent.increment()
            let messenger = self.messenger
            Task {
                var succeeded = true
                do {
                    try await messenger.sendSnapshot(snapshot.message, group: snapshot.partition, to: follower,
                                                     timeout: Self.snapshotTimeout, rows: snapshot.rows)
                } catch {
                    succeeded = false
                }
                self.snapshotSent(snapshot.partition, to: follower, succeeded: succeeded)
            }
        }
    }

    private func snapshotSent(_ partition: PartitionID, to follower: NodeID, succeeded: Bool) {
        snapshotSends -= 1
        guard !isStopped else { return }
        host.reportSnapshot(in: partition, to: follower, succeeded: succeeded)
        scheduleRound()
    }

    /// Takes a snapshot streamed by `group`'s leader: stages every chunk `nextChunk` yields,
    /// then installs it (`installSnapshot`). One stream per group at a time; throws, refusing
    /// the stream, on a second one or a malformed chunk.
    public nonisolated func receiveSnapshot(_ message: Raft.Message, group: PartitionID,
                                            nextChunk: () async throws -> [UInt8]?) async throws {
        guard snapshotsReceiving.withLock({ $0.insert(group).inserted }) else {
            throw NodeError(.overloaded, "A snapshot of \(group) is already arriving.")
        }
        defer { _ = snapshotsReceiving.withLock { $0.remove(group) } }
        try staging.clear(group)
        while let chunk = try await nextChunk() { try staging.stage(chunk, partition: group) }
        try await installSnapshot(message, group: group)
    }

    /// Takes a snapshot from `partition`'s leader whose rows `SnapshotStaging` already holds:
    /// steps the message and runs a round at once, so the rows are installed (or the core
    /// declined them as stale) before this returns and the staging area is free again.
    public func installSnapshot(_ message: Raft.Message, group partition: PartitionID) throws {
        guard !isStopped else { throw NodeError(.unavailable, "The node is shutting down.") }
        guard message.kind == .installSnapshot, message.snapshot != nil else {
            throw NodeError(.invalidTarget, "not a snapshot message")
        }
        host.step(message, group: partition)
        runRound()
    }

    /// The first log index `partition` still holds here: above 1 once its log was compacted or
    /// replaced by a snapshot.
    public func firstLogIndex(of partition: PartitionID) -> LogIndex { host.firstIndex(of: partition) }
}

import Metrics
import QuadCore

/// Every metric the node reports (swift-metrics; `quad` exports them in Prometheus text at
/// `/metrics`). Names and meanings are listed in docs/operations.md.
struct NodeMetrics: Sendable {
    /// Synced log writes: one per group-commit batch (single node) or per Raft round that
    /// appended entries or changed a term or vote (cluster).
    let fsyncs: Counter
    /// Log entries written per fsync.
    let batchSize: Recorder
    /// Commands applied by the state machine (refused ones included).
    let commandsApplied: Counter
    /// Writes refused because the queue was full or the node stopping.
    let rejectedProposals: Counter
    /// Writes this node proposed to a partition it leads.
    let proposals: Counter
    /// Writes this node forwarded to another node's leader.
    let forwards: Counter
    /// How long a forwarded write took, there and back.
    let forwardLatency: Timer
    /// Elections this node started (it became a candidate).
    let elections: Counter
    /// Times a group held here saw its leader change (to another node or to none).
    let leaderChanges: Counter
    /// Partitions this node leads.
    let partitionsLed: Gauge
    /// Snapshot streams this node started to followers.
    let snapshotsSent: Counter
    /// Snapshots this node installed from a leader.
    let snapshotsInstalled: Counter
    /// Log entries removed by compaction.
    let entriesCompacted: Counter
    /// Groups held here that skipped the last tick (quiescent), set every second.
    let partitionsQuiet: Gauge
    /// Replicas this node gave up (a membership change removed it from their group).
    let groupsLeft: Counter
    /// Membership changes this node proposed as a leader (learner added, promoted, member removed).
    let replicaChanges: Counter
    private let factory: any MetricsFactory

    init(factory: any MetricsFactory) {
        self.factory = factory
        fsyncs = Counter(label: "quad_log_fsyncs_total", factory: factory)
        batchSize = Recorder(label: "quad_log_entries_per_fsync", aggregate: true, factory: factory)
        commandsApplied = Counter(label: "quad_commands_applied_total", factory: factory)
        rejectedProposals = Counter(label: "quad_proposals_rejected_total", factory: factory)
        proposals = Counter(label: "quad_proposals_total", factory: factory)
        forwards = Counter(label: "quad_forwarded_writes_total", factory: factory)
        forwardLatency = Timer(label: "quad_forward_duration_seconds", preferredDisplayUnit: .seconds,
                               factory: factory)
        elections = Counter(label: "quad_elections_total", factory: factory)
        leaderChanges = Counter(label: "quad_leader_changes_total", factory: factory)
        partitionsLed = Gauge(label: "quad_partitions_led", factory: factory)
        snapshotsSent = Counter(label: "quad_snapshots_sent_total", factory: factory)
        snapshotsInstalled = Counter(label: "quad_snapshots_installed_total", factory: factory)
        entriesCompacted = Counter(label: "quad_log_entries_compacted_total", factory: factory)
        groupsLeft = Counter(label: "quad_replicas_removed_total", factory: factory)
        partitionsQuiet = Gauge(label: "quad_partitions_quiet", factory: factory)
        replicaChanges = Counter(label: "quad_replica_changes_total", factory: factory)
    }

    /// How many committed entries of `partition` this node has not applied yet.
    func partitionLag(_ partition: PartitionID) -> Gauge {
        Gauge(label: "quad_partition_lag_entries", dimensions: [("partition", "\(partition.rawValue)")],
              factory: factory)
    }
}

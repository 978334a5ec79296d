import Metrics

/// Every metric the node module reports, exported at `/metrics`.
struct NodeMetrics: Sendable {
    /// Synced log writes: one per group-commit batch.
    let fsyncs = Counter(label: "quad_log_fsyncs_total")
    /// Commands applied by the state machine (refused ones included).
    let commandsApplied = Counter(label: "quad_commands_applied_total")
    /// Commands per fsync.
    let batchSize = Recorder(label: "quad_commit_batch_size", aggregate: true)
    /// Writes refused because the queue was full or the node stopping.
    let rejectedProposals = Counter(label: "quad_proposals_rejected_total")
}

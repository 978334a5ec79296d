import QuadCore

/// Where a snapshot stands in the log and the membership at that point.
public struct SnapshotMetadata: Equatable, Sendable {
    /// The last log index the snapshot covers.
    public var index: LogIndex
    /// The term of the entry at `index`.
    public var term: Term
    /// The configuration in force once `index` is applied.
    public var configuration: ConfigurationState

    /// Makes metadata.
    public init(index: LogIndex, term: Term, configuration: ConfigurationState) {
        self.index = index
        self.term = term
        self.configuration = configuration
    }
}

/// A state machine image replacing the log prefix up to `metadata.index`.
public struct Snapshot: Equatable, Sendable {
    /// Position and membership.
    public var metadata: SnapshotMetadata
    /// The shell's serialized state machine; opaque to the core.
    public var data: [UInt8]

    /// Makes a snapshot.
    public init(metadata: SnapshotMetadata, data: [UInt8] = []) {
        self.metadata = metadata
        self.data = data
    }

    /// Whether this is the empty snapshot at index 0 that every log starts from.
    public var isEmpty: Bool { metadata.index == .zero }
}

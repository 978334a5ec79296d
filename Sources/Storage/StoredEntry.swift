public import QuadCore

/// One Raft log entry as stored in the `raft_log` column family.
public struct StoredEntry: Sendable, Equatable {
    /// `kind` of an ordinary command entry.
    public static let kindNormal: UInt8 = 0
    /// `kind` of a configuration (membership) change entry.
    public static let kindConfigurationChange: UInt8 = 1

    /// The entry's position in its group's log; at least 1.
    public var index: LogIndex
    /// The term of the leader that created the entry.
    public var term: Term
    /// What `payload` is: `kindNormal`, `kindConfigurationChange`, or a later kind.
    public var kind: UInt8
    /// The entry's bytes, opaque to Storage (an encoded Command for normal entries).
    public var payload: [UInt8]

    /// Makes an entry.
    public init(index: LogIndex, term: Term, kind: UInt8 = StoredEntry.kindNormal, payload: [UInt8]) {
        self.index = index
        self.term = term
        self.kind = kind
        self.payload = payload
    }
}

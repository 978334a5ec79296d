import QuadCore

/// What an entry carries.
public enum EntryKind: UInt8, Sendable {
    /// An opaque command for the state machine (Quad puts Command bytes here). An empty
    /// payload is the no-op a leader appends at the start of its term.
    case normal = 0
    /// An encoded `ConfigurationChange`; it takes effect when reported applied by `advance(_:)`.
    case configurationChange = 1
}

/// One slot of the replicated log.
public struct Entry: Equatable, Sendable, CustomStringConvertible {
    /// The term of the leader that created the entry.
    public var term: Term
    /// The entry's position in the log.
    public var index: LogIndex
    /// How to read `payload`.
    public var kind: EntryKind
    /// Opaque bytes; the core never looks inside a `.normal` payload.
    public var payload: [UInt8]

    /// Makes an entry.
    public init(term: Term, index: LogIndex, kind: EntryKind = .normal, payload: [UInt8] = []) {
        self.term = term
        self.index = index
        self.kind = kind
        self.payload = payload
    }

    /// Bytes charged against batch and inflight bounds.
    public var byteCount: Int { payload.count + RaftLimits.entryOverheadBytes }

    public var description: String {
        let what = kind == .configurationChange ? "conf" : (payload.isEmpty ? "noop" : "\(payload.count)B")
        return "\(term)/\(index) \(what)"
    }
}

extension Array where Element == Entry {
    /// The longest prefix whose bytes stay within `bytesMax`; never empty when `self` is not.
    func prefix(bytesMax: Int) -> [Entry] {
        var total = 0
        var count = 0
        for entry in self {
            total += entry.byteCount
            if count > 0, total > bytesMax { break }
            count += 1
        }
        return Array(self[0..<count])
    }

    /// The sum of `byteCount` over the entries.
    var byteCount: Int { reduce(0) { $0 + $1.byteCount } }
}

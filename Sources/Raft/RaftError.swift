/// The one error type of the Raft core: a stable machine-readable code and a human message.
///
/// Operating errors (a proposal while there is no leader, an oversized entry, a compacted index)
/// are values of this type; programmer errors (breaking the `ready()`/`advance(_:)` contract)
/// trap with a `precondition` instead.
public struct RaftError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What went wrong, stable across releases so callers can switch on it.
    public enum Code: String, Sendable {
        /// `RaftConfiguration.validate()` rejected a setting.
        case invalidConfiguration = "invalid_configuration"
        /// The proposal or read could not be accepted here now (no leader, transfer under way,
        /// uncommitted bytes over the bound, a configuration change already pending); retry later.
        case proposalDropped = "proposal_dropped"
        /// An entry payload is larger than `RaftConfiguration.entryBytesMax`.
        case entryTooLarge = "entry_too_large"
        /// The requested log index lies before the storage's first index (compacted away).
        case compacted = "compacted"
        /// The requested log index lies after the storage's last index.
        case unavailable = "unavailable"
        /// The storage has no snapshot ready yet; the leader retries on a later heartbeat.
        case snapshotTemporarilyUnavailable = "snapshot_temporarily_unavailable"
        /// Bytes that should encode a Raft value do not.
        case malformed = "malformed"
    }

    /// The machine-readable code.
    public var code: Code
    /// A sentence for operators and logs.
    public var message: String

    /// Makes an error from a code and a message.
    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }
}

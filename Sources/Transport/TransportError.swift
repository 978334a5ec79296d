/// The one error type of the `Transport` module: a stable code and a human message.
///
/// Peer trouble (down, slow, refusing) and bad bytes are operating errors and arrive as values
/// of this type; breaking an API contract traps instead.
public struct TransportError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What went wrong, stable across releases so callers can switch on it.
    public enum Code: String, Sendable {
        /// Bytes that should hold a wire frame do not (truncated, garbage, over a bound).
        case malformed = "malformed"
        /// A frame carries a wire version this node does not speak.
        case unsupportedVersion = "unsupported_version"
        /// The destination node has no address in this node's peer table.
        case unknownPeer = "unknown_peer"
        /// The peer could not be reached, or it is shutting down; retry later or elsewhere.
        case unavailable = "unavailable"
        /// The deadline passed before the peer answered.
        case deadlineExceeded = "deadline_exceeded"
        /// The peer answered with an error (its handler refused or failed).
        case remoteFailure = "remote_failure"
        /// The links were shut down.
        case shutDown = "shut_down"
    }

    /// The machine-readable code.
    public var code: Code
    /// A sentence for operators and logs.
    public var message: String

    /// Makes an error from a code and a message.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }
}

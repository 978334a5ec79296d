/// Why a command or query was refused. The API maps `kind` to an HTTP status in one place.
public struct CommunityError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The class of failure, which decides the HTTP status.
    public enum Kind: Sendable, Equatable {
        case invalid       // 400
        case forbidden     // 403
        case notFound      // 404
        case conflict      // 409
        case limitExceeded // 422
    }

    public let kind: Kind
    /// Stable, machine-readable code such as `channel_not_found`.
    public let code: String
    /// One sentence for people.
    public let message: String

    public init(_ kind: Kind, _ code: String, _ message: String) {
        self.kind = kind
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }

    static func invalid(_ code: String, _ message: String) -> Self { .init(.invalid, code, message) }
    static func forbidden(_ message: String) -> Self { .init(.forbidden, "forbidden", message) }
    static func notFound(_ code: String, _ message: String) -> Self { .init(.notFound, code, message) }
    static func conflict(_ code: String, _ message: String) -> Self { .init(.conflict, code, message) }

    static let workspaceNotFound = CommunityError.notFound("workspace_not_found", "No such workspace.")
    static let channelNotFound = CommunityError.notFound("channel_not_found", "No such channel.")
    static let messageNotFound = CommunityError.notFound("message_not_found", "No such message.")
    static let platformNotFound = CommunityError.notFound("platform_not_found", "No such platform.")
    static let memberNotFound = CommunityError.notFound("member_not_found", "No such member.")
}

/// A stored row could not be read: the node must stop applying rather than diverge.
public struct RowReadFailure: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

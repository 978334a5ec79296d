import Community
import Foundation
import Hummingbird
import Node
import QuadCore

/// Shared plumbing of the route handlers: the node, parameter parsing, command submission.
struct CommunityRoutes: Sendable {
    let node: CommunityNode
    /// "Now" for command timestamps and the live-session join window.
    var clock: any WallClock = SystemWallClock()
    /// Creating meetings at Zoom and Webex; nil when the node has no sealing key.
    var provisioning: MeetingProvisioning?

    /// Submits a command as the caller and returns its outcome, or throws why it was refused.
    func submit(_ body: CommandBody, _ context: QuadRequestContext) async throws -> Outcome {
        let actor = try context.requireActor()
        let now = clock.nowMilliseconds()
        return try await node.submit(body, actor: actor, timestampMilliseconds: now).get()
    }

    /// Queries over `workspace`'s partition, after a read barrier: linearizable on any node.
    func queries(_ workspace: WorkspaceID, _ context: QuadRequestContext) async throws
        -> CommunityQueries<PartitionRowReader> {
        let actor = try context.requireActor()
        try await node.readBarrier(forKey: workspace.rawValue)
        return node.queries(for: workspace, actor: actor)
    }

    /// Queries over a platform's partition, after a read barrier.
    func platformQueries(_ platform: PlatformID, _ context: QuadRequestContext) async throws
        -> CommunityQueries<PartitionRowReader> {
        let actor = try context.requireActor()
        try await node.readBarrier(forKey: platform.rawValue)
        return node.queries(forKey: platform.rawValue, actor: actor)
    }

    // MARK: Parameters

    func workspaceID(_ context: QuadRequestContext) throws -> WorkspaceID {
        try identifier(context, "workspace", code: "invalid_workspace_id")
    }

    func channelID(_ context: QuadRequestContext) throws -> ChannelID {
        try identifier(context, "channel", code: "invalid_channel_id")
    }

    func userID(_ context: QuadRequestContext) throws -> UserID {
        try identifier(context, "user", code: "invalid_user_id")
    }

    func identifier<ID: StringIdentifier>(_ context: QuadRequestContext, _ name: String, code: String) throws -> ID {
        guard let raw = context.parameters.get(name), let value = ID(rawValue: raw) else {
            throw APIError.invalid(code, "The \(name) ID in the path is not a valid identifier.")
        }
        return value
    }

    func sequence(_ context: QuadRequestContext) throws -> ChannelSequence {
        guard let raw = context.parameters.get("sequence"), let value = UInt64(raw), value > 0 else {
            throw APIError.invalid("invalid_sequence", "A message sequence is a positive integer.")
        }
        return ChannelSequence(value)
    }

    /// `limit`, 1 to `Limits.pageSizeMax`, default `Limits.pageSizeDefault`.
    func limit(_ request: Request) throws -> Int {
        guard let raw = request.uri.queryParameters.get("limit") else { return Limits.pageSizeDefault }
        guard let value = Int(raw), value >= 1, value <= Limits.pageSizeMax else {
            throw APIError.invalid("invalid_limit", "limit is 1 to \(Limits.pageSizeMax).")
        }
        return value
    }

    func querySequence(_ request: Request, _ name: String) throws -> ChannelSequence? {
        guard let raw = request.uri.queryParameters.get(name) else { return nil }
        guard let value = UInt64(raw) else {
            throw APIError.invalid("invalid_\(name)", "\(name) is a message sequence number.")
        }
        return ChannelSequence(value)
    }

    func queryUser(_ request: Request, _ name: String) throws -> UserID? {
        guard let raw = request.uri.queryParameters.get(name) else { return nil }
        guard let value = UserID(rawValue: raw) else {
            throw APIError.invalid("invalid_\(name)", "\(name) is a user ID.")
        }
        return value
    }

    /// Runs an input validation, turning its refusal into the API's error.
    func validate(_ body: () throws(CommunityError) -> Void) throws {
        try body()
    }
}

/// A JSON response with a chosen status (201 for creations).
struct Created<Body: Encodable & Sendable>: ResponseGenerator {
    var status: HTTPResponse.Status = .created
    let body: Body

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = try QuadJSONEncoder().encode(body, from: request, context: context)
        response.status = status
        return response
    }
}

/// An empty 204.
struct NoContent: ResponseGenerator {
    func response(from request: Request, context: some RequestContext) throws -> Response {
        Response(status: .noContent)
    }
}

extension Encodable where Self: Sendable {
    /// Wraps a body for a 200 JSON answer.
    var ok: Created<Self> { Created(status: .ok, body: self) }
}

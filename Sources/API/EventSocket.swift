import Community
import Foundation
import Hummingbird
import ServiceLifecycle
import HummingbirdWebSocket
import Node
import QuadCore

/// The real-time endpoint: `GET /v1/workspaces/{workspace}/events?resume=stream:seq,...`
/// upgraded to a WebSocket.
///
/// Every event belongs to a stream (a channel ID, or `workspace`) and carries a gapless
/// per-stream `event_sequence`. The server subscribes to live events first, then sends the
/// stored events after each resume point, then live ones, skipping any sequence already
/// sent: a reconnecting client loses nothing and sees nothing twice.
struct EventSocket: Sendable {
    let node: CommunityNode

    /// Resume points a client may give: one per channel plus the workspace stream.
    static let resumePointsMax = Limits.channelsPerWorkspaceMax + 1
    /// Stored events read per page while catching up.
    static let catchUpPageSize = 500

    /// Parses `stream:seq,stream:seq`.
    static func resumePoints(_ raw: String?) throws -> [String: UInt64] {
        guard let raw, !raw.isEmpty else { return [:] }
        var points: [String: UInt64] = [:]
        for part in raw.split(separator: ",") {
            let pieces = part.split(separator: ":", maxSplits: 1)
            guard pieces.count == 2, let sequence = UInt64(pieces[1]),
                  pieces[0] == Substring(EventStream.workspace) || ChannelID(rawValue: String(pieces[0])) != nil
            else {
                throw APIError.invalid("invalid_resume", "resume is a list of stream:sequence pairs.")
            }
            points[String(pieces[0])] = sequence
            guard points.count <= resumePointsMax else {
                throw APIError.invalid("invalid_resume", "Too many resume points.")
            }
        }
        return points
    }

    func shouldUpgrade(_ request: Request, _ context: QuadRequestContext) async throws -> RouterShouldUpgrade {
        let actor = try context.requireActor()
        guard let raw = context.parameters.get("workspace"), let workspace = WorkspaceID(rawValue: raw) else {
            throw APIError.invalid("invalid_workspace_id", "The workspace ID in the path is not a valid identifier.")
        }
        _ = try Self.resumePoints(request.uri.queryParameters.get("resume"))
        if request.headers[PartitionRoutingMiddleware.forwardedHeader] == nil,
           await node.holderAPIAddress(forKey: workspace.rawValue) != nil {
            // Held elsewhere: the node that holds it checks access when the relayed stream opens.
            return .upgrade([:])
        }
        _ = try node.queries(for: workspace, actor: actor).workspace(workspace)
        return .upgrade([:])
    }

    func run(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter,
             context: WebSocketRouterContext<QuadRequestContext>) async throws {
        guard let actor = context.requestContext.actor,
              let raw = context.requestContext.parameters.get("workspace"),
              let workspace = WorkspaceID(rawValue: raw),
              let resume = try? Self.resumePoints(context.request.uri.queryParameters.get("resume"))
        else { return }
        if context.request.headers[PartitionRoutingMiddleware.forwardedHeader] == nil,
           let holder = await node.holderAPIAddress(forKey: workspace.rawValue) {
            try await relay(to: holder, request: context.request, inbound: inbound, outbound: outbound)
            return
        }
        guard let live = node.events.subscribe(workspace) else {
            try await outbound.close(.unknown(1013), reason: "too many subscribers")
            return
        }
        let session = Session(node: node, actor: actor, workspace: workspace, outbound: outbound)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                // Drain the client's frames so pings and close are handled; nothing else is expected.
                for try await _ in inbound.messages(maxSize: 4096) {}
            }
            group.addTask { [session] in
                var session = session
                try await session.catchUp(resume)
                try await session.send(["type": "ready"])
                for await event in live { try await session.deliver(event) }
                // Cancelled: the client left, and there is nobody to tell.
                guard !Task.isCancelled else { return }
                // The live stream ended: the node is stopping or this client fell too far behind.
                try await outbound.close(.goingAway, reason: "resubscribe with your resume points")
            }
            group.addTask {
                // A stopping node closes its streams at once (clients resume on another node or
                // after the restart) rather than wait for every client to leave.
                try await gracefulShutdown()
                try await outbound.close(.goingAway, reason: "the node is stopping; reconnect with your resume points")
            }
            try await group.next()
            group.cancelAll()
        }
    }

    /// One connection's delivery state.
    struct Session: Sendable {
        let node: CommunityNode
        let actor: Actor
        let workspace: WorkspaceID
        let outbound: WebSocketOutboundWriter
        /// Highest event sequence sent per stream.
        var sent: [String: UInt64] = [:]

        var queries: CommunityQueries<PartitionRowReader> { node.queries(for: workspace, actor: actor) }

        mutating func catchUp(_ resume: [String: UInt64]) async throws {
            for (stream, after) in resume.sorted(by: { $0.key < $1.key }) {
                sent[stream] = after
                if stream != EventStream.workspace {
                    guard let channel = ChannelID(rawValue: stream),
                          (try? queries.channel(workspace, channel)) != nil else {
                        try await send(["type": "stream_unavailable", "stream": stream])
                        continue
                    }
                }
                var cursor = after
                while true {
                    let page: [Event]
                    do {
                        page = try queries.events(workspace, stream: stream, after: cursor, limit: EventSocket.catchUpPageSize)
                    } catch let error as CommunityError where error.code == "resync_required" {
                        try await send(["type": "resync_required", "stream": stream])
                        break
                    }
                    for event in page { try await deliver(event) }
                    guard let last = page.last, page.count == EventSocket.catchUpPageSize else { break }
                    cursor = last.eventSequence
                }
            }
        }

        /// Sends an event if the caller may see it and has not been sent it yet.
        mutating func deliver(_ event: Event) async throws {
            if let last = sent[event.stream], event.eventSequence <= last { return }
            guard var frame = visibleFrame(event) else { return }
            sent[event.stream] = event.eventSequence
            frame.event = event
            try await outbound.write(.text(String(decoding: try QuadJSON.encoder.encode(frame), as: UTF8.self)))
        }

        /// The frame for an event the caller can see, with its message or channel attached.
        func visibleFrame(_ event: Event) -> EventFrame? {
            guard let channelID = event.channelID else {
                return EventFrame()  // workspace-wide membership events: every member sees them
            }
            guard let view = try? queries.channel(workspace, channelID) else { return nil }
            var frame = EventFrame(channel: view.channel)
            if let sequence = event.messageSequence {
                frame.message = try? queries.message(workspace, channelID, sequence)
            }
            return frame
        }

        func send(_ object: [String: String]) async throws {
            try await outbound.write(.text(String(decoding: try QuadJSON.encoder.encode(object), as: UTF8.self)))
        }
    }

    /// One event on the wire.
    struct EventFrame: Encodable, Sendable {
        var type = "event"
        var event: Event?
        var channel: Channel?
        var message: Message?
    }
}

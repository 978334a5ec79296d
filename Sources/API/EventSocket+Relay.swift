import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdWebSocket
import Logging
import Node
import QuadCore
import HummingbirdWSClient

extension EventSocket {
    /// Largest frame relayed from the node that holds the workspace: the event frames it sends.
    static let relayedFrameBytesMax = 1 << 20

    /// Serves an event stream for a workspace this node holds no replica of (a cluster of more
    /// nodes than replicas): opens the same stream on a node that holds it, with the caller's
    /// token and resume points, and passes its frames on. When either side ends, the client's
    /// stream is closed with "going away" and the client resumes, as after any reconnect.
    func relay(to holder: String, request: Request, inbound: WebSocketInboundStream,
               outbound: WebSocketOutboundWriter) async throws {
        let url = (holder.hasPrefix("https://") ? "wss://" + holder.dropFirst(8) : "ws://" + holder.dropFirst(7))
            + request.uri.description
        var configuration = WebSocketClientConfiguration(maxFrameSize: Self.relayedFrameBytesMax)
        if let authorization = request.headers[.authorization] { configuration.additionalHeaders[.authorization] = authorization }
        configuration.additionalHeaders[PartitionRoutingMiddleware.forwardedHeader] = "\(node.configuration.nodeID.rawValue)"
        let logger = Logger(label: "quad.events.relay")
        let settings = configuration
        await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await WebSocketClient.connect(url: url, configuration: settings, logger: logger) { remote, _, _ in
                    for try await message in remote.messages(maxSize: Self.relayedFrameBytesMax) {
                        if case .text(let text) = message { try await outbound.write(.text(text)) }
                    }
                }
            }
            group.addTask {
                // The client sends nothing but pings and close; draining lets those be handled.
                for try await _ in inbound.messages(maxSize: 4096) {}
            }
            _ = try? await group.next()
            group.cancelAll()
        }
        guard !Task.isCancelled else { return }
        try? await outbound.close(.goingAway, reason: "resubscribe with your resume points")
    }
}

import Foundation
import Hummingbird
import HummingbirdWSClient
import Logging
import Synchronization
import Testing

/// A WebSocket subscriber to a workspace's events, over a real connection to the test server.
struct EventClient: Sendable {
    let server: TestServer
    let user: String
    let workspace: String

    /// Frames from the server are at most this large: a 16 KiB message plus its event and channel.
    static let frameBytesMax = 1 << 20
    /// How long one session may take before the test fails instead of hanging.
    static let deadline = Duration.seconds(30)

    struct DeadlinePassed: Error, CustomStringConvertible {
        let frames: [JSON]
        var description: String { "no expected frames within \(EventClient.deadline); got \(frames)" }
    }

    /// Connects with `resume`, runs `afterReady` once the server says `ready`, collects frames
    /// until `done(frames)` holds, then closes the connection and returns every frame received.
    func session(resume: String?, afterReady: @escaping @Sendable () async throws -> Void = {},
                 until done: @escaping @Sendable ([JSON]) -> Bool) async throws -> [JSON] {
        let received = FrameLog()
        let url = "ws://127.0.0.1:\(server.port)/v1/workspaces/\(workspace)/events"
            + (resume.map { "?resume=\($0)" } ?? "")
        let token = try await server.token(user)
        try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                let configuration = WebSocketClientConfiguration(
                    maxFrameSize: Self.frameBytesMax, additionalHeaders: [.authorization: "Bearer \(token)"])
                let logger = Logger(label: "quad-api-tests-ws")
                try await WebSocketClient.connect(url: url, configuration: configuration, logger: logger) {
                    inbound, _, _ in
                    var ready = false
                    for try await message in inbound.messages(maxSize: Self.frameBytesMax) {
                        guard case .text(let text) = message else { continue }
                        let frame = try JSONDecoder().decode(JSON.self, from: Data(text.utf8))
                        received.frames.withLock { $0.append(frame) }
                        if !ready, frame["type"] == .string("ready") {
                            ready = true
                            try await afterReady()
                        }
                        if ready, done(received.frames.withLock { $0 }) { return }
                    }
                }
                return true
            }
            group.addTask {
                // A deadline, not a wait: the session above ends as soon as its frames arrive.
                try await Task.sleep(for: Self.deadline)
                return false
            }
            let finished = try await group.next() ?? false
            group.cancelAll()
            if !finished { throw DeadlinePassed(frames: received.frames.withLock { $0 }) }
        }
        return received.frames.withLock { $0 }
    }

    /// Whether the server refuses to upgrade a connection with `headers` and the query `query`.
    static func upgradeRefused(port: Int, workspace: String, query: String?, headers: HTTPFields) async throws
        -> Bool {
        let url = "ws://127.0.0.1:\(port)/v1/workspaces/\(workspace)/events" + (query.map { "?\($0)" } ?? "")
        do {
            try await WebSocketClient.connect(url: url, configuration: .init(additionalHeaders: headers),
                                              logger: Logger(label: "quad-api-tests-ws")) { _, _, _ in }
            return false
        } catch let error as WebSocketClientError where error == .webSocketUpgradeFailed {
            return true
        }
    }
}

/// Frames received so far, shared by the connection's handler and the test.
final class FrameLog: Sendable {
    let frames = Mutex<[JSON]>([])
}

extension JSON {
    /// `stream:event_sequence` of an event frame, nil for other frames.
    var streamPosition: (stream: String, sequence: Int)? {
        guard self["type"] == .string("event"), let stream = self["event"]["stream"].string,
              let sequence = self["event"]["event_sequence"].int else { return nil }
        return (stream, sequence)
    }
}

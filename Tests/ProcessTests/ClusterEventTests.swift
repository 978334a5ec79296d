import Foundation
import HummingbirdWSClient
import Logging
import Synchronization
import Testing

/// Frames a WebSocket subscriber received, shared with the test that waits on them.
final class ReceivedFrames: Sendable {
    /// Each frame's JSON text, in arrival order.
    let texts = Mutex<[String]>([])

    /// The frames parsed.
    var frames: [[String: Any]] {
        texts.withLock { $0 }.compactMap { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] }
    }

    var isReady: Bool { frames.contains { $0["type"] as? String == "ready" } }

    /// The texts of `message.created` events of `channel`, in arrival order.
    func createdTexts(in channel: String) -> [String] {
        frames.filter { ($0["event"] as? [String: Any])?["kind"] as? String == "message.created"
                && ($0["event"] as? [String: Any])?["stream"] as? String == channel }
                .compactMap { ($0["message"] as? [String: Any])?["text"] as? String }
    }

    /// The `event_sequence` of every event of `channel`, in arrival order.
    func sequences(in channel: String) -> [Int] {
        frames.compactMap { $0["event"] as? [String: Any] }.filter { $0["stream"] as? String == channel }
            .compactMap { ($0["event_sequence"] as? NSNumber)?.intValue }
    }
}

/// Subscribes to a workspace's events on the node serving `port` until cancelled, recording every frame.
/// Until the first `ready` it reconnects (as a client does) when the node refuses or drops the socket,
/// for instance with 503 while the partition elects a leader; after that a drop is the test's failure.
func subscribe(port: Int, workspace: String, token: String, resume: String? = nil,
               into received: ReceivedFrames) async throws {
    let url = "ws://127.0.0.1:\(port)/v1/workspaces/\(workspace)/events" + (resume.map { "?resume=\($0)" } ?? "")
    let configuration = WebSocketClientConfiguration(maxFrameSize: 1 << 20,
                                                     additionalHeaders: [.authorization: "Bearer \(token)"])
    while !Task.isCancelled {
        do {
            try await WebSocketClient.connect(url: url, configuration: configuration,
                                              logger: Logger(label: "cluster-events-test")) { inbound, _, _ in
                for try await message in inbound.messages(maxSize: 1 << 20) {
                    guard case .text(let text) = message else { continue }
                    received.texts.withLock { $0.append(text) }
                }
            }
        } catch {
            // Refused or dropped; retried below until ready.
        }
        if received.isReady { return }
        try await Task.sleep(for: .milliseconds(100))
    }
}

extension ClusterTests {
    /// Proves a WebSocket subscriber on a node that survives receives every acknowledged message of a
    /// channel exactly once and in order while the partition's leader is killed mid-stream, and that a
    /// subscriber resuming from the middle on another node receives exactly the rest.
    @Test func eventsFollowALeaderChange() async throws {
        let (nodes, root) = try await Self.startCluster()
        defer { for node in nodes { node.kill9() }; try? FileManager.default.removeItem(atPath: root) }
        let admin = try nodes[0].token(user: "admin", admin: true)
        let (workspace, channel) = try await Self.makeCourse("Events", through: nodes[0], admin: admin)
        // A subscriber on every node; the one on the node that will be killed dies with it.
        let subscribers = nodes.map { _ in ReceivedFrames() }
        let ports = nodes.map(\.port)
        let subscriptions = (0..<3).map { index in
            Task { [subscriber = subscribers[index], port = ports[index]] in
                try await subscribe(port: port, workspace: workspace, token: admin, into: subscriber)
            }
        }
        defer { for subscription in subscriptions { subscription.cancel() } }
        try await poll(deadline: .seconds(10), "the subscribers to be ready") { subscribers.allSatisfy(\.isReady) }

        var acknowledged: [String] = []
        var failures: [String] = []
        var writer = nodes[0]
        var survivors = [0, 1, 2]
        for index in 0..<30 {
            if index == 10 {
                // Kill whichever node leads the workspace's partition now; write through a survivor.
                let located = try await Self.request("GET", writer.baseURL + "/v1/admin/locate/\(workspace)",
                                                     token: admin, body: nil)
                let leader = try #require((located.json["leader"] as? NSNumber)?.intValue)
                nodes[leader - 1].kill9()
                survivors.removeAll { $0 == leader - 1 }
                writer = nodes[survivors[0]]
            }
            // The request helper retries 503 (what a client does during an election, with the same
            // client_msg_id); any other failure is a server bug, named in the expectation below
            // (a proposal dropped during a leadership transfer once answered 500 here).
            let messages = writer.baseURL + "/v1/workspaces/\(workspace)/channels/\(channel)/messages"
            let answer = try await Self.request("POST", messages, token: admin,
                                                body: ["text": "e\(index)", "client_msg_id": "e\(index)"])
            if answer.status == 201 || answer.status == 200 {
                acknowledged.append("e\(index)")
            } else {
                failures.append("e\(index): \(answer.status) \(answer.json["error"] ?? "")")
            }
        }
        #expect(acknowledged.count == 30, "every write is retried until acknowledged: \(failures)")
        var sequences: [Int] = []
        for survivor in survivors {
            let live = subscribers[survivor]
            try await poll(deadline: .seconds(20), "every acknowledged message to reach n\(survivor + 1)'s subscriber") {
                live.createdTexts(in: channel).count >= acknowledged.count
            }
            #expect(live.createdTexts(in: channel) == acknowledged, "each once, in order, across the leader change")
            sequences = live.sequences(in: channel)
            #expect(sequences == Array((sequences.first ?? 1)...(sequences.last ?? 0)), "gapless, no duplicates")
        }
        let writerPort = writer.port

        // Another subscriber resumes from the middle (after e14) on the writer node: exactly e15...e29.
        let middle = try #require(sequences.first.map { $0 + 14 })
        let resumed = ReceivedFrames()
        let second = Task {
            try await subscribe(port: writerPort, workspace: workspace, token: admin, resume: "\(channel):\(middle)",
                                into: resumed)
        }
        defer { second.cancel() }
        try await poll(deadline: .seconds(10), "the resumed subscriber to be ready") {
            resumed.isReady
        }
        #expect(resumed.createdTexts(in: channel) == Array(acknowledged[15...]))
    }
}

import Foundation
import Testing

/// A real node process, killed with SIGKILL, keeps every write it acknowledged.
@Suite(.serialized)
struct CrashRecoveryTests {
    static let acknowledgedCount = 1000
    static let writers = 8

    /// Proves that 1,000 acknowledged posts, and every post acknowledged while a kill -9
    /// lands mid-stream, are all present after restart: in order, gapless, no duplicates.
    /// Run twice: as a process crash, and as a power cut (`--simulate-power-loss`: the kill
    /// also loses every write the node had not synced, so only fsync ordering saves the posts;
    /// with `--unsafe-no-fsync` added, the power-cut case fails and the crash case still passes).
    @Test(arguments: [[], ["--simulate-power-loss"]])
    func acknowledgedMessagesSurviveKillNine(flags: [String]) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("quad-crash-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let node = QuadProcess(dataDirectory: directory, port: try freePort(), extraArguments: flags)
        try await node.start()
        let admin = try node.token(user: "admin", admin: true)
        let learner = try node.token(user: "learner-1")
        let (workspace, channel) = try await makeChannel(node, admin: admin)

        // 1,000 acknowledged posts from 8 concurrent writers (so batches share fsyncs).
        let base = node.baseURL
        let acknowledged = try await post(base, token: learner, workspace: workspace, channel: channel,
                                          prefix: "a", count: Self.acknowledgedCount)
        #expect(acknowledged.count == Self.acknowledgedCount)

        // A second stream, killed part-way: whatever was acknowledged before the kill must survive.
        let inFlight = Task { try? await post(base, token: learner, workspace: workspace, channel: channel,
                                              prefix: "b", count: 400, stopOnError: true) }
        try await poll(deadline: .seconds(30), "some in-flight posts") { (try await count(base, learner, workspace, channel)) > Self.acknowledgedCount + 20 }
        node.kill9()
        let acknowledgedDuringKill = await inFlight.value ?? [:]

        try await node.start()
        let stored = try await history(node, token: learner, workspace: workspace, channel: channel)
        let sequences = stored.map(\.sequence)
        #expect(sequences == Array(1...UInt64(stored.count)), "sequences are gapless from 1")
        let texts = stored.map(\.text)
        #expect(Set(texts).count == texts.count, "no message is stored twice")
        for (text, sequence) in acknowledged.merging(acknowledgedDuringKill, uniquingKeysWith: { first, _ in first }) {
            #expect(stored.first { $0.sequence == sequence }?.text == text, "acknowledged \(text) at \(sequence)")
        }
        #expect(node.stop() == 0, "the node shuts down cleanly on SIGTERM")
    }

    /// Proves a node that served WebSocket subscribers (one gone, one still connected) closes its
    /// database when it stops, rather than waiting out the close timeout: nothing the sockets left
    /// behind keeps the node alive.
    @Test func aNodeThatServedWebSocketsClosesItsDatabaseOnStop() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("quad-ws-stop-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let node = QuadProcess(dataDirectory: directory, port: try freePort())
        try await node.start()
        let admin = try node.token(user: "admin", admin: true)
        let (workspace, _) = try await makeChannel(node, admin: admin)
        let learner = try node.token(user: "learner-1")
        let gone = ReceivedFrames(), connected = ReceivedFrames()
        let port = node.port
        let first = Task { try await subscribe(port: port, workspace: workspace, token: learner, into: gone) }
        let second = Task { try await subscribe(port: port, workspace: workspace, token: learner, into: connected) }
        try await poll(deadline: .seconds(30), "both subscribers ready") { gone.isReady && connected.isReady }
        first.cancel()
        _ = try? await first.value
        #expect(node.stop() == 0, "the node shuts down cleanly on SIGTERM")
        second.cancel()
        let log = node.logTail()
        #expect(!log.contains("did not close"), "the database closed: \(log)")
    }

    struct Stored {
        var sequence: UInt64
        var text: String
    }

    func makeChannel(_ node: QuadProcess, admin: String) async throws -> (String, String) {
        let base = node.baseURL + "/v1"
        _ = try await HTTP.request("POST", base + "/platforms", token: admin, body: ["id": "lms", "name": "LMS"])
        let created = try await HTTP.request("POST", base + "/workspaces", token: admin,
                                             body: ["platform_id": "lms", "kind": "course", "name": "Crash course",
                                                    "templates": ["chatter"]])
        try #require(created.status == 201)
        let workspace = try #require((created.json["workspace"] as? [String: Any])?["id"] as? String)
        let channel = try #require(((created.json["channels"] as? [[String: Any]])?.first)?["id"] as? String)
        let added = try await HTTP.request("POST", base + "/workspaces/\(workspace)/members", token: admin,
                                           body: ["members": [["user_id": "learner-1", "role": "learner"]]])
        try #require(added.status == 200)
        let learner = try node.token(user: "learner-1")
        let joined = try await HTTP.request("POST", base + "/workspaces/\(workspace)/channels/\(channel)/join",
                                            token: learner, body: nil)
        try #require(joined.status == 200)
        return (workspace, channel)
    }

    /// Posts `count` messages from `writers` concurrent tasks; returns text -> acknowledged sequence.
    func post(_ baseURL: String, token: String, workspace: String, channel: String, prefix: String, count: Int,
              stopOnError: Bool = false) async throws -> [String: UInt64] {
        let url = baseURL + "/v1/workspaces/\(workspace)/channels/\(channel)/messages"
        return try await withThrowingTaskGroup(of: [String: UInt64].self) { group in
            for writer in 0..<Self.writers {
                group.addTask {
                    var acknowledged: [String: UInt64] = [:]
                    for index in stride(from: writer, to: count, by: Self.writers) {
                        let text = "\(prefix)-\(index)"
                        let answer: HTTP.Answer
                        do {
                            answer = try await HTTP.request("POST", url, token: token,
                                                            body: ["text": text, "client_msg_id": text])
                        } catch {
                            if stopOnError { return acknowledged }
                            throw error
                        }
                        guard answer.status == 201 || answer.status == 200,
                              let message = answer.json["message"] as? [String: Any],
                              let sequence = (message["sequence"] as? NSNumber)?.uint64Value
                        else {
                            if stopOnError { return acknowledged }
                            throw ProcessTestError("post \(text) answered \(answer.status)")
                        }
                        acknowledged[text] = sequence
                    }
                    return acknowledged
                }
            }
            var all: [String: UInt64] = [:]
            for try await part in group { all.merge(part) { first, _ in first } }
            return all
        }
    }

    func count(_ baseURL: String, _ token: String, _ workspace: String, _ channel: String) async throws -> UInt64 {
        let answer = try await HTTP.request("GET", baseURL + "/v1/workspaces/\(workspace)/channels/\(channel)",
                                            token: token, body: nil)
        let view = answer.json["channel"] as? [String: Any]
        let channel = view?["channel"] as? [String: Any]
        return (channel?["last_sequence"] as? NSNumber)?.uint64Value ?? 0
    }

    /// The whole channel, oldest first, paging with `after`.
    func history(_ node: QuadProcess, token: String, workspace: String, channel: String) async throws -> [Stored] {
        var stored: [Stored] = []
        var after: UInt64 = 0
        while true {
            let url = node.baseURL + "/v1/workspaces/\(workspace)/channels/\(channel)/messages?after=\(after)&limit=200"
            let answer = try await HTTP.request("GET", url, token: token, body: nil)
            try #require(answer.status == 200)
            let page = answer.json["messages"] as? [[String: Any]] ?? []
            for message in page {
                stored.append(Stored(sequence: (message["sequence"] as? NSNumber)?.uint64Value ?? 0,
                                     text: message["text"] as? String ?? ""))
            }
            guard answer.json["next_cursor"] is String, let last = stored.last else { break }
            after = last.sequence
        }
        return stored
    }
}

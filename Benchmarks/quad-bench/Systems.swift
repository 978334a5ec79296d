import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// A replicated store the tool measures: started on loopback, driven over its public HTTP API,
/// stopped at the end.
protocol BenchSystem: Sendable {
    var name: String { get }
    /// A replicated write of `payload` bytes by client `client`, its `sequence`th; true when acknowledged.
    func post(client: Int, sequence: Int) async throws -> Bool
    /// fsyncs made so far by every member together.
    func fsyncs() async throws -> Double
    func stop()
}

/// Three `quad` processes with shared keys, a platform, and W course workspaces each with a channel.
final class QuadCluster: BenchSystem, @unchecked Sendable {
    let name = "quad"
    let http: HTTP
    let payload: String
    private(set) var nodes: [ChildProcess] = []
    private(set) var apiBases: [String] = []
    private(set) var token = ""
    /// (workspace, channel) per workspace.
    private(set) var channels: [(String, String)] = []
    /// Per workspace, the node its requests go to when they go to the partition's leader.
    private(set) var leaderBases: [String]?

    init(http: HTTP, payloadBytes: Int) {
        self.http = http
        payload = String(repeating: "q", count: payloadBytes)
    }

    func start(binDirectory: String, root: String, partitions: Int, logLevel: String) async throws {
        let apiPorts = try Ports.free(3)
        let peerPorts = try Ports.free(3)
        let members = (1...3).map { "\($0)=127.0.0.1:\(peerPorts[$0 - 1])" }.joined(separator: ",")
        let keys = ["dev-signin.key", "provider-credentials.key", "session.key"].map { name in
            (name, (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined())
        }
        for k in 1...3 {
            let directory = root + "/quad-n\(k)"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            for (file, hex) in keys {
                _ = FileManager.default.createFile(atPath: directory + "/" + file, contents: Data(hex.utf8),
                                               attributes: [.posixPermissions: 0o600])
            }
            nodes.append(try ChildProcess(
                name: "quad n\(k)", executable: binDirectory + "/quad",
                arguments: ["--node-id", "\(k)", "--data-dir", directory, "--port", "\(apiPorts[k - 1])",
                            "--members", members, "--partitions", "\(partitions)", "--dev-signin",
                            "--log-level", logLevel],
                log: root + "/quad-n\(k).log"))
            apiBases.append("http://127.0.0.1:\(apiPorts[k - 1])")
        }
        for (index, base) in apiBases.enumerated() {
            try await http.waitUntilUp(base + "/health", name: "quad n\(index + 1)")
        }
        token = try Self.devToken(binDirectory: binDirectory, dataDirectory: root + "/quad-n1")
    }

    /// Uses a running cluster instead of starting one: its nodes' API addresses and an
    /// administrator's token. Nothing is stopped at the end.
    func connect(endpoints: [String], token: String) async throws {
        apiBases = endpoints.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
        self.token = token
        for (index, base) in apiBases.enumerated() {
            try await http.waitUntilUp(base + "/health", seconds: 10, name: "node \(index + 1)")
        }
    }

    /// An administrator's development token, from `quadctl dev-token`.
    static func devToken(binDirectory: String, dataDirectory: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binDirectory + "/quadctl")
        process.arguments = ["dev-token", "--data-dir", dataDirectory, "--user", "bench", "--admin"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw BenchError("quadctl dev-token failed") }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The token's user (its `sub`), who posts and reads.
    var user: String {
        let parts = token.split(separator: ".")
        guard parts.count == 3 else { return "bench" }
        var payload = parts[1].replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while payload.count % 4 != 0 { payload += "=" }
        guard let data = Data(base64Encoded: payload),
              let claims = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let subject = claims["sub"] as? String else { return "bench" }
        return subject
    }

    /// A platform and `count` workspaces, each with a chatter channel the token's user is in.
    func prepare(workspaces count: Int) async throws {
        let base = apiBases[0] + "/v1"
        try await retry("create the platform") {
            let status = try await http.json(.POST, base + "/platforms", token: token,
                                             ["id": "bench", "name": "Bench"]).status
            return status == 201 || status == 409
        }
        for index in 0..<count {
            var created: [String: Any] = [:]
            try await retry("create workspace \(index)") {
                let answer = try await http.json(.POST, base + "/workspaces", token: token,
                                                 ["platform_id": "bench", "kind": "course", "name": "Bench \(index)",
                                                  "templates": ["chatter"]])
                created = answer.json
                return answer.status == 201
            }
            guard let workspace = (created["workspace"] as? [String: Any])?["id"] as? String,
                  let channel = (created["channels"] as? [[String: Any]])?.first?["id"] as? String else {
                throw BenchError("unexpected workspace answer: \(created)")
            }
            try await retry("join workspace \(index)") {
                let added = try await http.json(.POST, base + "/workspaces/\(workspace)/members", token: token,
                                                ["members": [["user_id": user, "role": "instructor"]]])
                let joined = try await http.json(.POST, base + "/workspaces/\(workspace)/channels/\(channel)/join",
                                                 token: token)
                return added.status == 200 && joined.status == 200
            }
            channels.append((workspace, channel))
        }
    }

    private func retry(_ what: String, _ body: () async throws -> Bool) async throws {
        for _ in 0..<100 {
            if (try? await body()) == true { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw BenchError("could not \(what)")
    }

    /// Sends each workspace's requests to the node leading its partition from now on (no
    /// forwarding), to measure what forwarding costs.
    func routeToLeaders() async throws {
        var bases: [String] = []
        for (workspace, _) in channels {
            let located = try await http.json(.GET, apiBases[0] + "/v1/admin/locate/\(workspace)", token: token)
            guard let leader = located.json["leader"] as? Int, (1...apiBases.count).contains(leader) else {
                throw BenchError("no leader for \(workspace): \(located.json)")
            }
            bases.append(apiBases[leader - 1])
        }
        leaderBases = bases
    }

    func messagesURL(client: Int, sequence: Int) -> String {
        let slot = (client + sequence) % channels.count
        let (workspace, channel) = channels[slot]
        let base = leaderBases?[slot] ?? apiBases[client % apiBases.count]
        return base + "/v1/workspaces/\(workspace)/channels/\(channel)/messages"
    }

    func post(client: Int, sequence: Int) async throws -> Bool {
        let body = #"{"text":"\#(payload)","client_msg_id":"c\#(client)-\#(sequence)"}"#
        let (status, _) = try await http.send(.POST, messagesURL(client: client, sequence: sequence), token: token,
                                              body: Array(body.utf8))
        return status == 201 || status == 200
    }

    /// A post into workspace `workspaceIndex`'s channel with a chosen client_msg_id, through n1.
    func post(workspaceIndex: Int, clientMessageID: String) async throws -> Bool {
        let (workspace, channel) = channels[workspaceIndex]
        let body = #"{"text":"\#(payload)","client_msg_id":"\#(clientMessageID)"}"#
        let (status, _) = try await http.send(.POST, apiBases[0] + "/v1/workspaces/\(workspace)/channels/\(channel)/messages",
                                              token: token, body: Array(body.utf8))
        return status == 201 || status == 200
    }

    /// One history page of 50 messages, the newest.
    func read(client: Int, sequence: Int) async throws -> Bool {
        let (status, _) = try await http.send(.GET, messagesURL(client: client, sequence: sequence) + "?limit=50",
                                              token: token)
        return status == 200
    }

    func fsyncs() async throws -> Double {
        var total = 0.0
        for base in apiBases { total += try await http.metrics(base + "/metrics")["quad_log_fsyncs_total"] ?? 0 }
        return total
    }

    func stop() { for node in nodes { node.stop() } }
}

/// Three etcd members (Debian's etcd-server, fsync on, as shipped), written through the
/// HTTP/JSON gateway with a put of the same payload: the same replicated, durable write.
final class EtcdCluster: BenchSystem, @unchecked Sendable {
    let name = "etcd"
    let http: HTTP
    let valueBase64: String
    private(set) var members: [ChildProcess] = []
    private(set) var clientBases: [String] = []

    init(http: HTTP, payloadBytes: Int) {
        self.http = http
        valueBase64 = Data(repeating: UInt8(ascii: "q"), count: payloadBytes).base64EncodedString()
    }

    func start(executable: String, root: String) async throws {
        let clientPorts = try Ports.free(3)
        let peerPorts = try Ports.free(3)
        let cluster = (1...3).map { "e\($0)=http://127.0.0.1:\(peerPorts[$0 - 1])" }.joined(separator: ",")
        for k in 1...3 {
            let client = "http://127.0.0.1:\(clientPorts[k - 1])"
            let peer = "http://127.0.0.1:\(peerPorts[k - 1])"
            members.append(try ChildProcess(
                name: "etcd e\(k)", executable: executable,
                arguments: ["--name", "e\(k)", "--data-dir", root + "/etcd-e\(k)",
                            "--listen-client-urls", client, "--advertise-client-urls", client,
                            "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
                            "--initial-cluster", cluster, "--initial-cluster-token", "quad-bench",
                            "--initial-cluster-state", "new", "--logger", "zap", "--log-level", "error"],
                log: root + "/etcd-e\(k).log"))
            clientBases.append(client)
        }
        for (index, base) in clientBases.enumerated() {
            try await http.waitUntilUp(base + "/health", name: "etcd e\(index + 1)")
        }
    }

    func post(client: Int, sequence: Int) async throws -> Bool {
        let key = Data("bench/c\(client)/\(sequence)".utf8).base64EncodedString()
        let body = #"{"key":"\#(key)","value":"\#(valueBase64)"}"#
        let (status, _) = try await http.send(.POST, clientBases[client % clientBases.count] + "/v3/kv/put",
                                              body: Array(body.utf8))
        return status == 200
    }

    /// WAL fsyncs plus backend (bbolt) commits, each of which fsyncs.
    func fsyncs() async throws -> Double {
        var total = 0.0
        for base in clientBases {
            let metrics = try await http.metrics(base + "/metrics")
            let wal: Double = metrics["etcd_disk_wal_fsync_duration_seconds_count"] ?? 0
            let backend: Double = metrics["etcd_disk_backend_commit_duration_seconds_count"] ?? 0
            total += wal + backend
        }
        return total
    }

    func stop() { for member in members { member.stop() } }
}

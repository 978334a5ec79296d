import ArgumentParser
import AsyncHTTPClient
import Foundation

/// `quad-bench`: starts a local 3-node Quad cluster (and, with --compare-etcd, a 3-member etcd
/// cluster) on loopback and drives it over the public HTTP API with closed-loop clients. The
/// two systems take turns in short rounds, so a noisy machine slows both alike.
@main
struct QuadBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quad-bench",
        abstract: "Measure Quad's replicated posts and history reads, side by side with etcd.")

    enum Workload: String, ExpressibleByArgument, CaseIterable {
        case post, read, mixed, fanout
    }

    @Option(help: "Workloads, comma-separated: post, read, mixed (90% reads), fanout (delivery to --subscribers WebSocket subscribers).")
    var workloads = "post"
    @Flag(help: "Also start a 3-member etcd and measure its put of the same payload, alternating rounds.")
    var compareEtcd = false
    @Option(help: "Seconds each system runs each workload, split across the rounds.")
    var duration = 10
    @Option(help: "Rounds per workload: the systems alternate this many times.")
    var rounds = 2
    @Option(help: "Concurrent closed-loop clients (spread over the three nodes); a comma-separated list runs the workloads once per count, a scaling curve (e.g. 1,10,100,1000).")
    var clients = "16"
    @Option(help: "Message payload in bytes.")
    var payload = 256
    @Option(help: "Workspaces (each with one channel) the posts spread over.")
    var workspaces = 8
    @Option(help: "Partitions of the Quad cluster.")
    var partitions = 16
    @Option(help: "Directory holding quad and quadctl (default: this tool's own directory, where `make bench-compare` builds them).")
    var quadBin: String?
    @Option(help: "Measure a running cluster instead of starting one: its nodes' API URLs, comma-separated (needs --token).")
    var connect: String?
    @Option(help: "An administrator's token for --connect (e.g. from `quadctl dev-token --admin`).")
    var token: String?
    @Option(help: "The etcd executable.")
    var etcd = "/usr/bin/etcd"
    @Option(help: "WebSocket subscribers of one workspace for the fanout workload (spread over the nodes).")
    var subscribers = 1000
    @Option(help: "Posts per second into that workspace during the fanout workload.")
    var fanoutRate = 10
    @Flag(help: "Send every Quad request to its partition's leader (no forwarding between nodes): shows what forwarding costs.")
    var viaLeader = false
    @Flag(help: "Print the results as JSON instead of a table.")
    var json = false
    @Flag(help: "No progress lines on standard error.")
    var quiet = false

    func validate() throws {
        guard let counts = clientCounts, !counts.isEmpty, counts.allSatisfy({ (1...4096).contains($0) }) else {
            throw ValidationError("clients: one or more counts from 1 to 4096, comma-separated")
        }
        guard duration >= 1, rounds >= 1, payload >= 1, payload <= 65_536,
              workspaces >= 1, workspaces <= 1024, subscribers >= 1, subscribers <= 20_000,
              fanoutRate >= 1, fanoutRate <= 10_000 else {
            throw ValidationError("duration, rounds, payload (1-65536), workspaces (1-1024), subscribers (1-20000) and fanout-rate (1-10000) must be positive")
        }
        _ = try parsedWorkloads()
        if connect != nil && token == nil { throw ValidationError("--connect needs --token (an administrator's token)") }
        if compareEtcd && !FileManager.default.isExecutableFile(atPath: etcd) {
            throw ValidationError("no etcd at \(etcd): install Debian's etcd-server (make bench-compare does)")
        }
    }

    var clientCounts: [Int]? {
        let counts = clients.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        return counts.contains(nil) ? nil : counts.compactMap { $0 }
    }

    func parsedWorkloads() throws -> [Workload] {
        try workloads.split(separator: ",").map { name in
            guard let workload = Workload(rawValue: String(name)) else {
                throw ValidationError("unknown workload '\(name)'; use post, read, mixed or fanout")
            }
            return workload
        }
    }

    func run() async throws {
        let binDirectory = quadBin ?? Self.defaultBinDirectory()
        guard connect != nil || FileManager.default.isExecutableFile(atPath: binDirectory + "/quad") else {
            throw ValidationError("no quad in \(binDirectory): build it (swift build -c release) or pass --quad-bin")
        }
        let root = NSTemporaryDirectory() + "quad-bench-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        var pool = HTTPClient.Configuration.ConnectionPool(idleTimeout: .seconds(60),
                                                           concurrentHTTP1ConnectionsPerHostSoftLimit: clientCounts?.max() ?? 16)
        pool.retryConnectionEstablishment = true
        let client = HTTPClient(eventLoopGroupProvider: .singleton,
                                configuration: HTTPClient.Configuration(connectionPool: pool))
        let http = HTTP(client: client)
        let quad = QuadCluster(http: http, payloadBytes: payload)
        let etcdCluster = EtcdCluster(http: http, payloadBytes: payload)
        do {
            if let connect, let token {
                progress("using the cluster at \(connect)")
                try await quad.connect(endpoints: connect.split(separator: ",").map(String.init), token: token)
            } else {
                progress("starting a 3-node quad cluster in \(root)")
                try await quad.start(binDirectory: binDirectory, root: root, partitions: partitions, logLevel: "warning")
            }
            try await quad.prepare(workspaces: workspaces)
            if viaLeader { try await quad.routeToLeaders() }
            if compareEtcd {
                progress("starting a 3-member etcd cluster")
                try await etcdCluster.start(executable: etcd, root: root)
            }
            var results: [Report.Row] = []
            let counts = clientCounts ?? [16]
            for count in counts {
                var rows = try await measure(quad: quad, etcd: compareEtcd ? etcdCluster : nil, clients: count)
                if counts.count > 1 { for index in rows.indices { rows[index].workload += " c=\(count)" } }
                results += rows
            }
            print(json ? try Report.json(results, settings: settings) : Report.table(results, settings: settings))
            if let ratio = Report.postRatio(results) {
                print(String(format: "quad/etcd post throughput ratio: %.2f", ratio))
            }
        } catch {
            quad.stop()
            etcdCluster.stop()
            try? await client.shutdown()
            throw error
        }
        quad.stop()
        etcdCluster.stop()
        try await client.shutdown()
        try? FileManager.default.removeItem(atPath: root)
    }

    var settings: [String: String] {
        ["clients": "\(clients)", "payload_bytes": "\(payload)", "workspaces": "\(workspaces)",
         "partitions": connect == nil ? "\(partitions)" : "the cluster's", "connected": connect ?? "no", "seconds_per_system": "\(duration)", "rounds": "\(rounds)",
         "cores": "\(ProcessInfo.processInfo.activeProcessorCount)", "via_leader": "\(viaLeader)",
         "subscribers": "\(subscribers)", "fanout_rate": "\(fanoutRate)"]
    }

    /// Every workload, each in `rounds` alternating turns of quad then etcd.
    func measure(quad: QuadCluster, etcd: EtcdCluster?, clients: Int) async throws -> [Report.Row] {
        let turn = Duration.milliseconds(duration * 1000 / rounds)
        progress("warming up")
        _ = try await LoadRunner.run(clients: clients, duration: .seconds(1), label: "warm-up", showProgress: false,
                                     fsyncs: { 0 }, operation: quad.post)
        var rows: [Report.Row] = []
        for workload in try parsedWorkloads() {
            if workload == .fanout {
                rows.append(try await measureFanOut(quad: quad))
                continue
            }
            var quadTotal = Measurement()
            var etcdTotal = Measurement()
            for round in 1...rounds {
                let operation: @Sendable (Int, Int) async throws -> Bool
                switch workload {
                case .post: operation = quad.post
                case .read: operation = quad.read
                case .mixed:
                    operation = { client, sequence in
                        sequence % 10 == 0 ? try await quad.post(client: client, sequence: sequence)
                            : try await quad.read(client: client, sequence: sequence)
                    }
                case .fanout: preconditionFailure("measured above")
                }
                quadTotal.add(try await LoadRunner.run(
                    clients: clients, duration: turn, label: "quad \(workload) round \(round)/\(rounds)",
                    showProgress: !quiet, fsyncs: quad.fsyncs, operation: operation))
                if let etcd, workload == .post {
                    etcdTotal.add(try await LoadRunner.run(
                        clients: clients, duration: turn, label: "etcd put round \(round)/\(rounds)",
                        showProgress: !quiet, fsyncs: etcd.fsyncs, operation: etcd.post))
                }
            }
            rows.append(Report.Row(workload: workload.rawValue, system: "quad", measurement: quadTotal))
            if etcd != nil, workload == .post {
                rows.append(Report.Row(workload: "post", system: "etcd", measurement: etcdTotal))
            }
        }
        return rows
    }

    func progress(_ line: String) {
        if !quiet { FileHandle.standardError.write(Data("quad-bench: \(line)\n".utf8)) }
    }

    /// The directory of this executable: `swift build --product quad` in this package puts quad
    /// and quadctl beside it.
    static func defaultBinDirectory() -> String {
        let executable = Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])
        return executable.resolvingSymlinksInPath().deletingLastPathComponent().path
    }
}

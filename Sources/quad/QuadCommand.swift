import API
import ArgumentParser
import Foundation
import Logging
import Metrics
import Node
import Prometheus
import QuadCore
import Raft
import ServiceLifecycle
import Storage
import Synchronization
import Transport

/// Raft traffic and forwarding over the HTTP/2 peer links.
struct PeerLinksMessenger: PeerMessenger {
    let links: PeerLinks

    func send(_ messages: [(PartitionID, Raft.Message)], to peer: NodeID) {
        links.send(messages, to: peer)
    }

    func forward(_ request: [UInt8], to peer: NodeID, timeout: Duration) async throws -> [UInt8] {
        try await links.forward(request, to: peer, deadline: .now + timeout)
    }

    var nativeWireVersion: UInt8 { WireVersion.native }

    func ping(_ peer: NodeID) { links.ping(peer) }

    func adoptWireVersion(_ clusterVersion: UInt8) { WireVersion.adopt(clusterVersion: clusterVersion) }

    func updatePeers(_ addresses: [NodeID: String]) {
        for (peer, address) in addresses where peer != links.nodeID {
            guard let parsed = PeerAddress(parsing: address) else { continue }
            try? links.addPeer(peer, at: parsed)
        }
    }

    func sendSnapshot(_ message: Raft.Message, group: PartitionID, to peer: NodeID, timeout: Duration,
                      rows: SnapshotRowCursor) async throws {
        try await links.sendSnapshot(message, group: group, to: peer, timeout: timeout) { try rows.nextChunk() }
    }
}

/// `quad`: runs one Quad node.
@main
struct QuadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quad",
        abstract: "Run a Quad node: the message store and API for learning communities.")

    @Option(name: .customLong("data-dir"), help: "Directory of the node's RocksDB (created if missing).")
    var dataDirectory = "./data"

    @Option(help: "Address to serve the API on.")
    var host = "127.0.0.1"

    @Option(help: "Port to serve the API on (0 picks a free one).")
    var port = 8080

    @Option(name: .customLong("node-id"), help: "This node's ID (1 or more).")
    var nodeID: UInt64 = 1

    @Option(help: "Partition count, fixed when the data directory is created.")
    var partitions: UInt32 = Placement.partitionCountDefault

    @Option(name: .customLong("members"),
            help: "Cluster members as ID=HOST:PEERPORT,... (this node included); omit to run a single node.")
    var membersList: String?

    @Option(name: .customLong("join"),
            help: "Join a running cluster through these members, ID=HOST:PEERPORT,... (instead of --members); add this node first with `quadctl node add`.")
    var joinList: String?

    @Option(name: .customLong("peer-host"), help: "Address to serve peer (Raft) traffic on, in a cluster.")
    var peerHost = "127.0.0.1"

    @Option(name: .customLong("peer-port"),
            help: "Port to serve peer (Raft) traffic on; default: this node's port in --members (differs only behind a proxy or NAT).")
    var peerPort: Int?

    @Option(name: .customLong("cluster-id"),
            help: "The cluster this node belongs to; kept in the data directory, checked by peers.")
    var clusterID = ClusterID.standard

    @Option(name: .customLong("peer-tls-cert"), help: "PEM certificate this node presents to peers (mutual TLS).")
    var peerTLSCertificate: String?

    @Option(name: .customLong("peer-tls-key"), help: "PEM private key of --peer-tls-cert.")
    var peerTLSKey: String?

    @Option(name: .customLong("peer-tls-ca"), help: "PEM certificate of the cluster CA that signs every node's certificate.")
    var peerTLSCA: String?

    @Option(name: .customLong("wire-version-native"),
            help: ArgumentHelp("Testing rolling upgrades only: behave as a build of this native wire version.",
                               visibility: .hidden))
    var wireVersionNative: UInt8?

    @Flag(name: .customLong("simulate-power-loss"),
          help: ArgumentHelp("Fault tests only: unsynced writes wait in memory, so SIGKILL loses them as a power cut would.",
                             visibility: .hidden))
    var simulatePowerLoss = false

    @Flag(name: .customLong("unsafe-no-fsync"),
          help: ArgumentHelp("Fault tests only, loses acknowledged writes on power loss: never sync the log.",
                             visibility: .hidden))
    var unsafeNoFsync = false

    @Option(name: .customLong("compact-after-entries"),
            help: "Applied log entries a partition holds before it compacts its log.")
    var compactAfterEntries = LogRetention.standard.compactAfterEntries

    @Option(name: .customLong("retained-entries"),
            help: "Log entries a partition keeps after compacting, for followers a little behind.")
    var retainedEntries = LogRetention.standard.retainedEntries

    @Flag(name: .customLong("dev-signin"),
          help: "Accept development tokens from `quadctl dev-token` (never in production).")
    var developmentSignin = false

    @Option(name: .customLong("dev-clock-offset"),
            help: "Tests and development only, needs --dev-signin: the API's clock runs this many seconds ahead (negative: behind).")
    var developmentClockOffsetSeconds: Int64 = 0

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel = "info"

    func validate() throws {
        guard nodeID >= 1 else { throw ValidationError("--node-id must be 1 or more.") }
        guard partitions >= 1, partitions <= Placement.partitionCountMax else {
            throw ValidationError("--partitions must be 1 to \(Placement.partitionCountMax).")
        }
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0 to 65535.") }
        guard developmentClockOffsetSeconds == 0 || developmentSignin else {
            throw ValidationError("--dev-clock-offset is for development and tests: it needs --dev-signin.")
        }
        guard abs(developmentClockOffsetSeconds) <= OffsetWallClock.offsetSecondsMax else {
            throw ValidationError("--dev-clock-offset is at most \(OffsetWallClock.offsetSecondsMax) seconds either way.")
        }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("unknown --log-level \(logLevel)") }
        guard ClusterID.isValid(clusterID) else {
            throw ValidationError("--cluster-id must be 1 to \(ClusterID.lengthMax) of A-Z a-z 0-9 . _ -")
        }
        let tlsFiles = [peerTLSCertificate, peerTLSKey, peerTLSCA].compactMap { $0 }
        guard tlsFiles.isEmpty || tlsFiles.count == 3 else {
            throw ValidationError("mutual TLS needs all of --peer-tls-cert, --peer-tls-key and --peer-tls-ca.")
        }
        guard retainedEntries >= 0, compactAfterEntries > retainedEntries else {
            throw ValidationError("--compact-after-entries must exceed --retained-entries (0 or more).")
        }
        let members = try parsedMembers()
        let join = try parsedMembers(joinList, flag: "--join")
        if !join.isEmpty {
            guard members.isEmpty else { throw ValidationError("--join and --members exclude each other.") }
            guard peerPort != nil else { throw ValidationError("--join needs --peer-port (where peers reach this node).") }
            guard join[NodeID(nodeID)] == nil else { throw ValidationError("--join lists other members, not this node.") }
        }
        if !members.isEmpty {
            guard members[NodeID(nodeID)] != nil else {
                throw ValidationError("--members must include this node's --node-id \(nodeID)")
            }
            guard members.count >= 2 else { throw ValidationError("a cluster needs at least two --members") }
        }
    }

    /// `1=127.0.0.1:9091,2=127.0.0.1:9092` -> members.
    func parsedMembers() throws -> [NodeID: PeerAddress] { try parsedMembers(membersList, flag: "--members") }

    /// `1=127.0.0.1:9091,2=127.0.0.1:9092` -> members, for `flag`.
    func parsedMembers(_ membersList: String?, flag: String) throws -> [NodeID: PeerAddress] {
        guard let membersList, !membersList.isEmpty else { return [:] }
        var members: [NodeID: PeerAddress] = [:]
        for item in membersList.split(separator: ",") {
            let parts = item.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, let id = UInt64(parts[0]), id >= 1,
                  let colon = parts[1].lastIndex(of: ":"), let port = Int(parts[1][parts[1].index(after: colon)...]),
                  (1...65535).contains(port)
            else { throw ValidationError("\(flag) entries look like 2=127.0.0.1:9092, not '\(item)'") }
            let host = String(parts[1][..<colon])
            guard members.updateValue(PeerAddress(host: host, port: port), forKey: NodeID(id)) == nil else {
                throw ValidationError("node \(id) appears twice in \(flag)")
            }
        }
        return members
    }

    /// How long a stopped node waits for its database to close before it exits anyway.
    static let closeTimeout: Duration = .seconds(10)

    func run() async throws {
        if let wireVersionNative { WireVersion.pretendNative(wireVersionNative) }
        var logger = Logger(label: "quad")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        logger[metadataKey: "node"] = "\(nodeID)"
        if unsafeNoFsync { logger.warning("--unsafe-no-fsync: acknowledged writes are not synced and a power cut loses them") }
        if simulatePowerLoss { logger.warning("--simulate-power-loss: unsynced writes wait in memory and a crash loses them") }
        try await serve(logger: logger)
        // Every service has stopped; the node's database closes when the last task holding it
        // lets go. Exiting before that would race RocksDB's static destructors (a crash at exit).
        if await Database.waitUntilAllClosed(timeout: Self.closeTimeout) {
            logger.info("stopped")
        } else {
            // Everything acknowledged is already synced to the WAL; ending without destructors is
            // as safe as a crash, which recovery handles, and cannot crash in them.
            logger.error("the database did not close within \(Self.closeTimeout); exiting without closing it")
            _exit(0)
        }
    }

    private func serve(logger: Logger) async throws {
        let refusal = PeerRefusal(peerCount: max(0, (try parsedMembers()).count - 1), logger: logger)
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        let members = try parsedMembers()
        var configuration = NodeConfiguration(dataDirectory: dataDirectory, nodeID: NodeID(nodeID),
                                              partitionCount: partitions)
        configuration.members = members.keys.sorted()
        configuration.memberAddresses = members.mapValues(\.description)
        configuration.joinPeers = try parsedMembers(joinList, flag: "--join").keys.sorted()
        configuration.clusterID = clusterID
        if port != 0 { configuration.apiAddress = "http://\(host):\(port)" }
        configuration.databaseOptions.simulatesPowerLoss = simulatePowerLoss
        configuration.databaseOptions.unsafeSkipsSync = unsafeNoFsync
        configuration.logRetention = LogRetention(compactAfterEntries: compactAfterEntries, retainedEntries: retainedEntries)
        let registry = PrometheusCollectorRegistry()
        let metricsFactory = PrometheusMetricsFactory(registry: registry)
        MetricsSystem.bootstrap(metricsFactory)
        configuration.metricsFactory = metricsFactory
        var peerServices: [ServiceGroupConfiguration.ServiceConfiguration] = []
        var links: PeerLinks?
        var peerTLS: PeerTLS?
        if let peerTLSCertificate, let peerTLSKey, let peerTLSCA {
            do {
                peerTLS = try PeerTLS(certificatePath: peerTLSCertificate, privateKeyPath: peerTLSKey,
                                      certificateAuthorityPath: peerTLSCA)
            } catch {
                throw StartupError(description: error.message)
            }
        }
        let join = try parsedMembers(joinList, flag: "--join")
        if !members.isEmpty || !join.isEmpty {
            var peers = members.isEmpty ? join : members
            peers[NodeID(nodeID)] = nil
            var linkConfiguration = PeerLinks.Configuration()
            linkConfiguration.clusterID = clusterID
            linkConfiguration.tls = peerTLS
            linkConfiguration.onRefused = { peer, reason in refusal.refuse(peer: peer, reason: reason) }
            links = try PeerLinks(nodeID: NodeID(nodeID), peers: peers, configuration: linkConfiguration,
                                  logger: logger)
        }
        let node: CommunityNode
        do {
            node = try CommunityNode.open(configuration, logger: logger,
                                          messenger: links.map { PeerLinksMessenger(links: $0) })
        } catch let error as NodeError where error.code == .misconfigured {
            throw StartupError(description: error.message)
        } catch {
            throw StartupError(description: "cannot open the data directory \(dataDirectory): \(error)")
        }
        if let links, let ownPort = peerPort ?? members[NodeID(nodeID)]?.port {
            let server = PeerServer(
                host: peerHost, port: ownPort, clusterID: clusterID, logger: logger,
                sink: { sender, messages in await node.receive(messages, from: sender) },
                forwardHandler: { _, request in await node.handleForward(request) },
                snapshotHandler: { _, group, message, chunks in
                    try await node.receiveSnapshot(message, group: group) { try await chunks.next() }
                },
                tls: peerTLS)
            peerServices = [.init(service: links), .init(service: server)]
        }
        let serverLogger = logger
        let app = try await QuadAPI.makeApplication(
            node: node,
            configuration: APIConfiguration(host: host, port: port, developmentSignin: developmentSignin,
                                            metricsExposition: { registry.emitToString() }),
            logger: logger,
            clock: developmentClockOffsetSeconds == 0
                ? SystemWallClock() : OffsetWallClock(offsetSeconds: developmentClockOffsetSeconds),
            onServerRunning: { port in
                serverLogger.notice("serving the API", metadata: ["address": "http://\(host):\(port)"])
            })
        // A group shuts its services down in reverse order: the API first, then the peer server and
        // links, and the node last, so nothing calls into the node's replica loop after it ended.
        let group = ServiceGroup(
            configuration: .init(
                services: [.init(service: node)] + peerServices + [
                    .init(service: app, successTerminationBehavior: .gracefullyShutdownGroup,
                          failureTerminationBehavior: .gracefullyShutdownGroup),
                ],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        refusal.onRefusal { Task { await group.triggerGracefulShutdown() } }
        try await group.run()
        if let reason = refusal.reason {
            throw StartupError(description: "stopped: most peers refused this node: \(reason)")
        }
    }
}

/// Stops the node once most of its peers refuse it (they belong to another cluster): then this
/// node is the misconfigured one and must not keep running as if it were a member. A refusal by
/// fewer peers means those peers are the strangers (say, a node of another cluster started on a
/// member's address); this node logs it and carries on.
final class PeerRefusal: Sendable {
    private struct State {
        var refusing: [NodeID: String] = [:]
        var reason: String?
        var stop: (@Sendable () -> Void)?
    }

    private let state = Mutex(State())
    private let peerCount: Int
    private let logger: Logger

    init(peerCount: Int, logger: Logger) {
        self.peerCount = peerCount
        self.logger = logger
    }

    /// Why the node stopped, when most peers refused it.
    var reason: String? { state.withLock { $0.reason } }

    /// What to do once most peers refused (set when the service group exists).
    func onRefusal(_ stop: @escaping @Sendable () -> Void) {
        let refusedAlready = state.withLock { state in
            state.stop = stop
            return state.reason != nil
        }
        if refusedAlready { stop() }
    }

    func refuse(peer: NodeID, reason: String) {
        let (decided, stop): (String?, (@Sendable () -> Void)?) = state.withLock { state in
            guard state.reason == nil, state.refusing.updateValue(reason, forKey: peer) == nil else { return (nil, nil) }
            guard state.refusing.count * 2 > peerCount else { return (nil, nil) }
            state.reason = state.refusing.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }
                .joined(separator: "; ")
            return (state.reason, state.stop)
        }
        guard let decided else { return }
        logger.critical("most peers refused this node; stopping", metadata: ["reasons": "\(decided)"])
        stop?()
    }
}

/// Why the node could not start or keep running: printed as `Error: ...`, exit status 1.
struct StartupError: Error, CustomStringConvertible {
    let description: String
}


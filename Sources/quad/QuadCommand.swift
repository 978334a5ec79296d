import API
import ArgumentParser
import Foundation
import Logging
import Node
import QuadCore
import ServiceLifecycle

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

    @Flag(name: .customLong("dev-signin"),
          help: "Accept development tokens from `quadctl dev-token` (never in production).")
    var developmentSignin = false

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel = "info"

    func validate() throws {
        guard nodeID >= 1 else { throw ValidationError("--node-id must be 1 or more.") }
        guard partitions >= 1, partitions <= Placement.partitionCountMax else {
            throw ValidationError("--partitions must be 1 to \(Placement.partitionCountMax).")
        }
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0 to 65535.") }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("unknown --log-level \(logLevel)") }
    }

    func run() async throws {
        var logger = Logger(label: "quad")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        logger[metadataKey: "node"] = "\(nodeID)"
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        let node: CommunityNode
        do {
            node = try CommunityNode.open(
                NodeConfiguration(dataDirectory: dataDirectory, nodeID: NodeID(nodeID), partitionCount: partitions),
                logger: logger)
        } catch {
            throw ValidationError("cannot open the data directory \(dataDirectory): \(error)")
        }
        let serverLogger = logger
        let app = try await QuadAPI.makeApplication(
            node: node,
            configuration: APIConfiguration(host: host, port: port, developmentSignin: developmentSignin),
            logger: logger,
            onServerRunning: { port in
                serverLogger.notice("serving the API", metadata: ["address": "http://\(host):\(port)"])
            })
        let group = ServiceGroup(
            configuration: .init(
                services: [
                    .init(service: node),
                    .init(service: app, successTerminationBehavior: .gracefullyShutdownGroup,
                          failureTerminationBehavior: .gracefullyShutdownGroup),
                ],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        try await group.run()
    }
}

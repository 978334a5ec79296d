import ArgumentParser
import Foundation
import QuadCore

/// `quadctl node add|drain|remove|list`: change the cluster's members.
struct NodeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "node", abstract: "Add, drain, remove and list the cluster's nodes.",
        subcommands: [Add.self, Drain.self, Remove.self, List.self])

    /// The member table (`-o json`: `partition_count`, `nodes[]` with `id`, `peer_address`,
    /// `api_address` (null until the node registered it), `state` (`active` or `draining`)).
    struct Members: Codable {
        struct Member: Codable {
            var id: UInt64
            var peerAddress: String
            var apiAddress: String?
            var state: String
        }
        var partitionCount: UInt32
        var nodes: [Member]

        func show(_ output: OutputFormat) throws {
            switch output {
            case .json: try ScriptJSON.print(self)
            case .table:
                var table = Table("ID", "PEER ADDRESS", "API ADDRESS", "STATE")
                for node in nodes { table.add("\(node.id)", node.peerAddress, node.apiAddress ?? "-", node.state) }
                print(table.rendered)
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show the member table.")
        @OptionGroup var options: AdminOptions

        func run() async throws {
            try await AdminClient.call(Members.self, "/v1/admin/nodes", options: options).show(options.output)
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a node to the cluster; start it with --join to have it take its share of replicas.",
            discussion: """
                Placement then moves about 1/N of the replicas to it, each as a learner that catches \
                up (from the log or a snapshot) before it becomes a voter and an old replica goes.
                """)
        @OptionGroup var options: AdminOptions
        @Argument(help: "The new node's ID (unused so far in this cluster).") var node: UInt64
        @Argument(help: "Where peers reach it: HOST:PEERPORT.") var peerAddress: String

        func validate() throws {
            guard node >= 1 else { throw ValidationError("NODE must be 1 or more") }
        }

        func run() async throws {
            let body = try JSONSerialization.data(withJSONObject: ["id": node, "peer_address": peerAddress])
            try await AdminClient.call(Members.self, "/v1/admin/nodes", options: options, posting: body).show(options.output)
        }
    }

    struct Drain: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Move every replica (and leadership) off a node; it stays a member until removed.")
        @OptionGroup var options: AdminOptions
        @Argument(help: "The node to drain.") var node: UInt64

        func run() async throws {
            try await AdminClient.call(Members.self, "/v1/admin/nodes/\(node)/drain", options: options,
                                       posting: Data("{}".utf8)).show(options.output)
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Drain a node, wait until its replicas were re-created elsewhere, then remove it.",
            discussion: "Exit status 0 once removed; 1 when it could not be (the reason is printed).")
        @OptionGroup var options: AdminOptions
        @Argument(help: "The node to remove.") var node: UInt64
        @Option(help: "Seconds to wait for its replicas to move.") var timeout = 600

        func run() async throws {
            _ = try await AdminClient.call(Members.self, "/v1/admin/nodes/\(node)/drain", options: options,
                                           posting: Data("{}".utf8))
            let deadline = ContinuousClock.now + .seconds(timeout)
            var held = -1
            while true {
                let report = try await AdminClient.call(ClusterReport.self, "/v1/admin/cluster", options: options)
                let member = report.nodes.first { $0.id == node }
                let holding = member?.status?.partitions.count ?? 0
                if member == nil || member?.state == "down" || holding == 0 { break }
                if holding != held, options.output == .table { print("node \(node) still holds \(holding) replicas") }
                held = holding
                guard ContinuousClock.now < deadline else {
                    throw AdminError(description: "node \(node) still holds \(holding) replicas after \(timeout) s")
                }
                try await Task.sleep(for: .seconds(1))
            }
            try await AdminClient.call(Members.self, "/v1/admin/nodes/\(node)/remove", options: options,
                                       posting: Data("{}".utf8)).show(options.output)
        }
    }
}

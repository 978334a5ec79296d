import ArgumentParser
import Foundation
import QuadCore

/// `quadctl status`: one row per node and a summary; exits 0 healthy, 3 degraded, 4 unavailable.
struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show every node of the cluster and whether every partition has a leader.",
        discussion: """
            Exit status: 0 healthy; 3 degraded (a node down, a partition under-replicated or a \
            replica lagging); 4 unavailable (a partition without a leader); 1 the node could not be asked.
            """)

    @OptionGroup var options: AdminOptions

    /// `quadctl status -o json`: a stable interface; fields may be added, never renamed or removed.
    struct Answer: Encodable {
        struct Node: Encodable {
            var id: UInt64
            var state: String
            var address: String?
            var leaders: Int
            var replicas: Int
            var lagging: Int
            var databaseBytes: UInt64?
            var version: String?
            /// Milliseconds since the asked node last heard from this one (null: the asked node itself).
            var lastHeartbeatMs: UInt64?
        }
        var health: ClusterHealth
        var partitionCount: UInt32
        var partitionsWithLeader: Int
        var partitionsWithoutLeader: [UInt32]
        var partitionsUnderReplicated: [UInt32]
        var nodes: [Node]
    }

    func run() async throws {
        let report = try await AdminClient.call(ClusterReport.self, "/v1/admin/cluster", options: options)
        let answer = Self.answer(report)
        switch options.output {
        case .json: try ScriptJSON.print(answer)
        case .table:
            var table = Table("ID", "ADDRESS", "STATE", "LEADERS", "REPLICAS", "LAGGING", "DB SIZE", "LAST HEARTBEAT",
                              "VERSION")
            for node in answer.nodes {
                let up = node.state != "down"
                table.add("\(node.id)", node.address ?? "-", node.state, up ? "\(node.leaders)" : "-",
                          up ? "\(node.replicas)" : "-", up ? "\(node.lagging)" : "-",
                          node.databaseBytes.map(byteCount) ?? "-", node.lastHeartbeatMs.map(heardAgo) ?? "-",
                          node.version ?? "-")
            }
            print(table.rendered)
            print("""
                partitions with a leader: \(answer.partitionsWithLeader)/\(answer.partitionCount), \
                under-replicated: \(answer.partitionsUnderReplicated.count), \
                unavailable: \(answer.partitionsWithoutLeader.count) -> \(answer.health.rawValue)
                """)
        }
        if answer.health != .healthy { throw ExitCode(answer.health.exitCode) }
    }

    static func answer(_ report: ClusterReport) -> Answer {
        let lagging = report.laggingReplicas()
        return Answer(health: report.health, partitionCount: report.partitionCount,
               partitionsWithLeader: Int(report.partitionCount) - report.partitionsWithoutLeader.count,
               partitionsWithoutLeader: report.partitionsWithoutLeader,
               partitionsUnderReplicated: report.partitionsUnderReplicated,
               nodes: report.nodes.map { member in
                   Answer.Node(id: member.id, state: member.state, address: member.status?.address,
                               leaders: member.status?.leaders ?? 0, replicas: member.status?.partitions.count ?? 0,
                               lagging: lagging[member.id] ?? 0,
                               databaseBytes: member.status?.databaseBytes, version: member.status?.version,
                               lastHeartbeatMs: member.lastHeardMilliseconds)
               })
    }
}

/// `quadctl partitions`: every partition merged across the nodes that answered.
struct Partitions: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show every partition: its leader, term, commit and applied index, replicas and lag.")

    @OptionGroup var options: AdminOptions

    /// `quadctl partitions -o json`: a stable interface.
    struct Answer: Encodable {
        var partitions: [PartitionSummary]
    }

    func run() async throws {
        let report = try await AdminClient.call(ClusterReport.self, "/v1/admin/cluster", options: options)
        let partitions = report.partitionSummaries()
        switch options.output {
        case .json: try ScriptJSON.print(Answer(partitions: partitions))
        case .table:
            var table = Table("PARTITION", "LEADER", "TERM", "COMMIT", "APPLIED", "REPLICAS", "LEARNERS", "MAX LAG",
                              "WORKSPACES")
            for partition in partitions {
                table.add("\(partition.partition)", partition.leader == 0 ? "-" : "\(partition.leader)",
                          "\(partition.term)", "\(partition.commit)", "\(partition.applied)",
                          nodeList(partition.replicas), nodeList(partition.learners), "\(partition.maxLag)",
                          partition.workspaces.map { $0 >= PartitionStatus.workspaceCountMax ? "\($0)+" : "\($0)" } ?? "-")
            }
            print(table.rendered)
        }
    }
}

/// `quadctl locate WORKSPACE`: the partition holding a workspace, its leader and replicas.
struct Locate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show which partition holds a workspace, and that partition's leader and replicas.")

    @OptionGroup var options: AdminOptions

    @Argument(help: "The workspace ID.")
    var workspace: String

    func validate() throws {
        guard WorkspaceID(rawValue: workspace) != nil else {
            throw ValidationError("WORKSPACE must be 1 to \(IdentifierRules.lengthMax) of A-Z a-z 0-9 . _ @ : + -")
        }
    }

    func run() async throws {
        let location = try await AdminClient.call(WorkspaceLocation.self, "/v1/admin/locate/\(workspace)",
                                                  options: options)
        switch options.output {
        case .json: try ScriptJSON.print(location)
        case .table:
            var table = Table("WORKSPACE", "PARTITION", "LEADER", "REPLICAS")
            table.add(location.workspace, "\(location.partition)", location.leader == 0 ? "-" : "\(location.leader)",
                      nodeList(location.replicas))
            print(table.rendered)
        }
    }
}

/// `quadctl leader transfer PARTITION NODE`.
struct Leader: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Move partition leadership.", subcommands: [Transfer.self])

    /// Hands a partition's leadership to one of its voters and waits until it leads.
    struct Transfer: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Hand a partition's leadership to one of its voters; waits until that node leads.")

        @OptionGroup var options: AdminOptions

        @Argument(help: "The partition number.")
        var partition: UInt32

        @Argument(help: "The node to lead it (a voter of the partition).")
        var node: UInt64

        /// `quadctl leader transfer -o json`.
        struct Answer: Codable {
            var partition: UInt32
            var leader: UInt64
        }

        func validate() throws {
            guard node >= 1 else { throw ValidationError("NODE must be 1 or more") }
        }

        func run() async throws {
            let body = try JSONEncoder().encode(["node": node])
            let answer = try await AdminClient.call(Answer.self, "/v1/admin/partitions/\(partition)/leader",
                                                    options: options, posting: body)
            switch options.output {
            case .json: try ScriptJSON.print(answer)
            case .table: print("partition \(answer.partition) is led by node \(answer.leader)")
            }
        }
    }
}


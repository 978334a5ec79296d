import Community
import Foundation
import Logging
import Node
import QuadCore
import Storage
import Testing

/// The node shell on real RocksDB: group commit, recovery by replay, partition placement.
@Suite struct CommunityNodeTests {
    static let admin = Actor(userID: UserID(uncheckedRawValue: "admin"), displayName: "Admin", isAdmin: true)
    static let learner = Actor(userID: UserID(uncheckedRawValue: "lea"), displayName: "Lea", isAdmin: false)

    /// A fresh data directory, removed afterwards.
    static func withNode<T>(partitions: UInt32 = 8, _ body: (CommunityNode, String) async throws -> T) async throws -> T {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("quad-node-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let node = try CommunityNode.open(NodeConfiguration(dataDirectory: directory, partitionCount: partitions),
                                          logger: Logger(label: "test"))
        let loop = Task { try await node.run() }
        defer { node.stop() }
        let result = try await body(node, directory)
        node.stop()
        try await loop.value
        return result
    }

    static func makeChannel(_ node: CommunityNode, workspace: WorkspaceID) async throws -> ChannelID {
        let channel = ChannelID(uncheckedRawValue: "ch_general")
        _ = try await node.submit(.createPlatform(platform: PlatformID(uncheckedRawValue: "lms"), name: "LMS"),
                                  actor: admin, timestampMilliseconds: 1).get()
        _ = try await node.submit(.createWorkspace(workspace: workspace, platform: PlatformID(uncheckedRawValue: "lms"),
                                                   kind: .course, name: "Course", externalID: nil, templates: [.chatter],
                                                   templateChannelIDs: [channel]),
                                  actor: admin, timestampMilliseconds: 2).get()
        _ = try await node.submit(.putMembers(workspace: workspace, members: [MemberSpec(userID: learner.userID, role: .learner)]),
                                  actor: admin, timestampMilliseconds: 3).get()
        _ = try await node.submit(.joinChannel(workspace: workspace, channel: channel), actor: learner,
                                  timestampMilliseconds: 4).get()
        return channel
    }

    /// Proves concurrent writes share fsyncs: 400 posts submitted at once need far fewer than 400 syncs,
    /// and their sequences are exactly 1...400.
    @Test func concurrentPostsShareFsyncs() async throws {
        try await Self.withNode { node, _ in
            let workspace = WorkspaceID(uncheckedRawValue: "ws_group_commit")
            let channel = try await Self.makeChannel(node, workspace: workspace)
            let before = node.statistics
            let sequences = try await withThrowingTaskGroup(of: UInt64.self) { group in
                for index in 0..<400 {
                    group.addTask {
                        let outcome = try await node.submit(
                            .postMessage(workspace: workspace, channel: channel, text: "m\(index)", threadRoot: nil,
                                         clientMessageID: nil),
                            actor: Self.learner, timestampMilliseconds: 10).get()
                        guard case .message(let message, _) = outcome else { return 0 }
                        return message.sequence.rawValue
                    }
                }
                var all: [UInt64] = []
                for try await sequence in group { all.append(sequence) }
                return all
            }
            #expect(sequences.sorted() == Array(1...400))
            let after = node.statistics
            let fsyncs = after.fsyncs - before.fsyncs
            #expect(after.commandsApplied - before.commandsApplied == 400)
            #expect(fsyncs < 200, "400 concurrent writes took \(fsyncs) fsyncs")
            print("group-commit: 400 concurrent writes, \(fsyncs) fsyncs, largest batch \(after.largestBatch)")
            #expect(after.largestBatch > 1)
        }
    }

    /// Proves recovery re-applies logged commands past the applied index: entries appended to the log
    /// (as if the node died between fsync and apply) are applied when the node opens again.
    @Test func recoveryReappliesLoggedCommands() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("quad-node-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let workspace = WorkspaceID(uncheckedRawValue: "ws_recovery")
        let configuration = NodeConfiguration(dataDirectory: directory, partitionCount: 4)
        var channel = ChannelID(uncheckedRawValue: "x")
        do {
            let node = try CommunityNode.open(configuration, logger: Logger(label: "test"))
            let loop = Task { try await node.run() }
            channel = try await Self.makeChannel(node, workspace: workspace)
            node.stop()
            try await loop.value
        }
        // Append three posts to the log without applying them.
        let partition = Placement(partitionCount: 4).partition(of: workspace)
        do {
            let database = try Database(path: directory)
            let log = RaftLogStore(database: database)
            let last = try log.lastIndex(group: partition)
            let batch = database.makeWriteBatch()
            let entries = (1...3).map { offset in
                StoredEntry(index: LogIndex(last.rawValue + UInt64(offset)), term: Term(1),
                            payload: Command(actor: Self.learner, timestampMilliseconds: 20,
                                             body: .postMessage(workspace: workspace, channel: channel,
                                                                text: "logged \(offset)", threadRoot: nil,
                                                                clientMessageID: nil)).encoded())
            }
            log.appendEntries(entries, group: partition, into: batch)
            try database.write(batch, sync: true)
        }
        let reopened = try CommunityNode.open(configuration, logger: Logger(label: "test"))
        let page = try reopened.queries(for: workspace, actor: Self.learner)
            .history(workspace, channel, .after(.zero), limit: 10)
        #expect(page.items.map(\.text) == ["logged 1", "logged 2", "logged 3"])
        #expect(page.items.map(\.sequence.rawValue) == [1, 2, 3])
    }

    /// Proves the partition count is fixed when the directory is created and ignored afterwards.
    @Test func partitionCountIsFixedAtCreation() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("quad-node-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        do {
            let node = try CommunityNode.open(NodeConfiguration(dataDirectory: directory, partitionCount: 16),
                                              logger: Logger(label: "test"))
            #expect(node.placement.partitionCount == 16)
        }
        let again = try CommunityNode.open(NodeConfiguration(dataDirectory: directory, partitionCount: 64),
                                           logger: Logger(label: "test"))
        #expect(again.placement.partitionCount == 16)
    }

    /// Proves a write after `stop()` is refused with a retryable error rather than lost or hung.
    @Test func writesAfterStopAreRefused() async throws {
        try await Self.withNode { node, _ in
            node.stop()
            await #expect(throws: NodeError.self) {
                _ = try await node.submit(.createPlatform(platform: PlatformID(uncheckedRawValue: "p"), name: "P"),
                                          actor: Self.admin, timestampMilliseconds: 1)
            }
        }
    }
}

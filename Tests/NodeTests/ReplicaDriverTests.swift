import Community
import Foundation
import NIOPosix
import Node
import QuadCore
import Raft
import Storage
import Synchronization
import Testing

/// Three drivers on their own RocksDB and event loops, linked by an in-process messenger:
/// forwarding, failover and catch-up of the cluster runtime without sockets.
@Suite(.serialized) struct ReplicaDriverTests {
    static let members = [NodeID(1), NodeID(2), NodeID(3)]
    static let placement = Placement(partitionCount: 4)
    static let admin = Actor(userID: UserID(uncheckedRawValue: "admin"), displayName: "Admin", isAdmin: true)

    /// Delivers between drivers in this process; a node in `down` neither sends nor receives.
    final class LoopbackMessenger: PeerMessenger {
        let drivers = Mutex<[NodeID: ReplicaDriver]>([:])
        let down = Mutex<Set<NodeID>>([])
        let owner: NodeID
        let shared: LoopbackNetwork

        init(owner: NodeID, network: LoopbackNetwork) {
            self.owner = owner
            self.shared = network
        }

        func send(_ messages: [(PartitionID, Raft.Message)], to peer: NodeID) {
            guard let target = shared.reachable(from: owner, to: peer) else { return }
            let delivered = shared.dropping(messages)
            Task { await target.receive(delivered) }
        }

        func forward(_ request: [UInt8], to peer: NodeID, timeout: Duration) async throws -> [UInt8] {
            guard let target = shared.reachable(from: owner, to: peer) else {
                throw NodeError(.unavailable, "peer \(peer) unreachable")
            }
            return await target.handleForward(request)
        }

        func updatePeers(_ addresses: [NodeID: String]) {}  // every driver of the network is reachable by ID
        var nativeWireVersion: UInt8 { 1 }
        func ping(_ peer: NodeID) { shared.reachable(from: owner, to: peer)?.noteHeard(from: owner) }
        func adoptWireVersion(_ clusterVersion: UInt8) {}

        func sendSnapshot(_ message: Raft.Message, group: PartitionID, to peer: NodeID, timeout: Duration,
                          rows: SnapshotRowCursor) async throws {
            guard let target = shared.reachable(from: owner, to: peer) else {
                throw NodeError(.unavailable, "peer \(peer) unreachable")
            }
            shared.snapshotsStreamed.withLock { $0 += 1 }
            try await target.receiveSnapshot(message, group: group) { try rows.nextChunk() }
        }
    }

    final class LoopbackNetwork: Sendable {
        let drivers = Mutex<[NodeID: ReplicaDriver]>([:])
        let down = Mutex<Set<NodeID>>([])
        /// Snapshot streams started between nodes.
        let snapshotsStreamed = Mutex(0)
        /// How many more ReadIndex requests to lose on the way.
        let readIndexRequestsToDrop = Mutex(0)

        /// `messages` less the ReadIndex requests still to be dropped.
        func dropping(_ messages: [(PartitionID, Raft.Message)]) -> [(PartitionID, Raft.Message)] {
            readIndexRequestsToDrop.withLock { toDrop in
                messages.filter { _, message in
                    guard message.kind == .readIndex, toDrop > 0 else { return true }
                    toDrop -= 1
                    return false
                }
            }
        }

        func reachable(from: NodeID, to: NodeID) -> ReplicaDriver? {
            let isDown = down.withLock { $0.contains(from) || $0.contains(to) }
            return isDown ? nil : drivers.withLock { $0[to] }
        }
    }

    /// A running three-node cluster; `directories[i]` survive restarts of node i.
    final class Cluster: Sendable {
        let network = LoopbackNetwork()
        let directories: [String]
        let loops = MultiThreadedEventLoopGroup(numberOfThreads: 3)
        let runs = Mutex<[NodeID: Task<Void, Never>]>([:])
        let retention: LogRetention

        init(retention: LogRetention = .standard) async throws {
            self.retention = retention
            directories = members.map { _ in
                FileManager.default.temporaryDirectory.appendingPathComponent("quad-driver-\(UUID())").path
            }
            for id in members { try await start(id) }
        }

        func start(_ id: NodeID) async throws {
            let directory = directories[members.firstIndex(of: id) ?? 0]
            let host = ReplicaHost(nodeID: id, database: try Database(path: directory), retention: retention)
            for raw in 0..<placement.partitionCount {
                try host.openGroup(PartitionID(raw), members: members, randomSeed: id.rawValue &* 31 &+ UInt64(raw))
            }
            let driver = ReplicaDriver(host: host, placement: placement,
                                       founders: members.map { MemberRecord(id: $0, peerAddress: "loopback") },
                                       messenger: LoopbackMessenger(owner: id, network: network), events: EventHub(),
                                       eventLoop: loops.next(), balancesLeaders: false)
            network.drivers.withLock { $0[id] = driver }
            network.down.withLock { _ = $0.remove(id) }
            runs.withLock { $0[id] = Task { await driver.run() } }
        }

        /// Cuts a node off and stops its loop, as a crash would (nothing is flushed on purpose).
        func crash(_ id: NodeID) async {
            network.down.withLock { _ = $0.insert(id) }
            let driver = network.drivers.withLock { $0.removeValue(forKey: id) }
            await driver?.stop()
            await runs.withLock { $0.removeValue(forKey: id) }?.value
        }

        func driver(_ id: NodeID) -> ReplicaDriver? { network.drivers.withLock { $0[id] } }

        /// Deletes a (crashed) node's data directory: the node starts again with nothing.
        func wipe(_ id: NodeID) async throws {
            // The crashed node's database closes once its last reference (the driver's task) is gone;
            // until then RocksDB's lock refuses a second open.
            let directory = directories[members.firstIndex(of: id) ?? 0]
            let end = ContinuousClock.now + .seconds(10)
            while (try? Database(path: directory)) == nil {
                try #require(ContinuousClock.now < end, "the crashed node's database is still open")
                try await Task.sleep(for: .milliseconds(10))
            }
            try FileManager.default.removeItem(atPath: directory)
        }

        func shutdown() async {
            for id in members { await crash(id) }
            try? await loops.shutdownGracefully()
            for directory in directories { try? FileManager.default.removeItem(atPath: directory) }
        }
    }

    /// Submits with retries (as a client with a client_msg_id would), up to `deadline`.
    static func submit(_ cluster: Cluster, via node: NodeID, _ body: CommandBody,
                       deadline: Duration = .seconds(30)) async throws -> Outcome {
        let end = ContinuousClock.now + deadline
        while true {
            do {
                let driver = try #require(cluster.driver(node))
                return try await driver.submit(Command(actor: admin, timestampMilliseconds: 1, body: body)).get()
            } catch let error as NodeError where ContinuousClock.now < end {
                _ = error
                try await Task.sleep(for: .milliseconds(20))  // back off before retrying, as a client would
            }
        }
    }

    /// Retries `body` while it throws a retryable `NodeError` (no leader yet), up to 30 s: the whole suite
    /// runs in parallel on two cores, so elections can take seconds.
    static func retrying(_ body: () async throws -> Void) async throws {
        let end = ContinuousClock.now + .seconds(30)
        while true {
            do { return try await body() } catch let error as NodeError where ContinuousClock.now < end {
                _ = error
                try await Task.sleep(for: .milliseconds(20))
            }
        }
    }

    static func post(_ text: String, _ workspace: WorkspaceID, _ channel: ChannelID) -> CommandBody {
        .postMessage(workspace: workspace, channel: channel, text: text, threadRoot: nil, clientMessageID: text)
    }

    static func setUp(_ cluster: Cluster, via node: NodeID) async throws -> (WorkspaceID, ChannelID) {
        let workspace = WorkspaceID(uncheckedRawValue: "ws_driver")
        let channel = ChannelID(uncheckedRawValue: "ch_driver")
        let platform = PlatformID(uncheckedRawValue: "lms")
        _ = try await submit(cluster, via: node, .createPlatform(platform: platform, name: "LMS"))
        _ = try await submit(cluster, via: node, .createWorkspace(workspace: workspace, platform: platform, kind: .course,
                                                                  name: "W", externalID: nil, templates: [.chatter],
                                                                  templateChannelIDs: [channel]))
        _ = try await submit(cluster, via: node, .putMembers(workspace: workspace,
                                                             members: [MemberSpec(userID: admin.userID, role: .instructor)]))
        _ = try await submit(cluster, via: node, .joinChannel(workspace: workspace, channel: channel))
        return (workspace, channel)
    }

    /// Proves writes submitted on every node (forwarded to the leader when needed) are applied
    /// once each, with gapless sequences.
    @Test func writesThroughAnyNode() async throws {
        let cluster = try await Cluster()
        let (workspace, channel) = try await Self.setUp(cluster, via: NodeID(1))
        var sequences: [UInt64] = []
        for index in 0..<30 {
            let node = Self.members[index % 3]
            guard case .message(let message, _) = try await Self.submit(cluster, via: node, Self.post("p\(index)", workspace, channel))
            else { Issue.record("not a message"); continue }
            sequences.append(message.sequence.rawValue)
        }
        #expect(sequences == Array(1...30))
        // Every node, after its read barrier, reads all 30 at once (no polling: linearizable).
        let partition = Self.placement.partition(of: workspace)
        for node in Self.members {
            try await Self.retrying { try await #require(cluster.driver(node)).linearizableBarrier(for: partition) }
            let texts = try await Self.history(cluster, node, workspace, channel)
            #expect(texts == (0..<30).map { "p\($0)" }, "node \(node) after its barrier")
        }
        await cluster.shutdown()
    }

    /// Proves a follower's read barrier survives lost ReadIndex requests: the driver asks again
    /// (`readRetryInterval`) instead of waiting for its 5 s deadline and answering 503.
    @Test func aLostReadIndexRequestIsAskedAgain() async throws {
        let cluster = try await Cluster()
        let (workspace, _) = try await Self.setUp(cluster, via: NodeID(1))
        let partition = Self.placement.partition(of: workspace)
        let leader = try #require(await cluster.driver(NodeID(1))?.leader(of: partition))
        let follower = try #require(Self.members.first { $0 != leader })
        cluster.network.readIndexRequestsToDrop.withLock { $0 = 3 }
        try await #require(cluster.driver(follower)).linearizableBarrier(for: partition)
        #expect(cluster.network.readIndexRequestsToDrop.withLock { $0 } == 0, "three requests were lost on the way")
        await cluster.shutdown()
    }

    /// Proves that when the leader crashes mid-stream, writes resume through another node,
    /// every acknowledged write survives, and the restarted node catches up.
    @Test func leaderCrashFailover() async throws {
        let cluster = try await Cluster()
        let (workspace, channel) = try await Self.setUp(cluster, via: NodeID(1))
        let partition = Self.placement.partition(of: workspace)
        let leader = try #require(await cluster.driver(NodeID(1))?.leader(of: partition))
        let survivor = try #require(Self.members.first { $0 != leader })
        for index in 0..<10 { _ = try await Self.submit(cluster, via: survivor, Self.post("a\(index)", workspace, channel)) }
        await cluster.crash(leader)
        let crashedAt = ContinuousClock.now
        _ = try await Self.submit(cluster, via: survivor, Self.post("b0", workspace, channel))
        let unavailable = ContinuousClock.now - crashedAt
        #expect(unavailable < .seconds(5), "writes resumed after \(unavailable)")
        for index in 1..<10 { _ = try await Self.submit(cluster, via: survivor, Self.post("b\(index)", workspace, channel)) }
        try await cluster.start(leader)
        let expected = (0..<10).map { "a\($0)" } + (0..<10).map { "b\($0)" }
        let restarted = leader
        try await Self.poll(deadline: .seconds(20)) {
            guard let texts = try? await Self.history(cluster, restarted, workspace, channel) else { return false }
            return texts == expected
        }
        await cluster.shutdown()
    }

    /// Proves log compaction and snapshots: a node whose data directory is lost starts empty,
    /// the leader's log no longer reaches back to the beginning, so the node is caught up by a
    /// streamed snapshot of the partition's rows, keeps following the log after it, and still
    /// holds everything after a restart.
    @Test func aNodeRebuiltFromEmptyCatchesUpFromASnapshot() async throws {
        let cluster = try await Cluster(retention: LogRetention(compactAfterEntries: 20, retainedEntries: 5))
        let (workspace, channel) = try await Self.setUp(cluster, via: NodeID(1))
        let partition = Self.placement.partition(of: workspace)
        let leader = try #require(await cluster.driver(NodeID(1))?.leader(of: partition))
        let lost = try #require(Self.members.first { $0 != leader })
        await cluster.crash(lost)
        try await cluster.wipe(lost)
        for index in 0..<60 { _ = try await Self.submit(cluster, via: leader, Self.post("m\(index)", workspace, channel)) }
        let leaderLogStart = try #require(await cluster.driver(leader)?.firstLogIndex(of: partition))
        #expect(leaderLogStart > LogIndex(1), "the leader compacted its log (it starts at \(leaderLogStart))")
        try await cluster.start(lost)
        var expected = (0..<60).map { "m\($0)" }
        try await Self.poll(deadline: .seconds(20)) {
            (try? await Self.history(cluster, lost, workspace, channel)) == expected
        }
        #expect(cluster.network.snapshotsStreamed.withLock { $0 } >= 1)
        let rebuiltLogStart = try #require(await cluster.driver(lost)?.firstLogIndex(of: partition))
        #expect(rebuiltLogStart > LogIndex(1), "the rebuilt node's log starts after the snapshot (\(rebuiltLogStart))")
        // The log goes on after the snapshot, and all of it survives a restart.
        for index in 0..<5 { _ = try await Self.submit(cluster, via: lost, Self.post("n\(index)", workspace, channel)) }
        expected += (0..<5).map { "n\($0)" }
        await cluster.crash(lost)
        try await cluster.start(lost)
        try await Self.poll(deadline: .seconds(20)) {
            (try? await Self.history(cluster, lost, workspace, channel)) == expected
        }
        await cluster.shutdown()
    }

    /// Proves quiescence: an idle cluster's groups stop ticking, yet when the leader of a quiet
    /// group crashes its followers notice (its pings stop) and elect another, and writes resume.
    @Test func quietGroupsStillFailOver() async throws {
        let cluster = try await Cluster()
        let (workspace, channel) = try await Self.setUp(cluster, via: NodeID(1))
        let partition = Self.placement.partition(of: workspace)
        var quiet = 0
        try await Self.poll(deadline: .seconds(20)) {
            quiet = 0
            for node in Self.members { quiet += await cluster.driver(node)?.quietGroups ?? 0 }
            return quiet == Self.members.count * Int(Self.placement.partitionCount)
        }
        #expect(quiet == 12, "every group of an idle cluster is quiet on every node")
        let leader = try #require(await cluster.driver(NodeID(1))?.leader(of: partition))
        let survivor = try #require(Self.members.first { $0 != leader })
        await cluster.crash(leader)
        let crashedAt = ContinuousClock.now
        _ = try await Self.submit(cluster, via: survivor, Self.post("after", workspace, channel))
        #expect(ContinuousClock.now - crashedAt < .seconds(10), "a new leader was elected")
        await cluster.shutdown()
    }

    static func history(_ cluster: Cluster, _ node: NodeID, _ workspace: WorkspaceID, _ channel: ChannelID) async throws
        -> [String] {
        guard let driver = cluster.driver(node) else { return [] }
        return try await driver.readLocal { reader in
            try CommunityQueries(reader: reader(Self.placement.partition(of: workspace)), actor: admin)
                .history(workspace, channel, .after(.zero), limit: 200).items.map(\.text)
        }
    }

    static func poll(deadline: Duration, _ condition: () async throws -> Bool) async throws {
        let end = ContinuousClock.now + deadline
        while ContinuousClock.now < end {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("condition not met within \(deadline)")
    }
}

import GRPCCore
import GRPCNIOTransportHTTP2
import Logging
import QuadCore
import Raft
import ServiceLifecycle
import Synchronization
import Testing
@testable import Transport

let quietLogger = Logger(label: "transport-test") { _ in SwiftLogNoOpLogHandler() }

/// Polls `condition` every 10 ms until it holds or `timeout` passes; returns whether it held.
func eventually(within timeout: Duration = .seconds(10), _ condition: () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return condition()
}

/// What a test server received, in arrival order.
final class Inbox: Sendable {
    let batches = Mutex<[(NodeID, [(PartitionID, Raft.Message)])]>([])
    var count: Int { batches.withLock { $0.count } }
    func all() -> [(NodeID, [(PartitionID, Raft.Message)])] { batches.withLock { $0 } }
}

/// A PeerServer running in its own task on loopback, with an inbox as its sink.
struct RunningServer {
    let server: PeerServer
    let task: Task<Void, any Error>
    let address: PeerAddress
    let inbox: Inbox

    static func start(
        port: Int = 0, inbox: Inbox = Inbox(),
        forward: @escaping PeerServer.ForwardHandler = { sender, bytes in Array("\(sender)".utf8) + bytes.reversed() }
    ) async throws -> RunningServer {
        let server = PeerServer(host: "127.0.0.1", port: port, logger: quietLogger, sink: { sender, batch in
            inbox.batches.withLock { $0.append((sender, batch)) }
        }, forwardHandler: forward)
        let task = Task { try await server.run() }
        let address = try await server.listeningAddress
        return RunningServer(server: server, task: task, address: address, inbox: inbox)
    }

    func stop() async {
        task.cancel()
        _ = await task.result
    }
}

func heartbeat(_ number: UInt64, to: NodeID = NodeID(2)) -> (PartitionID, Raft.Message) {
    var message = Raft.Message(kind: .heartbeat, from: NodeID(1), to: to, term: Term(3))
    message.commit = LogIndex(number)
    message.sentTick = number
    return (PartitionID(UInt32(number % 64)), message)
}

/// Runs `body` with links from n1 to n2 at `address`, stopping them afterwards.
func withLinks<T>(
    to address: PeerAddress, configuration: PeerLinks.Configuration = PeerLinks.Configuration(),
    _ body: (PeerLinks) async throws -> T
) async throws -> T {
    let links = try PeerLinks(nodeID: NodeID(1), peers: [NodeID(2): address], configuration: configuration, logger: quietLogger)
    let task = Task { try await links.run() }
    defer { task.cancel() }
    return try await body(links)
}

@Suite(.serialized, .timeLimit(.minutes(2))) struct PeerTransportTests {
    @Test func batchesArriveInOrderAndIntact() async throws {
        // Proves batches sent over one link arrive complete, unaltered and in send order, acknowledged.
        let peer = try await RunningServer.start()
        defer { peer.task.cancel() }
        let batchCount = 2_000
        let sent = (0..<batchCount).map { index in
            [heartbeat(UInt64(index)), (PartitionID(1), sampleMessage(.appendEntries, seed: UInt64(index)))]
        }
        var configuration = PeerLinks.Configuration()
        configuration.queuedFramesMax = 2 * batchCount
        try await withLinks(to: peer.address, configuration: configuration) { links in
            links.send([heartbeat(0)], to: NodeID(2))
            #expect(await eventually { peer.inbox.count == 1 })
            peer.inbox.batches.withLock { $0.removeAll() }
            let started = ContinuousClock.now
            for batch in sent { links.send(batch, to: NodeID(2)) }
            #expect(await eventually { peer.inbox.count == batchCount })
            let elapsed = ContinuousClock.now - started
            let received = peer.inbox.all()
            #expect(received.allSatisfy { $0.0 == NodeID(1) })
            #expect(zip(received, sent).allSatisfy { sameBatch($0.1, $1) })
            #expect(await eventually { links.counters.framesAcknowledged == batchCount + 1 })
            let counters = links.counters
            #expect(counters.framesSent == batchCount + 1 && counters.messagesSent == 2 * batchCount + 1)
            #expect(counters.framesDropped == 0)
            print("loopback: \(batchCount) batches of 2 messages (~1 KiB) delivered and acknowledged in \(elapsed)")
        }
    }

    @Test func aDownPeerMakesSendsDropWithoutBlockingOrGrowing() async throws {
        // Proves sends to an unreachable peer return at once, the queue stays at its bound and
        // every frame beyond it is counted as dropped.
        let gone = try await RunningServer.start()
        await gone.stop()
        var configuration = PeerLinks.Configuration()
        configuration.queuedFramesMax = 16
        try await withLinks(to: gone.address, configuration: configuration) { links in
            let started = ContinuousClock.now
            for index in 0..<10_000 { links.send([heartbeat(UInt64(index))], to: NodeID(2)) }
            let elapsed = ContinuousClock.now - started
            let counters = links.counters
            #expect(counters.framesQueued <= 16)
            #expect(counters.framesDropped >= 10_000 - 16)
            #expect(counters.framesDropped + counters.framesQueued + counters.framesSent == 10_000)
            #expect(elapsed < .seconds(5), "10,000 sends took \(elapsed)")
            print("down peer: 10,000 sends returned in \(elapsed); dropped \(counters.framesDropped), queued \(counters.framesQueued)")
        }
    }

    @Test func theLinkReconnectsWhenThePeerComesBack() async throws {
        // Proves a link whose peer restarts on the same port reopens its stream and delivers again.
        let inbox = Inbox()
        let first = try await RunningServer.start(inbox: inbox)
        var configuration = PeerLinks.Configuration()
        configuration.queuedFramesMax = 64
        try await withLinks(to: first.address, configuration: configuration) { links in
            links.send([heartbeat(1)], to: NodeID(2))
            #expect(await eventually { inbox.count == 1 })
            await first.stop()
            for index in 2..<500 { links.send([heartbeat(UInt64(index))], to: NodeID(2)) }
            #expect(await eventually { links.counters.reconnects >= 1 })
            let second = try await RunningServer.start(port: first.address.port, inbox: inbox)
            defer { second.task.cancel() }
            links.send([heartbeat(10_000)], to: NodeID(2))
            #expect(await eventually { inbox.all().contains { $0.1.first?.1.sentTick == 10_000 } })
            let ticks = inbox.all().compactMap { $0.1.first?.1.sentTick }
            #expect(ticks == ticks.sorted(), "delivery stays in send order across the reconnect")
            let counters = links.counters
            #expect(counters.framesDropped + counters.framesAcknowledged >= 1)
            print("reconnect: \(counters.reconnects) reconnects, \(ticks.count) batches delivered, \(counters.framesDropped) dropped")
        }
    }

    @Test func forwardRoundTripsAndReportsRemoteFailures() async throws {
        // Proves Forward carries opaque bytes and the sender's ID both ways, and a throwing handler
        // or an unknown peer come back as distinct errors.
        let peer = try await RunningServer.start { sender, bytes in
            if bytes == [0xFF] { throw TransportError(.unavailable, "not the leader") }
            if bytes == [0xFE] { struct Refusal: Error {}; throw Refusal() }
            return Array("\(sender)".utf8) + bytes.reversed()
        }
        defer { peer.task.cancel() }
        try await withLinks(to: peer.address) { links in
            let answer = try await links.forward([1, 2, 3], to: NodeID(2), deadline: .now + .seconds(10))
            #expect(answer == Array("n1".utf8) + [3, 2, 1])
            let notLeader = await #expect(throws: TransportError.self) { try await links.forward([0xFF], to: NodeID(2), deadline: .now + .seconds(10)) }
            #expect(notLeader?.code == .unavailable)
            let handlerThrew = await #expect(throws: TransportError.self) { try await links.forward([0xFE], to: NodeID(2), deadline: .now + .seconds(10)) }
            #expect(handlerThrew?.code == .remoteFailure)
            let unknownPeer = await #expect(throws: TransportError.self) { try await links.forward([1], to: NodeID(3), deadline: .now + .seconds(10)) }
            #expect(unknownPeer?.code == .unknownPeer)
        }
    }

    @Test func forwardHonoursItsDeadline() async throws {
        // Proves a Forward to a handler slower than the deadline fails with deadlineExceeded soon
        // after the deadline, instead of waiting for the handler.
        let peer = try await RunningServer.start { _, bytes in
            try await Task.sleep(for: .seconds(60))
            return bytes
        }
        defer { peer.task.cancel() }
        try await withLinks(to: peer.address) { links in
            let started = ContinuousClock.now
            let tooSlow = await #expect(throws: TransportError.self) { try await links.forward([1], to: NodeID(2), deadline: .now + .milliseconds(300)) }
            #expect(tooSlow?.code == .deadlineExceeded)
            let elapsed = ContinuousClock.now - started
            #expect(elapsed < .seconds(5), "took \(elapsed)")
            let alreadyPast = await #expect(throws: TransportError.self) { try await links.forward([1], to: NodeID(2), deadline: .now - .seconds(1)) }
            #expect(alreadyPast?.code == .deadlineExceeded)
        }
    }

    @Test func aCallFromAnotherClusterIsRefusedBeforeItsFrames() async throws {
        // Proves Deliver and Forward calls naming another cluster (or none) are refused with
        // FAILED_PRECONDITION cluster_mismatch, the refused link reports it, and nothing reaches the sink.
        let peer = try await RunningServer.start()
        defer { peer.task.cancel() }
        let transport = try HTTP2ClientTransport.Posix(
            target: .ipv4(address: peer.address.host, port: peer.address.port), transportSecurity: .plaintext)
        let frame = RaftWireCodec.encode(DeliverFrame(sender: NodeID(7), sequence: 1, messages: [heartbeat(1)]))
        let refusals: [RPCError?] = try await withGRPCClient(transport: transport) { client in
            var refusals: [RPCError?] = []
            for metadata in [PeerMethod.metadata(clusterID: "green"), Metadata()] {
                do {
                    try await client.bidirectionalStreaming(
                        request: StreamingClientRequest(of: [UInt8].self, metadata: metadata) { writer in
                            try await writer.write(frame)
                        },
                        descriptor: PeerMethod.deliver, serializer: FrameSerializer(),
                        deserializer: FrameDeserializer(decode: RaftWireCodec.decodeAcknowledgement), options: .defaults
                    ) { response in
                        for try await _ in response.messages {}
                    }
                    refusals.append(nil)
                } catch let error as RPCError {
                    refusals.append(error)
                }
            }
            return refusals
        }
        #expect(refusals.map { $0?.code } == [.failedPrecondition, .failedPrecondition])
        #expect(refusals.allSatisfy { $0?.message.contains("cluster_mismatch") == true })
        #expect(peer.inbox.count == 0)

        let refused = Mutex<[String]>([])
        var configuration = PeerLinks.Configuration()
        configuration.clusterID = "green"
        configuration.onRefused = { _, reason in refused.withLock { $0.append(reason) } }
        try await withLinks(to: peer.address, configuration: configuration) { links in
            links.send([heartbeat(5)], to: NodeID(2))
            await #expect(throws: TransportError.self) {
                _ = try await links.forward([1, 2, 3], to: NodeID(2), deadline: .now + .seconds(5))
            }
            #expect(await eventually { refused.withLock { !$0.isEmpty } }, "the link reports the refusal")
        }
        #expect(refused.withLock { $0.first?.contains(#"this node belongs to cluster "quad""#) } == true)
        #expect(peer.inbox.count == 0)
    }

    @Test func aFrameOfAnUnknownVersionIsRefusedCleanly() async throws {
        // Proves the server answers a Deliver frame of another wire version with a status naming
        // the version, hands nothing to its sink, and keeps serving good frames.
        let peer = try await RunningServer.start()
        defer { peer.task.cancel() }
        var bad = RaftWireCodec.encode(DeliverFrame(sender: NodeID(7), sequence: 1, messages: [heartbeat(1)]))
        bad[0] = 99
        let frame = bad
        let transport = try HTTP2ClientTransport.Posix(
            target: .ipv4(address: peer.address.host, port: peer.address.port), transportSecurity: .plaintext)
        let outcome: RPCError? = try await withGRPCClient(transport: transport) { client in
            do {
                try await client.bidirectionalStreaming(
                    request: StreamingClientRequest(of: [UInt8].self, metadata: PeerMethod.metadata(clusterID: "quad")) {
                        writer in try await writer.write(frame)
                    },
                    descriptor: PeerMethod.deliver, serializer: FrameSerializer(),
                    deserializer: FrameDeserializer(decode: RaftWireCodec.decodeAcknowledgement), options: .defaults
                ) { response in
                    for try await _ in response.messages {}
                }
                return nil
            } catch let error as RPCError {
                return error
            }
        }
        #expect(outcome?.code == .failedPrecondition)
        #expect(outcome?.message.contains("version 99") == true)
        #expect(peer.inbox.count == 0)
        try await withLinks(to: peer.address) { links in
            links.send([heartbeat(5)], to: NodeID(2))
            #expect(await eventually { peer.inbox.count == 1 })
        }
    }

    @Test func bothServicesStopOnGracefulShutdown() async throws {
        // Proves PeerServer and PeerLinks run under a ServiceGroup and both return after a
        // graceful shutdown even though a Deliver stream is open (within the server's grace).
        let inbox = Inbox()
        let probe = try await RunningServer.start()
        await probe.stop()
        let address = probe.address
        let finished = Atomic<Bool>(false)
        let restarted = PeerServer(host: "127.0.0.1", port: address.port, logger: quietLogger, sink: { sender, batch in
            inbox.batches.withLock { $0.append((sender, batch)) }
        }, forwardHandler: { _, bytes in bytes })
        let peerLinks = try PeerLinks(nodeID: NodeID(1), peers: [NodeID(2): address], logger: quietLogger)
        let serviceGroup = ServiceGroup(services: [restarted, peerLinks], logger: quietLogger)
        let task = Task {
            try await serviceGroup.run()
            finished.store(true, ordering: .relaxed)
        }
        peerLinks.send([heartbeat(1)], to: NodeID(2))
        #expect(await eventually { inbox.count == 1 })
        let started = ContinuousClock.now
        await serviceGroup.triggerGracefulShutdown()
        #expect(await eventually(within: .seconds(20)) { finished.load(ordering: .relaxed) })
        print("graceful shutdown of server and links took \(ContinuousClock.now - started)")
        task.cancel()
    }
}

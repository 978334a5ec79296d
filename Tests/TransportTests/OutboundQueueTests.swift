import QuadCore
import Raft
import Testing
@testable import Transport

func queuedFrame(_ sequence: UInt64, bytes: Int = 10) -> QueuedFrame {
    QueuedFrame(sequence: sequence, messageCount: 1, bytes: Array(repeating: 0, count: bytes))
}

@Suite struct OutboundQueueTests {
    @Test func aFullQueueDropsItsOldestFramesAndKeepsOrder() async {
        // Proves the frame bound evicts the oldest frames first and the rest come out in order.
        let queue = OutboundQueue(framesMax: 3, bytesMax: 1 << 20)
        var dropped: [UInt64] = []
        for sequence in 1...5 { dropped += queue.enqueue(queuedFrame(UInt64(sequence))).map(\.sequence) }
        #expect(dropped == [1, 2])
        #expect(queue.count == 3)
        var taken: [UInt64] = []
        for _ in 0..<3 { if let frame = await queue.next() { taken.append(frame.sequence) } }
        #expect(taken == [3, 4, 5])
    }

    @Test func theByteBoundEvictsToo() {
        // Proves the byte bound holds independently of the frame bound.
        let queue = OutboundQueue(framesMax: 100, bytesMax: 100)
        var dropped = 0
        for sequence in 1...10 { dropped += queue.enqueue(queuedFrame(UInt64(sequence), bytes: 30)).count }
        #expect(queue.count == 3)
        #expect(dropped == 7)
    }

    @Test func cancellingTheConsumerLosesNothingAndCloseWakesIt() async {
        // Proves a cancelled wait returns nil without taking a frame, a waiting consumer gets the
        // next frame directly, and close() drops what is queued and ends the consumer.
        let queue = OutboundQueue(framesMax: 4, bytesMax: 1 << 20)
        let cancelled = Task { await queue.next() }
        cancelled.cancel()
        #expect(await cancelled.value == nil)
        #expect(queue.enqueue(queuedFrame(1)).isEmpty)
        #expect(await queue.next()?.sequence == 1)
        let waiting = Task { await queue.next() }
        #expect(await eventually { queue.isWaiting })
        #expect(queue.enqueue(queuedFrame(2)).isEmpty)
        #expect(queue.count == 0)
        #expect(await waiting.value?.sequence == 2)
        #expect(queue.enqueue(queuedFrame(3)).isEmpty)
        #expect(queue.close().map(\.sequence) == [3])
        #expect(await queue.next() == nil)
        #expect(queue.enqueue(queuedFrame(4)).map(\.sequence) == [4])
    }

    @Test func unsendableMessagesAreCountedNotQueued() throws {
        // Proves messages to an unknown peer, or too large for any frame, count as dropped.
        let links = try PeerLinks(
            nodeID: NodeID(1), peers: [NodeID(2): PeerAddress(host: "127.0.0.1", port: 1)], logger: quietLogger)
        links.send([heartbeat(1)], to: NodeID(9))
        var huge = Raft.Message(kind: .installSnapshot, from: NodeID(1), to: NodeID(2), term: Term(1))
        huge.snapshot = Snapshot(
            metadata: SnapshotMetadata(index: LogIndex(1), term: Term(1), configuration: ConfigurationState(voters: [NodeID(1)])),
            data: Array(repeating: 0, count: TransportLimits.frameBytesMax))
        links.send([(PartitionID(0), huge), heartbeat(2)], to: NodeID(2))
        let counters = links.counters
        #expect(counters.messagesDropped == 2)
        #expect(counters.framesQueued == 1)
        #expect(links.counters(for: NodeID(2))?.framesQueued == 1)
        #expect(links.counters(for: NodeID(9)) == nil)
    }
}

import QuadCore
import Raft
import Testing
@testable import Transport

/// A message of `kind` with every field away from its default.
func sampleMessage(_ kind: MessageKind, seed: UInt64 = 1) -> Raft.Message {
    var message = Raft.Message(kind: kind, from: NodeID(seed), to: NodeID(seed + 1), term: Term(7 + seed))
    message.logTerm = Term(6)
    message.index = LogIndex(100 + seed)
    message.commit = LogIndex(99)
    message.reject = seed % 2 == 0
    message.rejectHint = LogIndex(42)
    message.sentTick = 0xDEAD_BEEF_0000 + seed
    message.context = Array("ctx-\(kind)".utf8)
    let change = ConfigurationChange(kind: .addLearner, node: NodeID(9), resulting: ConfigurationState(voters: [NodeID(1)]))
    message.entries = [
        Entry(term: Term(6), index: LogIndex(101), kind: .normal, payload: []),
        Entry(term: Term(7), index: LogIndex(102), kind: .normal, payload: Array(repeating: UInt8(seed & 0xFF), count: 300)),
        Entry(term: Term(7), index: LogIndex(103), kind: .configurationChange, payload: change.encoded()),
    ]
    let configuration = ConfigurationState(voters: [NodeID(1), NodeID(2), NodeID(3)], learners: [NodeID(9)])
    message.snapshot = Snapshot(
        metadata: SnapshotMetadata(index: LogIndex(80), term: Term(5), configuration: configuration),
        data: Array(0..<200).map { UInt8($0) })
    return message
}

/// Whether two batches hold the same messages for the same partitions in the same order.
func sameBatch(_ left: [(PartitionID, Raft.Message)], _ right: [(PartitionID, Raft.Message)]) -> Bool {
    left.count == right.count && zip(left, right).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
}

func sampleFrame() -> DeliverFrame {
    let messages = MessageKind.allCases.enumerated().map { offset, kind in
        (PartitionID(UInt32(offset * 3)), sampleMessage(kind, seed: UInt64(offset)))
    }
    return DeliverFrame(sender: NodeID(1), sequence: 77, messages: messages)
}

@Suite struct RaftWireCodecTests {
    @Test func everyMessageKindRoundTripsWithEveryField() throws {
        // Proves encode/decode is lossless for each kind, with entries, snapshot and context set.
        for kind in MessageKind.allCases {
            for variant in [sampleMessage(kind), Raft.Message(kind: kind, from: NodeID(1), to: NodeID(2), term: .zero)] {
                let frame = DeliverFrame(sender: NodeID(5), sequence: 3, messages: [(PartitionID(63), variant)])
                let bytes = RaftWireCodec.encode(frame)
                let decoded = try RaftWireCodec.decodeDeliverFrame(bytes)
                #expect(decoded.sender == NodeID(5))
                #expect(decoded.sequence == 3)
                #expect(sameBatch(decoded.messages, frame.messages), "\(kind)")
                #expect(bytes.count == RaftWireCodec.deliverHeaderBytes + 4 + RaftWireCodec.encodedByteCount(of: variant))
            }
        }
    }

    @Test func aWholeBatchRoundTripsInOrder() throws {
        // Proves a frame of several messages across partitions decodes to the same sequence.
        let frame = sampleFrame()
        let decoded = try RaftWireCodec.decodeDeliverFrame(RaftWireCodec.encode(frame))
        #expect(sameBatch(decoded.messages, frame.messages))
    }

    @Test func everyTruncationThrows() {
        // Proves no prefix of a valid frame decodes: the reader never runs past the end.
        let bytes = RaftWireCodec.encode(sampleFrame())
        for length in 0..<bytes.count {
            #expect(throws: TransportError.self) { try RaftWireCodec.decodeDeliverFrame(Array(bytes[0..<length])) }
        }
    }

    @Test func trailingBytesThrow() {
        // Proves a frame followed by anything is refused (a codec mismatch, not a frame).
        let bytes = RaftWireCodec.encode(sampleFrame())
        #expect(throws: TransportError.self) { try RaftWireCodec.decodeDeliverFrame(bytes + [0]) }
        #expect(throws: TransportError.self) { try RaftWireCodec.decodeAcknowledgement(RaftWireCodec.encodeAcknowledgement(1) + [0]) }
        #expect(throws: TransportError.self) { try RaftWireCodec.decodeForwardResponse(RaftWireCodec.encodeForwardResponse([1]) + [0]) }
    }

    @Test func unknownVersionIsRefusedWithItsOwnCode() {
        // Proves a frame of another wire version fails as unsupportedVersion, not as garbage.
        var bytes = RaftWireCodec.encode(sampleFrame())
        bytes[0] = RaftWireCodec.version + 1
        let versionError = #expect(throws: TransportError.self) { try RaftWireCodec.decodeDeliverFrame(bytes) }
        #expect(versionError?.code == .unsupportedVersion)
        let emptyError = #expect(throws: TransportError.self) { try RaftWireCodec.decodeDeliverFrame([]) }
        #expect(emptyError?.code == .malformed)
    }

    @Test func hugeCountsAreRefusedBeforeAllocating() {
        // Proves counts over their bound, or over what the bytes left could hold, throw at once.
        var writer = BinaryWriter()
        writer.write(RaftWireCodec.version)
        writer.write(UInt64(1))
        writer.write(UInt64(1))
        writer.write(UInt32.max)
        #expect(throws: TransportError.self) { try RaftWireCodec.decodeDeliverFrame(writer.bytes) }
        // A message claiming 60,000 entries with no bytes behind them.
        var message = RaftWireCodec.encode(
            DeliverFrame(sender: NodeID(1), sequence: 1, messages: [(PartitionID(0), Raft.Message(kind: .appendEntries, from: NodeID(1), to: NodeID(2), term: Term(1)))]))
        let entryCountOffset = RaftWireCodec.deliverHeaderBytes + 4 + RaftWireCodec.messageMinimumBytes - 5
        message.replaceSubrange(entryCountOffset..<entryCountOffset + 4, with: [0, 0, 0xEA, 0x60])
        #expect(throws: TransportError.self) { try RaftWireCodec.decodeDeliverFrame(message) }
        let oversized = [RaftWireCodec.version] + [UInt8](repeating: 0, count: TransportLimits.frameBytesMax)
        #expect(throws: TransportError.self) { try RaftWireCodec.decodeDeliverFrame(oversized) }
    }

    @Test func seededMutationsNeverCrash() {
        // Proves decoding survives 5,000 seeded random mutations and 1,000 random buffers:
        // each either throws TransportError or yields a frame, and never traps.
        let valid = RaftWireCodec.encode(sampleFrame())
        var random = SplitMix64(seed: 0x5EED)
        var refused = 0
        for _ in 0..<5_000 {
            var bytes = valid
            for _ in 0..<Int.random(in: 1...4, using: &random) {
                switch Int.random(in: 0..<4, using: &random) {
                case 0: bytes[Int.random(in: 0..<bytes.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
                case 1: bytes.insert(UInt8.random(in: 0...255, using: &random), at: Int.random(in: 0...bytes.count, using: &random))
                case 2: if bytes.count > 1 { bytes.remove(at: Int.random(in: 0..<bytes.count, using: &random)) }
                default: bytes = Array(bytes[0..<Int.random(in: 0...bytes.count, using: &random)])
                }
            }
            do { _ = try RaftWireCodec.decodeDeliverFrame(bytes) } catch { refused += 1 }
        }
        for _ in 0..<1_000 {
            var bytes = (0..<Int.random(in: 0..<512, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            if !bytes.isEmpty { bytes[0] = RaftWireCodec.version }
            do { _ = try RaftWireCodec.decodeDeliverFrame(bytes) } catch { refused += 1 }
        }
        #expect(refused > 3_000)
    }

    @Test func batchesSplitIntoFramesWithinTheBound() throws {
        // Proves a batch over the frame bound becomes several frames in order, and a message too
        // large for any frame is reported rather than sent.
        var big = sampleMessage(.appendEntries)
        big.entries = [Entry(term: Term(1), index: LogIndex(1), payload: Array(repeating: 1, count: 1 << 20))]
        let batch = (0..<10).map { (PartitionID(UInt32($0)), big) }
        var huge = sampleMessage(.installSnapshot)
        huge.snapshot?.data = Array(repeating: 2, count: TransportLimits.frameBytesMax)
        let (runs, oversized) = RaftWireCodec.frames(for: batch + [(PartitionID(99), huge)])
        #expect(runs.count == 4)
        #expect(sameBatch(runs.flatMap { $0 }, batch))
        #expect(oversized.count == 1)
        for run in runs {
            #expect(RaftWireCodec.encode(DeliverFrame(sender: NodeID(1), sequence: 1, messages: run)).count <= TransportLimits.frameBytesMax)
        }
    }

    @Test func forwardAndAcknowledgementFramesRoundTrip() throws {
        // Proves the small frames keep their fields.
        #expect(try RaftWireCodec.decodeAcknowledgement(RaftWireCodec.encodeAcknowledgement(.max)) == .max)
        let request = try RaftWireCodec.decodeForwardRequest(RaftWireCodec.encodeForwardRequest(sender: NodeID(4), payload: [1, 2, 3]))
        #expect(request.sender == NodeID(4))
        #expect(request.payload == [1, 2, 3])
        #expect(try RaftWireCodec.decodeForwardResponse(RaftWireCodec.encodeForwardResponse([9])) == [9])
    }
}

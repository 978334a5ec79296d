import QuadCore
import Raft
import Testing
@testable import Transport

/// The frames of an `InstallSnapshot` stream.
@Suite struct SnapshotFrameTests {
    /// Proves a header (with its snapshot message) and a chunk decode to what was encoded.
    @Test func headerAndChunkRoundTrip() throws {
        let message = sampleMessage(.installSnapshot)
        let header = SnapshotFrame.header(sender: NodeID(2), group: PartitionID(7), message: message)
        #expect(try RaftWireCodec.decodeSnapshotFrame(RaftWireCodec.encode(header)) == header)
        let chunk = SnapshotFrame.chunk(Array(0..<200).map { UInt8($0) })
        #expect(try RaftWireCodec.decodeSnapshotFrame(RaftWireCodec.encode(chunk)) == chunk)
    }

    /// Proves an unknown tag, a truncated frame and trailing bytes are refused as malformed.
    @Test func malformedFramesAreRefused() {
        var unknown = RaftWireCodec.encode(SnapshotFrame.chunk([1, 2, 3]))
        unknown[1] = 9
        let whole = RaftWireCodec.encode(SnapshotFrame.chunk([1, 2, 3]))
        for bytes in [unknown, Array(whole.dropLast()), whole + [0]] {
            #expect(throws: TransportError.self) { try RaftWireCodec.decodeSnapshotFrame(bytes) }
        }
    }
}

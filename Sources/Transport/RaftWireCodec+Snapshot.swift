import QuadCore
import Raft

/// One request message of the `InstallSnapshot` stream: a header naming the snapshot, then its
/// rows in opaque chunks (the node's encoding; the transport only carries them).
public enum SnapshotFrame: Sendable, Equatable {
    /// First on every stream: who sends, which group, and the Raft `.installSnapshot` message
    /// that the receiver steps once every chunk is stored.
    case header(sender: NodeID, group: PartitionID, message: Raft.Message)
    /// Part of the snapshot's rows.
    case chunk([UInt8])
}

extension RaftWireCodec {
    static let snapshotHeaderTag: UInt8 = 0
    static let snapshotChunkTag: UInt8 = 1

    /// Encodes one `InstallSnapshot` request message.
    public static func encode(_ frame: SnapshotFrame) -> [UInt8] {
        switch frame {
        case let .header(sender, group, message):
            var writer = BinaryWriter(capacity: 1 + 1 + 8 + 4 + encodedByteCount(of: message))
            writer.write(version)
            writer.write(snapshotHeaderTag)
            writer.write(sender.rawValue)
            writer.write(group.rawValue)
            write(message, into: &writer)
            return writer.bytes
        case let .chunk(bytes):
            var writer = BinaryWriter(capacity: 1 + 1 + 4 + bytes.count)
            writer.write(version)
            writer.write(snapshotChunkTag)
            writer.writeBytes(bytes)
            return writer.bytes
        }
    }

    /// Decodes exactly one `InstallSnapshot` request message; throws on anything else.
    public static func decodeSnapshotFrame(_ bytes: [UInt8]) throws(TransportError) -> SnapshotFrame {
        var reader = try versionedReader(bytes)
        return try decoding { () throws(DecodingError) -> SnapshotFrame in
            let frame: SnapshotFrame
            switch try reader.readUInt8() {
            case snapshotHeaderTag:
                let sender = NodeID(try reader.readUInt64())
                let group = PartitionID(try reader.readUInt32())
                frame = .header(sender: sender, group: group, message: try readMessage(&reader))
            case snapshotChunkTag:
                frame = .chunk(try reader.readBytes())
            case let tag:
                throw DecodingError("unknown snapshot frame tag \(tag)")
            }
            try reader.expectEnd()
            return frame
        }
    }

    /// The rows of one chunk that fit a frame with its framing: 1 MiB under `frameBytesMax`.
    public static let snapshotChunkBytesMax = TransportLimits.frameBytesMax - (1 << 20)
}

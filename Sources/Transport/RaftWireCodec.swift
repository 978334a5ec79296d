import QuadCore
import Raft

/// The versioned binary encoding of what Quad nodes send each other (see
/// docs/decisions/0002-peer-transport.md for the format and its versioning rule).
///
/// Every frame starts with a version byte. Decoding checks each count against both its named
/// bound and the bytes left before it reserves memory, and throws `TransportError` on anything
/// that is not exactly one well-formed frame (truncation, unknown enum values, trailing bytes).
public enum RaftWireCodec {
    /// The wire version frames are written in now (`WireVersion.writing`).
    public static var version: UInt8 { WireVersion.writing }

    /// Encoded bytes of a Deliver frame header: version, sender, sequence, message count.
    static let deliverHeaderBytes = 1 + 8 + 8 + 4

    /// Encodes a Deliver frame. The caller keeps it within `TransportLimits.frameBytesMax`
    /// (`frames(for:)` does) and within `TransportLimits.messagesPerFrameMax` messages.
    public static func encode(_ frame: DeliverFrame) -> [UInt8] {
        precondition(frame.messages.count <= TransportLimits.messagesPerFrameMax, "frame over the message bound")
        let size = deliverHeaderBytes + frame.messages.reduce(0) { $0 + encodedByteCount(of: $1.1) }
        var writer = BinaryWriter(capacity: size)
        writer.write(version)
        writer.write(frame.sender.rawValue)
        writer.write(frame.sequence)
        writer.write(UInt32(frame.messages.count))
        for (partition, message) in frame.messages {
            writer.write(partition.rawValue)
            write(message, into: &writer)
        }
        return writer.bytes
    }

    /// Decodes exactly one Deliver frame; throws on anything else.
    public static func decodeDeliverFrame(_ bytes: [UInt8]) throws(TransportError) -> DeliverFrame {
        var reader = try versionedReader(bytes)
        return try decoding { () throws(DecodingError) -> DeliverFrame in
            let sender = NodeID(try reader.readUInt64())
            let sequence = try reader.readUInt64()
            let count = try readCount(&reader, max: TransportLimits.messagesPerFrameMax,
                                      minimumBytesEach: messageMinimumBytes + 4, what: "messages")
            var messages: [(PartitionID, Raft.Message)] = []
            messages.reserveCapacity(count)
            for _ in 0..<count {
                let partition = PartitionID(try reader.readUInt32())
                messages.append((partition, try readMessage(&reader)))
            }
            try reader.expectEnd()
            return DeliverFrame(sender: sender, sequence: sequence, messages: messages)
        }
    }

    /// Splits a batch into frame-sized runs, in order. A message that alone would exceed
    /// `TransportLimits.frameBytesMax` cannot be sent and is returned in `oversized` instead.
    public static func frames(
        for batch: [(PartitionID, Raft.Message)]
    ) -> (runs: [[(PartitionID, Raft.Message)]], oversized: [(PartitionID, Raft.Message)]) {
        var runs: [[(PartitionID, Raft.Message)]] = []
        var oversized: [(PartitionID, Raft.Message)] = []
        var current: [(PartitionID, Raft.Message)] = []
        var currentBytes = deliverHeaderBytes
        for item in batch {
            let itemBytes = 4 + encodedByteCount(of: item.1)
            guard deliverHeaderBytes + itemBytes <= TransportLimits.frameBytesMax else {
                oversized.append(item)
                continue
            }
            if currentBytes + itemBytes > TransportLimits.frameBytesMax
                || current.count == TransportLimits.messagesPerFrameMax {
                runs.append(current)
                current = []
                currentBytes = deliverHeaderBytes
            }
            current.append(item)
            currentBytes += itemBytes
        }
        if !current.isEmpty { runs.append(current) }
        return (runs, oversized)
    }

    /// A reader positioned after a version byte this build understands; checks the frame bound
    /// first so an oversized input is refused before anything else is done with it.
    static func versionedReader(_ bytes: [UInt8]) throws(TransportError) -> BinaryReader {
        guard bytes.count <= TransportLimits.frameBytesMax else {
            throw TransportError(.malformed, "frame of \(bytes.count) bytes exceeds \(TransportLimits.frameBytesMax)")
        }
        guard let first = bytes.first else { throw TransportError(.malformed, "empty frame") }
        guard WireVersion.reads(first) else {
            throw TransportError(.unsupportedVersion,
                                 "wire version \(first) is not supported (this node reads 1 to \(WireVersion.native))")
        }
        var reader = BinaryReader(bytes)
        _ = try? reader.readUInt8()
        return reader
    }

    /// Runs a decoding body, turning its `DecodingError` into `TransportError.malformed`.
    static func decoding<T>(_ body: () throws(DecodingError) -> T) throws(TransportError) -> T {
        do {
            return try body()
        } catch {
            throw TransportError(.malformed, error.message)
        }
    }

    /// Reads a u32 count and checks it against `max` and against what the bytes left could hold.
    static func readCount(
        _ reader: inout BinaryReader, max: Int, minimumBytesEach: Int, what: String
    ) throws(DecodingError) -> Int {
        let count = Int(try reader.readUInt32())
        guard count <= max else { throw DecodingError("\(count) \(what) exceed the bound of \(max)") }
        guard count <= reader.remainingCount / minimumBytesEach else {
            throw DecodingError("\(count) \(what) cannot fit in the \(reader.remainingCount) bytes left")
        }
        return count
    }
}

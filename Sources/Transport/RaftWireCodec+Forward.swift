import QuadCore

extension RaftWireCodec {
    /// Encodes the acknowledgement of the Deliver frame numbered `sequence`.
    public static func encodeAcknowledgement(_ sequence: UInt64) -> [UInt8] {
        var writer = BinaryWriter(capacity: 9)
        writer.write(version)
        writer.write(sequence)
        return writer.bytes
    }

    /// Decodes `encodeAcknowledgement(_:)`: the acknowledged frame's sequence number.
    public static func decodeAcknowledgement(_ bytes: [UInt8]) throws(TransportError) -> UInt64 {
        var reader = try versionedReader(bytes)
        return try decoding { () throws(DecodingError) -> UInt64 in
            let sequence = try reader.readUInt64()
            try reader.expectEnd()
            return sequence
        }
    }

    /// Encodes a Forward request: the sender and its opaque payload.
    public static func encodeForwardRequest(sender: NodeID, payload: [UInt8]) -> [UInt8] {
        var writer = BinaryWriter(capacity: 1 + 8 + 4 + payload.count)
        writer.write(version)
        writer.write(sender.rawValue)
        writer.writeBytes(payload)
        return writer.bytes
    }

    /// Decodes `encodeForwardRequest(sender:payload:)`.
    public static func decodeForwardRequest(_ bytes: [UInt8]) throws(TransportError) -> (sender: NodeID, payload: [UInt8]) {
        var reader = try versionedReader(bytes)
        return try decoding { () throws(DecodingError) -> (sender: NodeID, payload: [UInt8]) in
            let sender = NodeID(try reader.readUInt64())
            let payload = try reader.readBytes()
            try reader.expectEnd()
            return (sender, payload)
        }
    }

    /// Encodes a Forward response: the handler's opaque answer.
    public static func encodeForwardResponse(_ payload: [UInt8]) -> [UInt8] {
        var writer = BinaryWriter(capacity: 1 + 4 + payload.count)
        writer.write(version)
        writer.writeBytes(payload)
        return writer.bytes
    }

    /// Decodes `encodeForwardResponse(_:)`.
    public static func decodeForwardResponse(_ bytes: [UInt8]) throws(TransportError) -> [UInt8] {
        var reader = try versionedReader(bytes)
        return try decoding { () throws(DecodingError) -> [UInt8] in
            let payload = try reader.readBytes()
            try reader.expectEnd()
            return payload
        }
    }
}

import GRPCCore

/// Passes already-encoded frames through.
struct FrameSerializer: MessageSerializer {
    func serialize<Bytes: GRPCContiguousBytes>(_ message: [UInt8]) throws -> Bytes { Bytes(message) }
}

/// Copies a received frame out of the transport's buffer after checking its size, and decodes
/// it with `decode`; a frame that does not decode fails the RPC with a status, never a crash.
struct FrameDeserializer<Message: Sendable>: MessageDeserializer {
    let decode: @Sendable ([UInt8]) throws(TransportError) -> Message

    func deserialize<Bytes: GRPCContiguousBytes>(_ serializedMessageBytes: Bytes) throws -> Message {
        guard serializedMessageBytes.count <= TransportLimits.frameBytesMax else {
            throw RPCError(code: .resourceExhausted, message: "frame over \(TransportLimits.frameBytesMax) bytes")
        }
        let bytes = serializedMessageBytes.withUnsafeBytes { Array($0) }
        do {
            return try decode(bytes)
        } catch {
            throw RPCError(error)
        }
    }
}

extension RPCError {
    /// The status a transport error travels as.
    init(_ error: TransportError) {
        let code: RPCError.Code
        switch error.code {
        case .malformed: code = .invalidArgument
        case .unsupportedVersion: code = .failedPrecondition
        case .unknownPeer: code = .notFound
        case .unavailable, .shutDown: code = .unavailable
        case .deadlineExceeded: code = .deadlineExceeded
        case .remoteFailure: code = .aborted
        }
        self.init(code: code, message: error.description)
    }
}

extension TransportError {
    /// The transport error a failed RPC becomes on the calling side.
    init(_ error: RPCError) {
        switch error.code {
        case .deadlineExceeded: self.init(.deadlineExceeded, error.message)
        case .unavailable, .cancelled: self.init(.unavailable, error.message)
        case .failedPrecondition: self.init(.unsupportedVersion, error.message)
        case .invalidArgument: self.init(.malformed, error.message)
        default: self.init(.remoteFailure, "\(error.code): \(error.message)")
        }
    }
}

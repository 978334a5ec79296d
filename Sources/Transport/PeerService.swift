import GRPCCore
import Logging
import QuadCore
import Raft

/// The gRPC service `quad.peer.v1.Peer`, defined by hand: no protobuf, messages are our own
/// versioned frames (`RaftWireCodec`) carried as bytes.
enum PeerMethod {
    /// The service's fully qualified name.
    static let service = ServiceDescriptor(fullyQualifiedService: "quad.peer.v1.Peer")
    /// Bidirectional: Deliver frames in, one acknowledgement (the frame's sequence) out per frame.
    static let deliver = MethodDescriptor(service: service, method: "Deliver", type: .bidirectionalStreaming)
    /// Unary: a Forward request in, the handler's response out.
    static let forward = MethodDescriptor(service: service, method: "Forward", type: .unary)
}

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

/// The server half of `quad.peer.v1.Peer`: hands Deliver frames to the sink in arrival order,
/// acknowledging each after the sink returns, and Forward requests to the handler.
struct PeerService: RegistrableRPCService {
    let sink: PeerServer.Sink
    let forwardHandler: PeerServer.ForwardHandler
    let logger: Logger

    func registerMethods<Transport: ServerTransport>(with router: inout RPCRouter<Transport>) {
        router.registerHandler(
            forMethod: PeerMethod.deliver,
            deserializer: FrameDeserializer(decode: RaftWireCodec.decodeDeliverFrame),
            serializer: FrameSerializer()
        ) { request, _ in
            StreamingServerResponse(of: [UInt8].self) { writer in
                for try await frame in request.messages {
                    await sink(frame.sender, frame.messages)
                    try await writer.write(RaftWireCodec.encodeAcknowledgement(frame.sequence))
                }
                return [:]
            }
        }
        router.registerHandler(
            forMethod: PeerMethod.forward,
            deserializer: FrameDeserializer(decode: RaftWireCodec.decodeForwardRequest),
            serializer: FrameSerializer()
        ) { request, _ in
            let single = try await ServerRequest(stream: request)
            let answer: [UInt8]
            do {
                answer = try await forwardHandler(single.message.sender, single.message.payload)
            } catch let error as TransportError {
                throw RPCError(error)
            } catch let error as RPCError {
                throw error
            } catch {
                logger.debug("forward handler failed", metadata: ["error": "\(error)"])
                throw RPCError(code: .aborted, message: "forward handler failed: \(error)")
            }
            return StreamingServerResponse(single: ServerResponse(message: RaftWireCodec.encodeForwardResponse(answer)))
        }
    }
}

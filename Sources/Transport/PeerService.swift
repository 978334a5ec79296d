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

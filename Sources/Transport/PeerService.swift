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
    /// Client streaming: a snapshot's header and row chunks in, one empty acknowledgement out
    /// once the receiver stored every chunk and stepped the snapshot message. On its own stream,
    /// so a large snapshot never holds up the Deliver stream's heartbeats.
    static let installSnapshot = MethodDescriptor(service: service, method: "InstallSnapshot", type: .clientStreaming)
    /// Request metadata naming the caller's cluster; a server of another cluster refuses the call.
    static let clusterIDKey = "quad-cluster-id"

    /// The metadata every call carries.
    static func metadata(clusterID: String) -> Metadata {
        var metadata = Metadata()
        metadata.addString(clusterID, forKey: clusterIDKey)
        return metadata
    }
}

/// The server half of `quad.peer.v1.Peer`: hands Deliver frames to the sink in arrival order,
/// acknowledging each after the sink returns, and Forward requests to the handler.
struct PeerService: RegistrableRPCService {
    let sink: PeerServer.Sink
    let forwardHandler: PeerServer.ForwardHandler
    let snapshotHandler: PeerServer.SnapshotHandler?
    let clusterID: String
    let logger: Logger

    /// Refuses a call from another cluster (or one that names none) before reading any frame.
    private func checkCluster(_ metadata: Metadata) throws {
        let sent = metadata[stringValues: PeerMethod.clusterIDKey].first { _ in true }
        guard sent == clusterID else {
            logger.warning("refused a peer of another cluster", metadata: ["sent": "\(sent ?? "none")"])
            throw RPCError(code: .failedPrecondition, message: """
                cluster_mismatch: this node belongs to cluster "\(clusterID)", the caller to "\(sent ?? "none")"
                """)
        }
    }

    func registerMethods<Transport: ServerTransport>(with router: inout RPCRouter<Transport>) {
        router.registerHandler(
            forMethod: PeerMethod.deliver,
            deserializer: FrameDeserializer(decode: RaftWireCodec.decodeDeliverFrame),
            serializer: FrameSerializer()
        ) { request, _ in
            try checkCluster(request.metadata)
            return StreamingServerResponse(of: [UInt8].self) { writer in
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
            try checkCluster(request.metadata)
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
        router.registerHandler(
            forMethod: PeerMethod.installSnapshot,
            deserializer: FrameDeserializer(decode: RaftWireCodec.decodeSnapshotFrame),
            serializer: FrameSerializer()
        ) { request, _ in
            try checkCluster(request.metadata)
            guard let snapshotHandler else {
                throw RPCError(code: .unimplemented, message: "this node does not take snapshots")
            }
            var frames = request.messages.makeAsyncIterator()
            guard case let .header(sender, group, message)? = try await frames.next() else {
                throw RPCError(code: .invalidArgument, message: "a snapshot stream starts with its header")
            }
            let chunks = SnapshotChunkReader(next: {
                switch try await frames.next() {
                case nil: return nil
                case let .chunk(bytes)?: return bytes
                case .header?: throw TransportError(.malformed, "a second header in one snapshot stream")
                }
            })
            do {
                try await snapshotHandler(sender, group, message, chunks)
            } catch let error as TransportError {
                throw RPCError(error)
            } catch let error as RPCError {
                throw error
            } catch {
                logger.info("snapshot refused", metadata: ["group": "\(group)", "error": "\(error)"])
                throw RPCError(code: .aborted, message: "snapshot refused: \(error)")
            }
            return StreamingServerResponse(single: ServerResponse(message: RaftWireCodec.encodeForwardResponse([])))
        }
    }
}

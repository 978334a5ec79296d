import GRPCCore
import GRPCNIOTransportHTTP2
import Logging
import QuadCore
import Raft
import ServiceLifecycle

/// The listening side of the peer transport: an HTTP/2 gRPC server (plaintext, or mutual TLS
/// with `tls`) offering
/// `quad.peer.v1.Peer`, run as a ServiceLifecycle `Service`.
///
/// Received Deliver frames go to `sink` one at a time per stream, in the order the peer sent
/// them; the frame is acknowledged when the sink returns, so a slow sink slows its sender
/// (HTTP/2 flow control) instead of queueing here. Forward requests go to `forwardHandler`
/// under the caller's deadline (the handler's task is cancelled when it passes).
public final class PeerServer: Service, Sendable {
    /// Takes a batch from a peer: the sending node, then the messages in send order.
    public typealias Sink = @Sendable (NodeID, [(PartitionID, Raft.Message)]) async -> Void
    /// Answers a forwarded request from the node named first; what it throws reaches the caller
    /// as `TransportError` (`.remoteFailure`, or the code of a thrown `TransportError`).
    public typealias ForwardHandler = @Sendable (NodeID, [UInt8]) async throws -> [UInt8]
    /// Takes a snapshot stream: the sender, the group, the `.installSnapshot` message, and its
    /// row chunks to read to the end before stepping the message. Throwing refuses the snapshot
    /// (the sender reports it failed and its leader tries again later).
    public typealias SnapshotHandler = @Sendable (NodeID, PartitionID, Raft.Message, SnapshotChunkReader) async throws -> Void

    /// How long a graceful shutdown waits for open streams (peers keep Deliver streams open
    /// indefinitely) before it cancels them: 2 s, several heartbeat intervals, enough for an
    /// in-flight Forward to finish.
    public static let shutdownGraceDuration: Duration = .seconds(2)

    private let server: GRPCServer<HTTP2ServerTransport.Posix>
    private let transport: HTTP2ServerTransport.Posix
    private let logger: Logger

    /// Makes a server for `host:port` (port 0 picks a free port; read it from
    /// `listeningAddress` once `run()` has started). Nothing listens until `run()`.
    public init(host: String, port: Int, clusterID: String = ClusterID.standard, logger: Logger, sink: @escaping Sink,
                forwardHandler: @escaping ForwardHandler, snapshotHandler: SnapshotHandler? = nil,
                tls: PeerTLS? = nil) {
        let config = HTTP2ServerTransport.Posix.Config.defaults { config in
            config.rpc.maxRequestPayloadSize = TransportLimits.frameBytesMax
        }
        transport = HTTP2ServerTransport.Posix(
            address: host.contains(":") ? .ipv6(host: host, port: port) : .ipv4(host: host, port: port),
            transportSecurity: tls?.serverSecurity ?? .plaintext, config: config)
        let service = PeerService(sink: sink, forwardHandler: forwardHandler, snapshotHandler: snapshotHandler, clusterID: clusterID, logger: logger)
        server = GRPCServer(transport: transport, services: [service])
        self.logger = logger
    }

    /// The bound address; waits until the server listens, throws if it could not bind or stopped.
    public var listeningAddress: PeerAddress {
        get async throws {
            let address = try await transport.listeningAddress
            if let ipv4 = address.ipv4 { return PeerAddress(host: ipv4.host, port: ipv4.port) }
            if let ipv6 = address.ipv6 { return PeerAddress(host: ipv6.host, port: ipv6.port) }
            throw TransportError(.unavailable, "the server is not bound to an IP address: \(address)")
        }
    }

    /// Serves until cancelled, or until a graceful shutdown (then open streams get
    /// `shutdownGraceDuration` to finish before they are cancelled). Call at most once.
    public func run() async throws {
        logger.info("peer server starting")
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await self.server.serve() }
            group.addTask {
                try await gracefulShutdown()
                self.logger.info("peer server shutting down")
                self.server.beginGracefulShutdown()
                try await Task.sleep(for: Self.shutdownGraceDuration)
            }
            defer { group.cancelAll() }
            do {
                _ = try await group.next()
            } catch is CancellationError {
                return
            }
        }
        logger.info("peer server stopped")
    }
}

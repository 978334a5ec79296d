import GRPCCore
import GRPCNIOTransportHTTP2
import Logging
import QuadCore
import Raft
import Synchronization

/// The link to one peer: a gRPC client on one HTTP/2 connection, one long-lived Deliver stream
/// fed from a bounded queue, and Forward calls on the same connection.
final class PeerLink: Sendable {
    let peer: NodeID
    let address: PeerAddress
    let queue: OutboundQueue
    let counters = LinkCounterStorage()
    private let nextSequence = Atomic<UInt64>(1)
    private let client: GRPCClient<HTTP2ClientTransport.Posix>
    private let configuration: PeerLinks.Configuration
    private let logger: Logger

    init(peer: NodeID, address: PeerAddress, configuration: PeerLinks.Configuration, logger: Logger) throws {
        self.peer = peer
        self.address = address
        self.configuration = configuration
        var logger = logger
        logger[metadataKey: "peer"] = "\(peer)"
        self.logger = logger
        queue = OutboundQueue(framesMax: configuration.queuedFramesMax, bytesMax: configuration.queuedBytesMax)
        let config = HTTP2ClientTransport.Posix.Config.defaults { config in
            config.backoff = .init(
                initial: configuration.reconnectBackoffInitial, max: configuration.reconnectBackoffMax,
                multiplier: 2, jitter: 0.2)
        }
        let transport = try HTTP2ClientTransport.Posix(
            target: Self.target(address), transportSecurity: configuration.tls?.clientSecurity ?? .plaintext,
            config: config)
        client = GRPCClient(transport: transport)
    }

    private static func target(_ address: PeerAddress) -> any ResolvableTarget {
        if address.host.contains(":") { return ResolvableTargets.IPv6.ipv6(address: address.host, port: address.port) }
        if address.host.allSatisfy({ $0.isNumber || $0 == "." }) {
            return ResolvableTargets.IPv4.ipv4(address: address.host, port: address.port)
        }
        return ResolvableTargets.DNS.dns(host: address.host, port: address.port)
    }

    /// Numbers, encodes and queues one frame's worth of messages; never waits.
    func enqueue(_ messages: [(PartitionID, Raft.Message)], sender: NodeID) {
        let sequence = nextSequence.add(1, ordering: .relaxed).oldValue
        let bytes = RaftWireCodec.encode(DeliverFrame(sender: sender, sequence: sequence, messages: messages))
        counters.drop(queue.enqueue(QueuedFrame(sequence: sequence, messageCount: messages.count, bytes: bytes)))
    }

    /// Runs the connection and the Deliver stream until cancelled; then drops what is queued.
    func run() async {
        await withDiscardingTaskGroup { group in
            group.addTask {
                do {
                    try await self.client.runConnections()
                } catch {
                    self.logger.warning("peer connection stopped", metadata: ["error": "\(error)"])
                }
            }
            await deliverLoop()
            counters.drop(queue.close())
            client.beginGracefulShutdown()
        }
    }

    /// Keeps one Deliver stream open, reopening it after a failure with capped exponential backoff.
    private func deliverLoop() async {
        var delay = configuration.reconnectBackoffInitial
        let options = Self.callOptions(timeout: nil, waitForReady: true)
        while !Task.isCancelled {
            let opened = ContinuousClock.now
            do {
                try await openDeliverStream(options: options)
            } catch let error as RPCError where error.code == .failedPrecondition {
                logger.error("peer refused this node", metadata: ["reason": "\(error.message)"])
                configuration.onRefused?(peer, error.message)
            } catch {
                logger.debug("deliver stream failed", metadata: ["error": "\(error)"])
            }
            guard !Task.isCancelled else { return }
            counters.reconnects.add(1, ordering: .relaxed)
            if ContinuousClock.now - opened > configuration.reconnectBackoffMax {
                delay = configuration.reconnectBackoffInitial
            }
            try? await Task.sleep(for: delay)
            delay = min(delay * 2, configuration.reconnectBackoffMax)
        }
    }

    /// One Deliver stream: writes queued frames in order, counts acknowledgements.
    private func openDeliverStream(options: CallOptions) async throws {
        let request = StreamingClientRequest(
            of: [UInt8].self, metadata: PeerMethod.metadata(clusterID: configuration.clusterID)
        ) { writer in
            while let frame = await self.queue.next() {
                do {
                    try await writer.write(frame.bytes)
                } catch {
                    self.counters.drop([frame])
                    throw error
                }
                self.counters.framesSent.add(1, ordering: .relaxed)
                self.counters.messagesSent.add(frame.messageCount, ordering: .relaxed)
            }
        }
        try await client.bidirectionalStreaming(
            request: request, descriptor: PeerMethod.deliver, serializer: FrameSerializer(),
            deserializer: FrameDeserializer(decode: RaftWireCodec.decodeAcknowledgement), options: options
        ) { response in
            for try await _ in response.messages {
                self.counters.framesAcknowledged.add(1, ordering: .relaxed)
            }
        }
    }

    /// One InstallSnapshot call under `timeout`: `header`, then each chunk as it is read.
    func sendSnapshot(header: [UInt8], timeout: Duration,
                      nextChunk: @escaping @Sendable () throws -> [UInt8]?) async throws(TransportError) {
        let options = Self.callOptions(timeout: timeout, waitForReady: false)
        let request = StreamingClientRequest(
            of: [UInt8].self, metadata: PeerMethod.metadata(clusterID: configuration.clusterID)
        ) { writer in
            try await writer.write(header)
            while let chunk = try nextChunk() {
                try await writer.write(RaftWireCodec.encode(SnapshotFrame.chunk(chunk)))
            }
        }
        do {
            _ = try await client.clientStreaming(
                request: request, descriptor: PeerMethod.installSnapshot, serializer: FrameSerializer(),
                deserializer: FrameDeserializer(decode: RaftWireCodec.decodeForwardResponse), options: options
            ) { response in
                try response.message
            }
        } catch let error as RPCError {
            throw TransportError(error)
        } catch let error as TransportError {
            throw error
        } catch {
            throw TransportError(.unavailable, "snapshot to \(peer) failed: \(error)")
        }
    }

    /// Options of every call on the link: frames up to `TransportLimits.frameBytesMax` either way.
    private static func callOptions(timeout: Duration?, waitForReady: Bool) -> CallOptions {
        var options = CallOptions.defaults
        options.timeout = timeout
        options.waitForReady = waitForReady
        options.maxRequestMessageBytes = TransportLimits.frameBytesMax
        options.maxResponseMessageBytes = TransportLimits.frameBytesMax
        return options
    }

    /// One Forward call under `timeout`.
    func forward(_ frame: [UInt8], timeout: Duration) async throws(TransportError) -> [UInt8] {
        let options = Self.callOptions(timeout: timeout, waitForReady: false)
        do {
            return try await client.unary(
                request: ClientRequest(message: frame, metadata: PeerMethod.metadata(clusterID: configuration.clusterID)),
                descriptor: PeerMethod.forward, serializer: FrameSerializer(),
                deserializer: FrameDeserializer(decode: RaftWireCodec.decodeForwardResponse), options: options
            ) { response in
                try response.message
            }
        } catch let error as RPCError {
            throw TransportError(error)
        } catch {
            throw TransportError(.unavailable, "forward to \(peer) failed: \(error)")
        }
    }
}

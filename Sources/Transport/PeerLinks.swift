import Logging
import QuadCore
import Raft
import ServiceLifecycle
import Synchronization

/// The sending side of the peer transport: one long-lived link per peer, run as a
/// ServiceLifecycle `Service`.
///
/// `send(_:to:)` encodes the batch and queues it for the peer's Deliver stream without ever
/// waiting; each peer's queue is bounded (`Configuration.queuedFramesMax`, `queuedBytesMax`) and
/// when full drops its oldest frames and counts them, because Raft tolerates lost messages and
/// the newest are worth most. A link whose peer is down reconnects by itself with capped
/// exponential backoff; queued frames go out, in order, once it is back.
public final class PeerLinks: Service, Sendable {
    /// Tunables of the links; the defaults are the production values.
    public struct Configuration: Sendable {
        /// First wait before reconnecting to a peer that failed: 50 ms, about one heartbeat.
        public var reconnectBackoffInitial: Duration = .milliseconds(50)
        /// Cap of the doubling reconnect wait: 1 s, so a returning peer is heard from again within
        /// about a second while a dead one costs at most one connection attempt a second.
        public var reconnectBackoffMax: Duration = .seconds(1)
        /// Frames queued per peer before the oldest are dropped.
        public var queuedFramesMax = TransportLimits.queuedFramesPerPeerMax
        /// Encoded bytes queued per peer before the oldest frames are dropped (a single frame
        /// larger than this is still queued alone).
        public var queuedBytesMax = TransportLimits.queuedBytesPerPeerMax
        /// The cluster this node belongs to, sent with every call; peers of another cluster refuse.
        public var clusterID = ClusterID.standard
        /// Called (again on every retry) when a peer refuses this node, with the peer's reason.
        public var onRefused: (@Sendable (NodeID, String) -> Void)?
        /// Mutual TLS to every peer; nil speaks plaintext.
        public var tls: PeerTLS?

        /// The production defaults.
        public init() {}
    }

    /// This node's ID, the sender of every frame.
    public let nodeID: NodeID
    private let configuration: Configuration
    /// The link to each peer; peers are added while running as the cluster's membership grows.
    private let links: Mutex<[NodeID: PeerLink]>
    /// Links made but not yet running: `run()` starts each as it arrives.
    private let added: (stream: AsyncStream<PeerLink>, continuation: AsyncStream<PeerLink>.Continuation)
    private let logger: Logger
    /// Messages that could not be sent at all: to an unknown peer, or too large for a frame.
    private let unsendableMessages = Atomic<Int>(0)

    /// Makes links from `nodeID` to each peer in `peers`; nothing connects until `run()`.
    /// Throws when an address cannot be turned into a connection target.
    public init(
        nodeID: NodeID, peers: [NodeID: PeerAddress], configuration: Configuration = Configuration(),
        logger: Logger
    ) throws {
        precondition(peers[nodeID] == nil, "a node does not link to itself")
        self.nodeID = nodeID
        self.configuration = configuration
        var logger = logger
        logger[metadataKey: "node"] = "\(nodeID)"
        self.logger = logger
        links = Mutex([:])
        added = AsyncStream.makeStream(of: PeerLink.self)
        for (peer, address) in peers { try addPeer(peer, at: address) }
    }

    /// Links to `peer` at `address` from now on (a member that joined). Does nothing when the
    /// peer is linked already; a member's address does not change while it is a member.
    public func addPeer(_ peer: NodeID, at address: PeerAddress) throws {
        guard peer != nodeID else { return }
        let link = try links.withLock { links -> PeerLink? in
            guard links[peer] == nil else { return nil }
            let link = try PeerLink(peer: peer, address: address, configuration: configuration, logger: logger)
            links[peer] = link
            return link
        }
        if let link {
            logger.info("linking to a peer", metadata: ["peer": "\(peer)", "address": "\(address.host):\(address.port)"])
            added.continuation.yield(link)
        }
    }

    /// The peers this node links to.
    public var peers: [NodeID] { links.withLock { $0.keys.sorted() } }

    private func link(_ peer: NodeID) -> PeerLink? { links.withLock { $0[peer] } }

    /// Runs every link, those added later included, until cancelled or until a graceful shutdown;
    /// frames still queued then are dropped (and counted). Call at most once.
    public func run() async throws {
        logger.info("peer links starting", metadata: ["peers": "\(peers)"])
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                for await link in self.added.stream {
                    group.addTask { await link.run() }
                }
                group.cancelAll()
            }
        }
        logger.info("peer links stopped")
    }

    /// Queues `batch` for `peer`, split into frames of at most `TransportLimits.frameBytesMax`,
    /// and returns at once. Messages to an unknown peer, or too large for any frame, are dropped
    /// and counted in `messagesDropped`.
    public func send(_ batch: [(PartitionID, Raft.Message)], to peer: NodeID) {
        guard !batch.isEmpty else { return }
        guard let link = link(peer) else {
            unsendableMessages.add(batch.count, ordering: .relaxed)
            return
        }
        let (runs, oversized) = RaftWireCodec.frames(for: batch)
        if !oversized.isEmpty {
            unsendableMessages.add(oversized.count, ordering: .relaxed)
            logger.warning("messages too large for a frame dropped", metadata: ["peer": "\(peer)", "count": "\(oversized.count)"])
        }
        for run in runs { link.enqueue(run, sender: nodeID) }
    }

    /// Sends `bytes` to `peer`'s forward handler and returns its answer. Fails with
    /// `.deadlineExceeded` when `deadline` passes first, `.unavailable` when the peer cannot be
    /// reached now (no waiting for a reconnect), `.remoteFailure` when the handler threw,
    /// `.unknownPeer` or `.malformed` (request over `TransportLimits.frameBytesMax`).
    public func forward(_ bytes: [UInt8], to peer: NodeID, deadline: ContinuousClock.Instant) async throws(TransportError) -> [UInt8] {
        guard let link = link(peer) else { throw TransportError(.unknownPeer, "no address for \(peer)") }
        let timeout = deadline - ContinuousClock.now
        guard timeout > .zero else { throw TransportError(.deadlineExceeded, "the deadline passed before sending") }
        let frame = RaftWireCodec.encodeForwardRequest(sender: nodeID, payload: bytes)
        guard frame.count <= TransportLimits.frameBytesMax else {
            throw TransportError(.malformed, "forward request of \(bytes.count) bytes exceeds the frame bound")
        }
        return try await link.forward(frame, timeout: timeout)
    }

    /// Queues an empty frame for `peer` (a node-level heartbeat), unless frames are already queued.
    public func ping(_ peer: NodeID) {
        guard let link = link(peer), link.queue.count == 0 else { return }
        link.enqueue([], sender: nodeID)
    }

    /// Streams a snapshot to `peer` on its own call: the header naming `group` and `message`
    /// (an `.installSnapshot`), then every chunk `nextChunk` yields until it returns `nil`.
    /// Returns once the peer stored the rows and stepped the message; throws when it refused,
    /// could not be reached, or `timeout` passed.
    public func sendSnapshot(
        _ message: Raft.Message, group: PartitionID, to peer: NodeID, timeout: Duration,
        nextChunk: @escaping @Sendable () throws -> [UInt8]?
    ) async throws(TransportError) {
        guard let link = link(peer) else { throw TransportError(.unknownPeer, "no address for \(peer)") }
        try await link.sendSnapshot(
            header: RaftWireCodec.encode(SnapshotFrame.header(sender: nodeID, group: group, message: message)),
            timeout: timeout, nextChunk: nextChunk)
    }

    /// Counters of the link to `peer`, or nil for an unknown peer.
    public func counters(for peer: NodeID) -> PeerLinkCounters? {
        guard let link = link(peer) else { return nil }
        return link.counters.snapshot(framesQueued: link.queue.count)
    }

    /// Counters summed over all peers, plus the messages no link could take.
    public var counters: PeerLinkCounters {
        var total = links.withLock { Array($0.values) }.reduce(PeerLinkCounters()) { $0 + $1.counters.snapshot(framesQueued: $1.queue.count) }
        total.messagesDropped += unsendableMessages.load(ordering: .relaxed)
        return total
    }
}

public import QuadCore
public import Raft

/// What a replica driver needs from the network: fire-and-forget Raft messages (Raft
/// tolerates loss) and one-hop forwarding of a client write to a partition leader.
/// `Transport.PeerLinks` implements it over HTTP/2; tests use an in-process one.
public protocol PeerMessenger: Sendable {
    /// Sends messages to `peer` without waiting; may drop them when the link is down or full.
    func send(_ messages: [(PartitionID, Raft.Message)], to peer: NodeID)
    /// Sends `request` to `peer`'s forward handler and returns its answer, or throws after `timeout`.
    func forward(_ request: [UInt8], to peer: NodeID, timeout: Duration) async throws -> [UInt8]
    /// Streams a snapshot to `peer` on a stream of its own: the `.installSnapshot` message of
    /// `group` and the chunks of `rows`. Returns once `peer` installed (or declined) it; throws
    /// when it could not, or after `timeout`.
    func sendSnapshot(_ message: Raft.Message, group: PartitionID, to peer: NodeID, timeout: Duration,
                      rows: SnapshotRowCursor) async throws
    /// Makes sure every member in `addresses` (ID to `host:port`) can be sent to: links to
    /// members that joined the cluster.
    func updatePeers(_ addresses: [NodeID: String])
    /// Sends `peer` an empty frame: the node-level heartbeat that tells it this node is alive
    /// while its groups are quiet. May be dropped like any message.
    func ping(_ peer: NodeID)
    /// The peer wire version this build's frames are laid out in (a founding cluster's version).
    var nativeWireVersion: UInt8 { get }
    /// Writes frames in the cluster's wire version from now on (its native one if lower).
    func adoptWireVersion(_ clusterVersion: UInt8)
}

/// A cluster member as configured: its ID and where its peers reach it.
public struct ClusterMember: Sendable, Equatable {
    public var id: NodeID
    /// `host:port` of its peer (Raft/forwarding) listener.
    public var peerAddress: String

    public init(id: NodeID, peerAddress: String) {
        self.id = id
        self.peerAddress = peerAddress
    }
}

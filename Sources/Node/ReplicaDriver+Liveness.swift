import QuadCore

extension ReplicaDriver {
    /// How often (in ticks) a node pings every peer, so that peers of quiet groups know it is
    /// alive: every 100 ms, one tiny frame per peer however many groups there are.
    static let pingTicks = 2
    /// A peer heard from within this long is live: three pings.
    static let livenessWindow: Duration = .milliseconds(300)

    /// Records traffic from `peer` (called by the transport for every frame, pings included).
    public nonisolated func noteHeard(from peer: NodeID) {
        lastHeard.withLock { $0[peer] = .now }
    }

    /// Milliseconds since traffic last arrived from `peer`, or nil if it never did.
    public nonisolated func millisecondsSinceHeard(from peer: NodeID) -> UInt64? {
        guard let heard = lastHeard.withLock({ $0[peer] }) else { return nil }
        let elapsed = ContinuousClock.now - heard
        return UInt64(max(0, elapsed.components.seconds)) * 1_000
            + UInt64(max(0, elapsed.components.attoseconds) / 1_000_000_000_000_000)
    }

    /// This node and the peers heard from within `livenessWindow`.
    func liveNodes() -> Set<NodeID> {
        let now = ContinuousClock.now
        var live: Set<NodeID> = [nodeID]
        for (peer, heard) in lastHeard.withLock({ $0 }) where now - heard <= Self.livenessWindow { live.insert(peer) }
        return live
    }
}

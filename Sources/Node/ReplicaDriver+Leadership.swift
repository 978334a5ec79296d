public import QuadCore
import Raft

extension ReplicaDriver {
    /// How long a requested leadership transfer may take before the caller is told to retry.
    public static let transferTimeout: Duration = .seconds(3)
    /// How often (in ticks) a node checks whether it leads more than its share: every 2 s.
    static let balanceTicks = 40

    /// Moves the leadership of `partition` to `target`, a voter of it, from any node: the leader
    /// transfers, any other node forwards the request to the leader. Returns the new leader.
    /// Throws `NodeError` `invalidTarget` for a non-voter, `unavailable` when there is no leader
    /// or the transfer did not finish within `transferTimeout` (retry).
    public func transferLeadership(of partition: PartitionID, to target: NodeID) async throws -> NodeID {
        let voters = host.voters(of: partition)
        guard !voters.isEmpty else {
            // Not held here: ask a node that holds it (the first replica by placement).
            let replicas = desiredVoters(of: partition)
            guard let holder = replicas.first(where: { $0 != nodeID }) else {
                throw NodeError(.unavailable, "No node holds \(partition).")
            }
            return try await forwardTransfer(of: partition, to: target, via: holder)
        }
        guard voters.contains(target) else {
            throw NodeError(.invalidTarget, "\(target) is not a voter of \(partition) (voters: \(voters)).")
        }
        if leader(of: partition) == target { return target }
        if host.role(of: partition) != .leader {
            guard let leader = leader(of: partition), leader != nodeID else {
                throw NodeError(.unavailable, "\(partition) has no leader right now; retry shortly.")
            }
            return try await forwardTransfer(of: partition, to: target, via: leader)
        }
        host.transferLeadership(of: partition, to: target)
        scheduleRound()
        let deadline = ContinuousClock.now + Self.transferTimeout
        while ContinuousClock.now < deadline, !isStopped {
            try await Task.sleep(for: Self.tickInterval)
            if leader(of: partition) == target { return target }
            // The core gives a transfer up after an election timeout (the target may have been
            // pre-campaigning, which ignores the hand-over, or missed it): ask again while this
            // node still leads.
            if host.role(of: partition) == .leader, host.groups[partition]?.transferTarget == NodeID.none {
                host.transferLeadership(of: partition, to: target)
                scheduleRound()
            }
        }
        throw NodeError(.unavailable, "The transfer of \(partition) to \(target) did not finish in time; retry.")
    }

    private func forwardTransfer(of partition: PartitionID, to target: NodeID, via peer: NodeID) async throws -> NodeID {
        var writer = BinaryWriter()
        writer.write(ForwardKind.transfer.rawValue)
        writer.write(partition.rawValue)
        writer.write(target.rawValue)
        let answer: [UInt8]
        do {
            answer = try await messenger.forward(writer.bytes, to: peer, timeout: Self.transferTimeout + .seconds(1))
        } catch {
            throw NodeError(.unavailable, "\(peer) cannot be reached right now; retry shortly.")
        }
        var reader = BinaryReader(Array(answer.dropFirst()))
        if answer.first == 0, let leader = try? reader.readUInt64() { return NodeID(leader) }
        throw ForwardAnswer.error(in: answer, "\(peer) could not transfer \(partition); retry.")
    }

    /// Serves a forwarded transfer request (`ForwardKind.transfer`).
    func handleForwardedTransfer(_ request: [UInt8]) async -> [UInt8] {
        var reader = BinaryReader(request)
        guard let partition = try? reader.readUInt32(), let target = try? reader.readUInt64() else {
            return ForwardAnswer.failure(.unavailable)
        }
        do {
            let leader = try await transferLeadership(of: PartitionID(partition), to: NodeID(target))
            var writer = BinaryWriter()
            writer.write(leader.rawValue)
            return ForwardAnswer.success(writer.bytes)
        } catch {
            return ForwardAnswer.failure(error)
        }
    }

    /// Hands away one leadership when this node leads more than its share (`LeaderBalance`).
    func balanceLeaders() {
        let groups = host.partitions.filter { !$0.isMetadata }.map { partition in
            LeaderBalance.Group(partition: partition, leader: host.leader(of: partition) ?? .none,
                                voters: host.voters(of: partition))
        }
        defer { askLeaderCounts() }
        guard let move = LeaderBalance.nextTransfer(from: nodeID, groups: groups, reported: reportedLeaderCounts) else { return }
        host.transferLeadership(of: move.partition, to: move.to)
        reportedLeaderCounts[move.to, default: 0] += 1
        scheduleRound()
    }

    /// How many data partitions this node leads (what it reports to peers balancing leaders).
    var leaderCount: Int { host.partitions.filter { !$0.isMetadata && host.role(of: $0) == .leader }.count }

    /// Asks every other member how many partitions it leads, for the next balancing check.
    private func askLeaderCounts() {
        let peers = currentMembers.filter { $0 != nodeID }
        let messenger = self.messenger
        Task {
            var counts: [NodeID: Int] = [:]
            for peer in peers {
                guard let answer = try? await messenger.forward([ForwardKind.leaderCount.rawValue], to: peer,
                                                                timeout: Self.transferTimeout),
                      answer.first == 0 else { continue }
                var reader = BinaryReader(Array(answer.dropFirst()))
                if let count = try? reader.readUInt32() { counts[peer] = Int(count) }
            }
            self.reportedLeaderCounts = counts
        }
    }
}

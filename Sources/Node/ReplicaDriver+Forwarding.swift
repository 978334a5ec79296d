public import Community
public import QuadCore
import Foundation
import Metrics
import Raft

extension ReplicaDriver {
    /// How long a forwarded write may take end to end before the client gets 503.
    public static let forwardTimeout: Duration = .seconds(5)

    /// Submits a write from any node: proposes it here when this node leads its partition,
    /// otherwise forwards it one hop to the leader. Throws `NodeError` (503) when there is
    /// no leader yet or the write cannot finish; the client retries (idempotently with a
    /// client_msg_id).
    public func submit(_ command: Command) async throws -> Result<Outcome, CommunityError> {
        let partition = placement.partition(ofKey: command.body.placementKey)
        if host.role(of: partition) == .leader { return try await propose(command) }
        // Not held here (more nodes than replicas): a replica forwards it on to its leader.
        let target = host.membership(of: partition) == nil
            ? desiredVoters(of: partition).first { $0 != nodeID } : leader(of: partition)
        guard let leader = target, leader != nodeID else {
            throw NodeError(.unavailable, "\(partition) has no leader right now; retry shortly.")
        }
        let answer: [UInt8]
        metrics.forwards.increment()
        let started = ContinuousClock.now
        defer { metrics.forwardLatency.record(duration: ContinuousClock.now - started) }
        do {
            answer = try await messenger.forward([ForwardKind.command.rawValue] + command.encoded(), to: leader,
                                                 timeout: Self.forwardTimeout)
        } catch let error as NodeError {
            throw error
        } catch {
            // The leader we know of is down, unreachable or slow: an election is probably under way.
            // The write may or may not have been applied; a retry with the same client_msg_id is safe.
            throw NodeError(.unavailable, "\(partition)'s leader \(leader) cannot be reached right now; retry shortly.")
        }
        return try Self.decodeForwardAnswer(answer)
    }

    /// Serves a write forwarded by another node: proposes it if this node leads the partition.
    /// Always returns an answer: the outcome, or the node error the forwarder should raise.
    public func handleForward(_ request: [UInt8]) async -> [UInt8] {
        switch request.first.flatMap(ForwardKind.init(rawValue:)) {
        case .command: return await handleForwardedCommand(Array(request.dropFirst()))
        case .status:
            let data = (try? JSONEncoder().encode(nodeStatus(members: currentMembers))) ?? Data()
            return ForwardAnswer.success(Array(data))
        case .transfer: return await handleForwardedTransfer(Array(request.dropFirst()))
        case .members: return ForwardAnswer.success(host.memberTable.encoded())
        case .memberCommand: return await handleForwardedMemberCommand(Array(request.dropFirst()))
        case .memberships: return handleMembershipsRequest(Array(request.dropFirst()))
        case .signInSettings: return handleSignInSettingsRequest(Array(request.dropFirst()))
        case .calendars: return handleCalendarsRequest(Array(request.dropFirst()))
        case .meetingCredentials: return handleMeetingCredentialsRequest(Array(request.dropFirst()))
        case .leaderCount:
            var writer = BinaryWriter(capacity: 4)
            writer.write(UInt32(leaderCount))
            return ForwardAnswer.success(writer.bytes)
        case nil: return ForwardAnswer.failure(.unavailable)
        }
    }

    /// Asks `peer` for its status over the peer link.
    func askStatus(of peer: NodeID, timeout: Duration) async throws -> NodeStatus {
        let answer = try await messenger.forward([ForwardKind.status.rawValue], to: peer, timeout: timeout)
        guard answer.first == 0 else { throw NodeError(.unavailable, "\(peer) did not report its status") }
        return try JSONDecoder().decode(NodeStatus.self, from: Data(answer.dropFirst()))
    }

    private func handleForwardedCommand(_ request: [UInt8]) async -> [UInt8] {
        do {
            let command = try Command(decoding: request)
            let partition = placement.partition(ofKey: command.body.placementKey)
            // From a node that holds no replica: a follower here passes it to the leader (two hops at most).
            let held = host.membership(of: partition) != nil
            let result = try await (held && host.role(of: partition) != .leader ? submit(command) : propose(command))
            return ForwardAnswer.success(result.encodedOutcome())
        } catch {
            return ForwardAnswer.failure(error)
        }
    }

    static func decodeForwardAnswer(_ answer: [UInt8]) throws -> Result<Outcome, CommunityError> {
        guard let status = answer.first else { throw NodeError(.unavailable, "Empty answer from the leader.") }
        if status == 0 { return try Result(decodingOutcome: Array(answer.dropFirst())) }
        throw ForwardAnswer.error(in: answer, "The partition leader could not take the write; retry.")
    }
}

extension ReplicaDriver {
    /// Runs `body` with readers of this node's local replica rows (stale on followers).
    public func readLocal<T: Sendable>(_ body: (_ reader: (PartitionID) -> PartitionRowReader) throws -> T) rethrows -> T {
        try body { PartitionRowReader(database: host.database, partition: $0) }
    }
}

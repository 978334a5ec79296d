public import QuadCore

/// A group's members as last configured: voters and learners.
public struct StoredMembership: Sendable, Equatable {
    public var voters: [NodeID]
    public var learners: [NodeID]

    public init(voters: [NodeID], learners: [NodeID] = []) {
        self.voters = voters
        self.learners = learners
    }

    /// Members in one group: a replication factor of 7 is plenty, 64 leaves room for learners.
    public static let membersMax = 64
}

extension RaftLogStore {
    /// Adds the membership of `group` to `batch` (bootstrap, snapshots and applied changes).
    public func setMembership(_ membership: StoredMembership, group: PartitionID, into batch: WriteBatch) {
        precondition(membership.voters.count + membership.learners.count <= StoredMembership.membersMax,
                     "a group has at most \(StoredMembership.membersMax) members")
        let key = RaftKeys.state(group, .membership)
        let words = [UInt64(membership.voters.count), UInt64(membership.learners.count)]
            + membership.voters.map(\.rawValue) + membership.learners.map(\.rawValue)
        batch.put(.raftState, key, Self.encodeWords(words, key: key))
    }

    /// The stored membership of `group`, or nil when none was written.
    public func membership(group: PartitionID) throws(StorageError) -> StoredMembership? {
        let key = RaftKeys.state(group, .membership)
        guard let value = try database.get(.raftState, key) else { return nil }
        let what = "group \(group) membership"
        let header = try Self.decodeWords(value, key: key, count: 2, what: what, prefixOnly: true)
        let voters = Int(header[0])
        let learners = Int(header[1])
        guard voters + learners <= StoredMembership.membersMax else {
            throw StorageError(code: "corrupt_entry", message: "\(what): \(voters + learners) members")
        }
        let words = try Self.decodeWords(value, key: key, count: 2 + voters + learners, what: what)
        return StoredMembership(voters: words[2..<(2 + voters)].map { NodeID($0) },
                                learners: words[(2 + voters)...].map { NodeID($0) })
    }
}

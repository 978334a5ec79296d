public import QuadCore
public import Raft
import Storage

extension ReplicaHost {
    /// Reads the member table from the metadata group's row.
    func loadMemberTable() throws {
        let reader = PartitionRowReader(database: database, partition: .metadata)
        guard let bytes = try reader.get(MemberTable.rowKey) else {
            memberTable = MemberTable()
            return
        }
        memberTable = try MemberTable(decoding: bytes)
    }

    /// Applies one logged member command: the new table goes into `rows` (with the applied index)
    /// and into memory; the proposer's outcome into `output`.
    func applyMemberCommand(_ payload: [UInt8], into rows: WriteBatch, output: inout HostOutput) throws {
        let (proposer, proposalID, command) = try MemberCommand.decode(payload)
        let result = memberTable.applying(command)
        if case .success(let table) = result, table != memberTable {
            memberTable = table
            rows.put(.data, PartitionRowReader.storedKey(.metadata, MemberTable.rowKey), table.encoded())
            output.memberTableChanged = true
        }
        if proposer == nodeID { output.memberOutcomes.append((proposalID, result)) }
    }

    /// Proposes a change of the member table in the metadata group (this node must lead it);
    /// the outcome comes back in `HostOutput.memberOutcomes` under the returned proposal ID.
    public func propose(_ command: MemberCommand) throws -> UInt64 {
        guard groups[.metadata] != nil else { throw NodeError(.unavailable, "This node does not hold the metadata group.") }
        let id = takeProposalID()
        do {
            try groups[.metadata]?.propose(command.encoded(proposer: nodeID, proposalID: id))
        } catch {
            throw Self.retryable(error, .metadata)
        }
        return id
    }

    /// Proposes one membership change of `partition`'s group (this node must lead it).
    public func proposeConfigurationChange(_ change: ConfigurationChange, in partition: PartitionID) throws {
        do {
            try groups[partition]?.proposeConfigurationChange(change)
        } catch {
            throw Self.retryable(error, partition)
        }
    }

    /// The voters and learners of `partition`'s group here (nil when not held).
    public func membership(of partition: PartitionID) -> ConfigurationState? { groups[partition]?.membership }

    /// Whether `member` has every entry of `partition`'s log but the newest `slack` (leader only).
    public func isCaughtUp(_ member: NodeID, in partition: PartitionID, slack: UInt64) -> Bool {
        guard let group = groups[partition], let status = group.replicationStatus(of: member),
              status.state == .replicate else { return false }
        return status.match.rawValue + slack >= group.lastIndex.rawValue
    }

    /// Deletes the groups whose removal of this node was applied: their log, Raft state and rows.
    ///
    /// Only once the group applied everything it knows committed and still leaves this node out:
    /// a node replaying the log of a group it was removed from and later added back to applies
    /// the old removal first, and must not delete the group it is rebuilding.
    func leaveRemovedGroups() throws -> [PartitionID] {
        guard !leaving.isEmpty else { return [] }
        var left: [PartitionID] = []
        for partition in leaving.sorted() {
            guard let group = groups[partition], !group.membership.members.contains(nodeID) else {
                leaving.remove(partition)
                continue
            }
            if group.appliedIndex >= group.commitIndex { left.append(partition) }
        }
        guard !left.isEmpty else { return [] }
        let batch = database.makeWriteBatch()
        for partition in left {
            leaving.remove(partition)
            groups[partition] = nil
            storages[partition] = nil
            applied[partition] = nil
            store.removeGroup(partition, into: batch)
            let range = PartitionSnapshot.keyRange(partition)
            batch.deleteRange(.data, from: range.lower, to: range.upper)
            if partition.isMetadata { memberTable = MemberTable() }
        }
        try database.write(batch, sync: false)
        return left
    }

    /// Drops `partition`'s group if it never learned a membership (it was opened by a stray
    /// message after this node left it); returns whether it did.
    public func dropIfUnconfigured(_ partition: PartitionID) throws -> Bool {
        guard let group = groups[partition], group.membership.members.isEmpty, group.leader == .none,
              group.commitIndex == .zero else { return false }
        leaving.insert(partition)
        return try leaveRemovedGroups() == [partition]
    }
}

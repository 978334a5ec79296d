import QuadCore
import Community
import Raft
import Storage

extension ReplicaDriver {
    /// How often (in ticks) leaders move their groups toward placement: every 0.5 s.
    static let rebalanceTicks = 10
    /// New replicas one node catches up at once; more wait, so catching a node up never takes
    /// every core and disk from client traffic.
    public static let movesMax = 4
    /// A learner this close to the leader's last index is promoted.
    static let catchUpSlack: UInt64 = 64
    /// How long a member-table change may take before the caller is told to retry.
    public static let memberChangeTimeout: Duration = .seconds(5)

    /// The members as this node knows them: the metadata group's table, or the founders until
    /// it has one.
    var currentMembers: [NodeID] {
        host.memberTable.isEmpty ? foundingMembers.map(\.id).sorted() : host.memberTable.members.keys.sorted()
    }

    /// The members as this node knows them, in ID order.
    public func knownMembers() -> [NodeID] { currentMembers }

    /// The member table this node holds (empty on a node that has not caught up yet).
    public var memberTable: MemberTable { host.memberTable }

    /// The voters placement wants for `partition` among the active members.
    func desiredVoters(of partition: PartitionID) -> [NodeID] {
        let active = host.memberTable.isEmpty ? foundingMembers.map(\.id) : host.memberTable.active
        guard !active.isEmpty else { return [] }
        if partition.isMetadata { return host.memberTable.metadataReplicas().voters }
        return Placement.replicas(of: partition, members: active, count: min(replicationFactor, active.count))
    }

    /// Runs the next rebalancing check on the next tick (the member table just changed).
    func scheduleRebalance() { ticksSinceRebalance = Self.rebalanceTicks }

    /// Moves every group this node leads one step toward placement (`ReplicaPlan`), seeds the
    /// member table when this node leads an empty metadata group, and learns where peers are
    /// while it has no table.
    func rebalance() {
        let table = host.memberTable
        if table.isEmpty {
            if host.role(of: .metadata) == .leader, !foundingMembers.isEmpty {
                _ = try? host.propose(.seed(foundingMembers, partitionCount: placement.partitionCount,
                                            wireVersion: messenger.nativeWireVersion))
                scheduleRound()
            } else if !joinPeers.isEmpty {
                askForMembers()
            }
            return
        }
        registerAPIAddress()
        var moving = host.partitions.filter {
            !$0.isMetadata && host.role(of: $0) == .leader && !(host.membership(of: $0)?.learners.isEmpty ?? true)
        }.count
        var proposed = false
        for partition in host.partitions where host.role(of: partition) == .leader {
            guard let current = host.membership(of: partition) else { continue }
            let learners = partition.isMetadata ? table.metadataReplicas().learners : []
            let step = ReplicaPlan.nextStep(
                current: current, desiredVoters: desiredVoters(of: partition), desiredLearners: learners,
                leader: nodeID, mayStartMove: moving < Self.movesMax,
                caughtUp: { host.isCaughtUp($0, in: partition, slack: Self.catchUpSlack) })
            let change: ConfigurationChange
            switch step {
            case nil: continue
            case .addLearner(let node):
                if !partition.isMetadata { moving += 1 }
                change = ConfigurationChange(kind: .addLearner, node: node)
            case .promote(let node): change = ConfigurationChange(kind: .addVoter, node: node)
            case .remove(let node): change = ConfigurationChange(kind: .removeNode, node: node)
            case .transferLeadership(let target):
                host.transferLeadership(of: partition, to: target)
                proposed = true
                continue
            }
            // Refused while the previous change of the group is not applied yet: tried again next time.
            if (try? host.proposeConfigurationChange(change, in: partition)) != nil {
                metrics.replicaChanges.increment()
                proposed = true
            }
        }
        for partition in host.partitions where (try? host.dropIfUnconfigured(partition)) == true {
            metrics.groupsLeft.increment()
        }
        if proposed { scheduleRound() }
    }

    /// Records where this node serves the API in the member table, once (again if it changed).
    private func registerAPIAddress() {
        guard let apiAddress, !registeringAPIAddress, let own = host.memberTable.members[nodeID],
              own.apiAddress != apiAddress else { return }
        registeringAPIAddress = true
        Task {
            _ = try? await self.changeMembers(.setAPIAddress(self.nodeID, apiAddress))
            self.registeringAPIAddress = false
        }
    }

    /// Where the nodes holding `partition` serve the API, when this node holds no replica of it
    /// (empty: it does, or no holder's address is known yet): live holders first (`holders(of:)`).
    public func holderAPIAddresses(of partition: PartitionID) -> [String] {
        // A learner still catching up is no holder yet either.
        guard host.membership(of: partition)?.isVoter(nodeID) != true else { return [] }
        let table = host.memberTable
        return holders(of: partition).compactMap { candidate in
            guard let address = table.members[candidate]?.apiAddress, !address.isEmpty else { return nil }
            return address
        }
    }

    /// Asks the `--join` peers for their member table and links to its members.
    private func askForMembers() {
        guard !askingForMembers else { return }
        askingForMembers = true
        let peers = joinPeers
        let messenger = self.messenger
        Task {
            defer { self.askingForMembers = false }
            for peer in peers {
                guard let answer = try? await messenger.forward([ForwardKind.members.rawValue], to: peer,
                                                                timeout: Self.memberChangeTimeout),
                      answer.first == 0, let table = try? MemberTable(decoding: Array(answer.dropFirst())),
                      !table.isEmpty else { continue }
                guard table.partitionCount == placement.partitionCount else {
                    self.refuseJoin("the cluster has \(table.partitionCount) partitions, this node was started with \(placement.partitionCount) (--partitions)")
                    return
                }
                messenger.updatePeers(table.members.mapValues(\.peerAddress))
                return
            }
        }
    }

    /// Stops taking groups from peers: this node cannot be part of the cluster it was pointed at.
    func refuseJoin(_ reason: String) {
        joinRefusal = reason
        host.acceptedGroupsBelow = 0
    }

    /// Changes the member table through the metadata group, from any node: proposed here when
    /// this node leads the group, otherwise forwarded to its leader. Returns the table after it.
    /// Throws `MemberTableError` when the change does not apply, `NodeError` (retry) otherwise.
    public func changeMembers(_ command: MemberCommand) async throws -> MemberTable {
        guard !isStopped else { throw NodeError(.unavailable, "The node is shutting down.") }
        if host.role(of: .metadata) == .leader {
            let id = try host.propose(command)
            scheduleRound()
            let result = try await withCheckedThrowingContinuation { continuation in
                memberWaiters[id] = continuation
            }
            scheduleRebalance()
            return try result.get()
        }
        let target = leader(of: .metadata) ?? joinPeers.first
        guard let target, target != nodeID else {
            throw NodeError(.unavailable, "The metadata group has no leader right now; retry shortly.")
        }
        let answer: [UInt8]
        do {
            answer = try await messenger.forward([ForwardKind.memberCommand.rawValue] + command.encoded(proposer: .none, proposalID: 0),
                                                 to: target, timeout: Self.memberChangeTimeout)
        } catch {
            throw NodeError(.unavailable, "\(target) cannot be reached right now; retry shortly.")
        }
        switch answer.first {
        case 0: return try MemberTable(decoding: Array(answer.dropFirst()))
        case 2: throw MemberTableError(String(decoding: answer.dropFirst(), as: UTF8.self))
        default: throw ForwardAnswer.error(in: answer, "The member table could not be changed; retry.")
        }
    }

    /// Serves a forwarded member-table change (`ForwardKind.memberCommand`).
    func handleForwardedMemberCommand(_ request: [UInt8]) async -> [UInt8] {
        guard let (_, _, command) = try? MemberCommand.decode(request) else { return ForwardAnswer.failure(.unavailable) }
        guard host.role(of: .metadata) == .leader else { return ForwardAnswer.failure(.notLeader) }
        do {
            return ForwardAnswer.success((try await changeMembers(command)).encoded())
        } catch let error as MemberTableError {
            return [2] + Array(error.message.utf8)
        } catch {
            return ForwardAnswer.failure(error)
        }
    }
}

extension ReplicaDriver {
    /// `partitions` split into those whose rows this node serves (it votes in their group) and,
    /// for the others, a node that does, by placement.
    public func splitByHolder(_ partitions: [PartitionID]) -> (held: [PartitionID], elsewhere: [NodeID: [PartitionID]]) {
        var held: [PartitionID] = []
        var elsewhere: [NodeID: [PartitionID]] = [:]
        for partition in partitions {
            if holdsRows(of: partition) {
                held.append(partition)
            } else if let holder = holders(of: partition).first {
                elsewhere[holder, default: []].append(partition)
            }
        }
        return (held, elsewhere)
    }

    /// Asks `holder` for `user`'s memberships in `partitions` (`ForwardKind.memberships`).
    public func askMemberships(of user: UserID, in partitions: [PartitionID], holder: NodeID) async throws -> [MembershipView] {
        var writer = BinaryWriter(capacity: 64 + partitions.count * 4)
        writer.write(ForwardKind.memberships.rawValue)
        writer.write(user.rawValue)
        writer.write(UInt32(partitions.count))
        for partition in partitions { writer.write(partition.rawValue) }
        let answer: [UInt8]
        do {
            answer = try await messenger.forward(writer.bytes, to: holder, timeout: Self.memberChangeTimeout)
        } catch {
            throw NodeError(.unavailable, "\(holder) cannot be reached to list workspaces; retry shortly.")
        }
        guard answer.first == 0 else { throw NodeError(.unavailable, "\(holder) could not list workspaces; retry shortly.") }
        return try MembershipView.decode(Array(answer.dropFirst()))
    }

    /// Serves `ForwardKind.memberships` from this node's rows (the partitions it votes in).
    func handleMembershipsRequest(_ request: [UInt8]) -> [UInt8] {
        var reader = BinaryReader(request)
        guard let raw = try? reader.readString(), let user = UserID(rawValue: raw),
              let count = try? reader.readUInt32(), count <= Placement.partitionCountMax else {
            return ForwardAnswer.failure(.unavailable)
        }
        var views: [MembershipView] = []
        let actor = Actor(userID: user, displayName: "", isAdmin: false)
        for _ in 0..<count {
            guard let value = try? reader.readUInt32() else { return ForwardAnswer.failure(.unavailable) }
            let partition = PartitionID(value)
            guard holdsRows(of: partition),
                  let found = try? CommunityQueries(reader: PartitionRowReader(database: host.database, partition: partition),
                                                    actor: actor).myWorkspaces() else { continue }
            views += found
        }
        return ForwardAnswer.success(MembershipView.encode(Array(views.prefix(Limits.workspacesPerUserMax))))
    }
}

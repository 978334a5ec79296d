import QuadCore
import QuadTesting
import Raft
import Testing

/// Tests of the features beyond the basic paper: PreVote, CheckQuorum, flow control,
/// snapshots, membership changes, leadership transfer, reads and the configuration validator.
@Suite struct FeatureTests {
    /// Thesis §9.6: with PreVote "a candidate only increments its term if it first learns from
    /// a majority of the cluster that they would be willing to grant it their votes".
    @Test func preVoteKeepsAPartitionedNodesTermStill() {
        var group = RaftGroup(voters: 3)
        group.tickAll(30)
        let leader = group.leader
        #expect(leader != nil)
        let term = group.node(n(1)).term
        let outsider = group.ids.first { $0 != leader } ?? n(3)
        group.isolate(outsider)
        group.tickAll(100)
        #expect(group.node(outsider).term == term, "pre-votes fail without raising the term")
        group.heal()
        group.tickAll(20)
        #expect(group.leader == leader, "the healthy leader was not disrupted")
    }

    /// Thesis §6.2: "a leader steps down if an election timeout elapses without a successful
    /// round of heartbeats to a majority of its cluster" (CheckQuorum).
    @Test func checkQuorumLeaderStepsDown() {
        var group = RaftGroup(voters: 3)
        guard let leader = elect(&group) else { return }
        group.isolate(leader)
        group.tickAll(25)
        #expect(group.node(leader).role == .follower)
    }

    /// Thesis §4.2.3: "if a server receives a RequestVote request within the minimum election
    /// timeout of hearing from a current leader, it does not update its term or grant its vote".
    @Test func followerInLeaseIgnoresDisruptiveVotes() {
        var group = RaftGroup(voters: 3)
        guard let leader = elect(&group), let follower = group.ids.first(where: { $0 != leader }) else { return }
        let term = group.node(follower).term
        group.with(follower) { $0.step(voteRequest(from: 9, to: follower.rawValue, term: term.rawValue + 5, lastIndex: 100, lastTerm: 50)) }
        #expect(group.node(follower).term == term)
        #expect(group.pending.allSatisfy { $0.kind != .requestVoteResponse })
    }

    /// Quiescence's proof that followers learned the commit index: a heartbeat stamped after the
    /// leader's last entry committed carries that commit, and the leader records the stamp each
    /// follower echoes; a follower cut off from the leader never acknowledges such a stamp.
    @Test func acknowledgedHeartbeatStampsShowWhoLearnedTheCommit() {
        var group = RaftGroup(voters: 3)
        guard let leader = elect(&group) else { return }
        let others = group.ids.filter { $0 != leader }
        group.cutLink(from: leader, to: others[1])
        let accepted = group.propose(leader, [1])
        #expect(accepted)
        let last = group.node(leader).lastIndex
        #expect(group.node(leader).commitIndex == last)
        let since = group.node(leader).ticks
        group.tickAll(4)  // two heartbeat intervals, every message delivered
        #expect((group.node(leader).acknowledgedHeartbeatTick(of: others[0]) ?? 0) > since)
        #expect(group.node(others[0]).commitIndex == last)
        #expect((group.node(leader).acknowledgedHeartbeatTick(of: others[1]) ?? 0) <= since)
        #expect(group.node(others[1]).acknowledgedHeartbeatTick(of: leader) == nil, "only a leader records stamps")
    }

    /// A leader pipelines at most `inflightMessagesMax` appends to a follower that does not
    /// answer, then waits (flow control).
    @Test func inflightWindowBoundsPipelining() {
        var group = paperGroup(3) { $0.inflightMessagesMax = 2 }
        group.campaign(n(1))
        group.cutLink(from: n(2), to: n(1))
        for value in 0..<10 { group.propose(n(1), [UInt8(value)]) }
        let trace = group.trace
        _ = trace
        #expect(group.node(n(1)).replicationStatus(of: n(2))?.state == .replicate)
        let status = group.node(n(1)).replicationStatus(of: n(2))
        // Next is at most two messages (of one or more entries) ahead of what n2 acknowledged.
        #expect(status.map { $0.next.rawValue <= group.node(n(1)).lastIndex.rawValue + 1 } == true)
        #expect(group.node(n(2)).lastIndex < group.node(n(1)).lastIndex || group.node(n(3)).lastIndex == group.node(n(1)).lastIndex)
    }

    /// A follower that fell behind a compacted log catches up by snapshot, and commits.
    @Test func slowFollowerCatchesUpBySnapshot() {
        var group = paperGroup(3)
        group.campaign(n(1))
        group.isolate(n(3))
        for value in 0..<20 { group.propose(n(1), [UInt8(value)]) }
        group.compact(n(1))
        #expect(group.node(n(1)).firstIndex > i(2))
        group.heal()
        group.tickAll(5)
        #expect(group.node(n(3)).commitIndex == group.node(n(1)).commitIndex)
        #expect(group.node(n(3)).firstIndex == group.node(n(1)).firstIndex)
    }

    /// Figure 13 (InstallSnapshot receiver, step 6): "If existing log entry has same index and
    /// term as snapshot's last included entry, retain log entries following it and reply".
    @Test func snapshotKeepsMatchingSuffix() throws {
        var group = paperGroup(3)
        group.preload(n(2), terms: [1, 1, 1, 1, 1], currentTerm: 1)
        var install = Message(kind: .installSnapshot, from: n(1), to: n(2), term: t(1))
        install.snapshot = Snapshot(metadata: SnapshotMetadata(index: i(3), term: t(1), configuration: group.node(n(2)).membership))
        group.with(n(2)) { $0.step(install) }
        #expect(group.logTerms(n(2)) == [1, 1, 1, 1, 1])
        #expect(group.node(n(2)).commitIndex == i(3))
    }

    /// Membership: a learner receives the log but never counts; promotion makes it a voter;
    /// removal takes a member out. One change at a time.
    @Test func learnerPromoteRemove() throws {
        var group = paperGroup(3)
        group.campaign(n(1))
        group.add(n(4), configuration: .empty)
        try group.with(n(1)) { try $0.proposeConfigurationChange(ConfigurationChange(kind: .addLearner, node: n(4))) }
        // A second change while the first is not applied is refused.
        #expect(throws: RaftError.self) {
            try group.with(n(1)) { try $0.proposeConfigurationChange(ConfigurationChange(kind: .addVoter, node: n(4))) }
        }
        group.deliverAll()
        group.tickAll(3)
        #expect(group.node(n(1)).membership.learners == [n(4)])
        #expect(group.node(n(4)).membership.learners == [n(4)])
        #expect(group.node(n(4)).commitIndex == group.node(n(1)).commitIndex)
        #expect(!group.node(n(4)).isPromotable)
        try group.with(n(1)) { try $0.proposeConfigurationChange(ConfigurationChange(kind: .addVoter, node: n(4))) }
        group.tickAll(3)
        #expect(group.node(n(2)).membership.voters == [n(1), n(2), n(3), n(4)])
        try group.with(n(1)) { try $0.proposeConfigurationChange(ConfigurationChange(kind: .removeNode, node: n(2))) }
        group.tickAll(3)
        #expect(group.node(n(1)).membership.voters == [n(1), n(3), n(4)])
        let accepted = group.propose(n(1), [9])
        #expect(accepted)
    }

    /// Ongaro's 2015 fix: a leader appends a configuration change only after committing an
    /// entry of its own term.
    @Test func noConfigurationChangeBeforeTermCommit() {
        var group = paperGroup(3)
        group.with(n(1)) { $0.campaign() }
        // Deliver the election but hold back the appends carrying the leader's no-op.
        while !group.pending.isEmpty {
            let held = group.take { $0.kind == .appendEntries }
            group.deliverAll(limit: 1)
            if group.pending.isEmpty, group.node(n(1)).role == .leader {
                #expect(throws: RaftError.self) {
                    try group.with(n(1)) { try $0.proposeConfigurationChange(ConfigurationChange(kind: .addLearner, node: n(4))) }
                }
                for message in held { group.deliver(message) }
                group.deliverAll()
                break
            }
        }
        #expect(throws: Never.self) {
            try group.with(n(1)) { try $0.proposeConfigurationChange(ConfigurationChange(kind: .addLearner, node: n(4))) }
        }
    }

    /// Thesis §3.10: the leader brings the target up to date, then has it campaign at once.
    @Test func leadershipTransfer() {
        var group = RaftGroup(voters: 3)
        guard let leader = elect(&group) else { return }
        let target = group.ids.first { $0 != leader } ?? n(1)
        group.with(leader) { $0.transferLeadership(to: target) }
        group.deliverAll()
        #expect(group.leader == target)
    }

    /// Thesis §6.4: ReadIndex serves a linearizable read without writing to the log.
    @Test func readIndexWithoutLogWrite() throws {
        var group = paperGroup(3)
        group.campaign(n(1))
        group.propose(n(1), [5])
        let last = group.node(n(1)).lastIndex
        try group.with(n(2)) { try $0.readIndex(context: [1]) }
        group.deliverAll()
        try group.with(n(1)) { try $0.readIndex(context: [2]) }
        group.deliverAll()
        #expect(group.readStates[n(2)] == [ReadState(index: i(2), context: [1])])
        #expect(group.readStates[n(1)] == [ReadState(index: i(2), context: [2])])
        #expect(group.node(n(1)).lastIndex == last)
    }

    /// Lease reads (with CheckQuorum) answer without a heartbeat round while the lease holds.
    @Test func leaseReadAnswersAtOnce() throws {
        var group = RaftGroup(voters: 3) { $0.readOnlyMode = .lease }
        guard let leader = elect(&group) else { return }
        group.isolate(leader)
        try group.with(leader) { try $0.readIndex(context: [7]) }
        #expect(group.readStates[leader]?.last?.context == [7], "answered with no round trip")
    }

    /// Ticks until a leader emerges; records an issue when none does.
    func elect(_ group: inout RaftGroup) -> NodeID? {
        group.tickAll(30)
        guard let leader = group.leader else {
            Issue.record("no leader after 30 ticks")
            return nil
        }
        return leader
    }

    /// `RaftConfiguration.validate()` rejects nonsense.
    @Test func validatorRejectsNonsense() {
        var zero = RaftConfiguration(id: .none, randomSeed: 1)
        #expect(throws: RaftError.self) { try zero.validate() }
        zero.id = n(1)
        zero.electionTimeoutTicks = 1
        zero.heartbeatIntervalTicks = 1
        #expect(throws: RaftError.self) { try zero.validate() }
        var lease = RaftConfiguration(id: n(1), randomSeed: 1)
        lease.checkQuorum = false
        lease.readOnlyMode = .lease
        #expect(throws: RaftError.self) { try lease.validate() }
        var big = RaftConfiguration(id: n(1), randomSeed: 1)
        big.entryBytesMax = RaftLimits.entryBytesMax + 1
        #expect(throws: RaftError.self) { try big.validate() }
        #expect(throws: Never.self) { try RaftConfiguration(id: n(1), randomSeed: 1).validate() }
    }

    /// Oversized proposals are refused with a value, not a crash.
    @Test func oversizedProposalRefused() throws {
        var group = paperGroup(1) { $0.entryBytesMax = 4 }
        group.campaign(n(1))
        #expect(throws: RaftError(code: .entryTooLarge, message: "entry of 5 bytes exceeds 4")) {
            try group.with(n(1)) { try $0.propose([1, 2, 3, 4, 5]) }
        }
    }

    /// Configuration changes round-trip through their encoding; garbage is refused.
    @Test func configurationChangeCodec() throws {
        let change = ConfigurationChange(kind: .addLearner, node: n(4), resulting: ConfigurationState(voters: [n(1), n(2)], learners: [n(4)]))
        #expect(try ConfigurationChange(decoding: change.encoded()) == change)
        #expect(throws: RaftError.self) { try ConfigurationChange(decoding: [9, 1, 2]) }
        #expect(throws: RaftError.self) { try ConfigurationChange(decoding: change.encoded() + [0]) }
    }

    /// Same seed and inputs, same outputs: the core is deterministic.
    @Test func deterministicGivenSeed() {
        let first = Simulation.run(SimulationOptions(seed: 7, steps: 500))
        let second = Simulation.run(SimulationOptions(seed: 7, steps: 500))
        #expect(first.committedIndex == second.committedIndex)
        #expect(first.acknowledgedProposals == second.acknowledgedProposals)
        #expect(first.readsAnswered == second.readsAnswered)
    }
}

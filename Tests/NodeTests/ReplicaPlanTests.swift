import Node
import QuadCore
import Raft
import Testing

/// The pure rules of membership: the member table's state machine and the step a leader takes
/// to move its group toward placement.
@Suite struct ReplicaPlanTests {
    static let n1 = NodeID(1), n2 = NodeID(2), n3 = NodeID(3), n4 = NodeID(4)

    /// Proves a replacement goes learner → promote → (leadership away) → remove, never dropping
    /// below the wanted voters, and waits while the learner catches up.
    @Test func aReplicaMovesAsLearnerThenVoterThenTheOldOneGoes() {
        let wanted = [Self.n1, Self.n3, Self.n4]
        var current = ConfigurationState(voters: [Self.n1, Self.n2, Self.n3])
        func step(leader: NodeID = Self.n1, caughtUp: Bool = true, may: Bool = true) -> ReplicaStep? {
            ReplicaPlan.nextStep(current: current, desiredVoters: wanted, leader: leader, mayStartMove: may,
                                 caughtUp: { _ in caughtUp })
        }
        #expect(step(may: false) == nil, "throttled: no new learner")
        #expect(step() == .addLearner(Self.n4))
        current = ConfigurationState(voters: [Self.n1, Self.n2, Self.n3], learners: [Self.n4])
        #expect(step(caughtUp: false) == nil, "the learner is still catching up")
        #expect(step() == .promote(Self.n4))
        current = ConfigurationState(voters: [Self.n1, Self.n2, Self.n3, Self.n4])
        #expect(step() == .remove(Self.n2))
        #expect(step(leader: Self.n2) == .transferLeadership(to: Self.n1), "a leader that is to go hands over first")
        #expect(step(leader: Self.n2, caughtUp: false) == nil, "only to a caught-up voter")
        current = ConfigurationState(voters: [Self.n1, Self.n3, Self.n4])
        #expect(step() == nil, "where it should be")
    }

    /// Proves metadata learners are added and unwanted learners removed.
    @Test func learnersAreAddedAndDropped() {
        let current = ConfigurationState(voters: [Self.n1, Self.n2, Self.n3], learners: [Self.n4])
        #expect(ReplicaPlan.nextStep(current: current, desiredVoters: [Self.n1, Self.n2, Self.n3], leader: Self.n1,
                                     mayStartMove: true, caughtUp: { _ in true }) == .remove(Self.n4))
        let fewer = ConfigurationState(voters: [Self.n1, Self.n2, Self.n3])
        #expect(ReplicaPlan.nextStep(current: fewer, desiredVoters: [Self.n1, Self.n2, Self.n3],
                                     desiredLearners: [Self.n4], leader: Self.n1, mayStartMove: false,
                                     caughtUp: { _ in true }) == .addLearner(Self.n4))
    }

    /// Proves the member table's rules: seeding once, refusing duplicates and unknown nodes,
    /// keeping one active member, and the metadata group's voters coming from active members.
    @Test func theMemberTableRefusesWhatDoesNotApply() throws {
        let founders = [Self.n1, Self.n2, Self.n3].map { MemberRecord(id: $0, peerAddress: "127.0.0.1:909\($0.rawValue)") }
        let table = try MemberTable().applying(.seed(founders, partitionCount: 8, wireVersion: 1)).get()
        #expect(table.active == [Self.n1, Self.n2, Self.n3] && table.partitionCount == 8)
        #expect(try table.applying(.seed([founders[0]], partitionCount: 4, wireVersion: 1)).get() == table, "seeded once")
        #expect(throws: MemberTableError.self) { try table.applying(.add(founders[1])).get() }
        #expect(throws: MemberTableError.self) { try table.applying(.remove(Self.n4)).get() }
        let drained = try table.applying(.setState(Self.n2, .draining)).get()
        #expect(drained.active == [Self.n1, Self.n3])
        #expect(drained.metadataReplicas().voters == [Self.n1, Self.n3])
        #expect(drained.metadataReplicas().learners == [Self.n2])
        let alone = try drained.applying(.remove(Self.n2)).get().applying(.setState(Self.n3, .draining)).get()
        #expect(throws: MemberTableError.self) { try alone.applying(.setState(Self.n1, .draining)).get() }
        #expect(throws: MemberTableError.self) { try alone.applying(.remove(Self.n1)).get() }
    }
}

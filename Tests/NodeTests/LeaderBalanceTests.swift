import Node
import QuadCore
import Testing

/// Which leadership a node hands away so that leaders spread evenly.
@Suite struct LeaderBalanceTests {
    static let voters = [NodeID(1), NodeID(2), NodeID(3)]

    static func groups(leaders: [UInt64]) -> [LeaderBalance.Group] {
        leaders.enumerated().map { index, leader in
            LeaderBalance.Group(partition: PartitionID(UInt32(index)), leader: NodeID(leader), voters: voters)
        }
    }

    @Test func aNodeLeadingTwoMoreThanAVoterHandsOneToTheLeastLoaded() {
        // Proves node 1 (4 leaderships) gives its lowest partition to node 3 (0), not node 2 (2).
        let move = LeaderBalance.nextTransfer(from: NodeID(1), groups: Self.groups(leaders: [1, 1, 1, 1, 2, 2]))
        #expect(move?.partition == PartitionID(0))
        #expect(move?.to == NodeID(3))
    }

    @Test func nodesOneApartKeepTheirLeaderships() {
        // Proves 3/3/2 is left alone by every node, so the cluster settles instead of trading back and forth.
        let groups = Self.groups(leaders: [1, 1, 1, 2, 2, 2, 3, 3])
        for node in Self.voters { #expect(LeaderBalance.nextTransfer(from: node, groups: groups) == nil) }
    }

    @Test func repeatedTransfersConvergeToAnEvenSpread() {
        // Proves applying each node's next transfer until none remains ends with leaderships at most one apart,
        // from everything on one node, and that leaderless groups count for nobody.
        var groups = Self.groups(leaders: Array(repeating: 1, count: 64))
        groups[5].leader = .none
        var moves = 0
        while moves < 200 {
            var moved = false
            for node in Self.voters {
                guard let move = LeaderBalance.nextTransfer(from: node, groups: groups) else { continue }
                let index = groups.firstIndex { $0.partition == move.partition }!
                #expect(groups[index].leader == node && groups[index].voters.contains(move.to))
                groups[index].leader = move.to
                moved = true
                moves += 1
            }
            if !moved { break }
        }
        let led = Self.voters.map { node in groups.filter { $0.leader == node }.count }
        #expect(led.reduce(0, +) == 63)
        #expect((led.max() ?? 0) - (led.min() ?? 0) <= 1, "\(led)")
        #expect(moves == 42, "each move fixes one surplus leadership: 63 -> 21/21/21")
    }

    @Test func onlyVotersOfTheGroupAreCandidates() {
        // Proves a node that is not a voter of the group is never chosen, however idle.
        let groups = [LeaderBalance.Group(partition: PartitionID(0), leader: NodeID(1), voters: [NodeID(1), NodeID(2)]),
                      LeaderBalance.Group(partition: PartitionID(1), leader: NodeID(1), voters: [NodeID(1), NodeID(2)]),
                      LeaderBalance.Group(partition: PartitionID(2), leader: NodeID(2), voters: [NodeID(2), NodeID(3)])]
        let move = LeaderBalance.nextTransfer(from: NodeID(1), groups: groups)
        #expect(move == nil, "node 2 leads one already (2 - 1 < slack), node 3 is no voter of 0 or 1")
    }

    /// Proves a node that sees only part of a peer's leaderships (fewer replicas than nodes) goes
    /// by what the peer reports: node 1 sees node 2 lead nothing in their shared groups, but node 2
    /// leads 5 elsewhere, so nothing moves (without the report, node 1 would hand one over, and
    /// node 2, seeing the same of node 1, would hand it back).
    @Test func reportedCountsStopTradingBackAndForth() {
        let groups = (0..<3).map { LeaderBalance.Group(partition: PartitionID(UInt32($0)), leader: NodeID(1),
                                                       voters: [NodeID(1), NodeID(2)]) }
        #expect(LeaderBalance.nextTransfer(from: NodeID(1), groups: groups)?.to == NodeID(2), "partial view: a move")
        #expect(LeaderBalance.nextTransfer(from: NodeID(1), groups: groups, reported: [NodeID(2): 5]) == nil)
    }
}

import QuadCore
import Testing

/// The health, lag and per-partition view `quadctl status` and `quadctl partitions` print.
@Suite struct ClusterReportTests {
    static func view(_ partition: UInt32, leader: UInt64, term: UInt64 = 2, commit: UInt64, applied: UInt64,
                     role: String) -> PartitionStatus {
        PartitionStatus(partition: partition, leader: leader, term: term, commit: commit, applied: applied, role: role,
                        replicas: [1, 2, 3], learners: [])
    }

    static func node(_ id: UInt64, _ partitions: [PartitionStatus]) -> MemberStatus {
        MemberStatus(id: id, state: "up",
                     status: NodeStatus(node: id, version: "0.1.0", clustered: true, members: [1, 2, 3],
                                        partitionCount: 2, partitions: partitions, databaseBytes: 4096))
    }

    /// Two partitions, each on all three nodes: node 1 leads p0, node 2 leads p1.
    static func healthyReport() -> ClusterReport {
        ClusterReport(
            nodes: [node(1, [view(0, leader: 1, commit: 500, applied: 500, role: "leader"),
                             view(1, leader: 2, commit: 80, applied: 80, role: "follower")]),
                    node(2, [view(0, leader: 1, commit: 500, applied: 500, role: "follower"),
                             view(1, leader: 2, commit: 80, applied: 80, role: "leader")]),
                    node(3, [view(0, leader: 1, commit: 500, applied: 499, role: "follower"),
                             view(1, leader: 2, commit: 80, applied: 80, role: "follower")])],
            partitionCount: 2, partitionsWithoutLeader: [], partitionsUnderReplicated: [])
    }

    @Test func aFullyReplicatedClusterWithEveryLeaderIsHealthy() {
        // Proves health, exit code 0, leaders per node and the merged partition rows.
        let report = Self.healthyReport()
        #expect(report.health == .healthy)
        #expect(report.health.exitCode == 0)
        #expect(report.nodes.map { $0.status?.leaders } == [1, 1, 0])
        let summaries = report.partitionSummaries()
        #expect(summaries.map(\.leader) == [1, 2])
        #expect(summaries.map(\.commit) == [500, 80])
        #expect(summaries.map(\.maxLag) == [1, 0], "node 3 trails p0 by one entry")
    }

    @Test func aReplicaFarBehindItsLeaderIsLaggingAndTheClusterDegraded() {
        // Proves a replica `laggingEntriesMin` behind counts as lagging (exit 3) and one just under does not.
        func report(followerBehindBy lag: UInt64) -> ClusterReport {
            ClusterReport(
                nodes: [Self.node(1, [Self.view(0, leader: 1, commit: 5_000, applied: 5_000, role: "leader")]),
                        Self.node(2, [Self.view(0, leader: 1, commit: 5_000, applied: 5_000 - lag, role: "follower")])],
                partitionCount: 1, partitionsWithoutLeader: [], partitionsUnderReplicated: [])
        }
        let barely = report(followerBehindBy: ClusterReport.laggingEntriesMin - 1)
        #expect(barely.laggingReplicas()[2] == 0)
        #expect(barely.health == .healthy)
        let behind = report(followerBehindBy: ClusterReport.laggingEntriesMin)
        #expect(behind.laggingReplicas()[2] == 1)
        #expect(behind.laggingReplicas()[1] == 0)
        #expect(behind.health == .degraded)
        #expect(behind.health.exitCode == 3)
    }

    @Test func aDownNodeDegradesAndALeaderlessPartitionMakesItUnavailable() {
        // Proves the three exit codes scripts rely on.
        var report = Self.healthyReport()
        report.nodes[2] = MemberStatus(id: 3, state: "down", status: nil)
        #expect(report.health == .degraded)
        report.partitionsWithoutLeader = [1]
        #expect(report.health == .unavailable)
        #expect(report.health.exitCode == 4)
    }

    @Test func aPartitionWithoutLeaderShowsNoneAndTheHighestTermSeen() throws {
        // Proves an election in progress reads as leader 0, with the newest term any replica reported.
        let report = ClusterReport(
            nodes: [Self.node(1, [Self.view(0, leader: 0, term: 7, commit: 40, applied: 40, role: "candidate")]),
                    Self.node(2, [Self.view(0, leader: 0, term: 6, commit: 41, applied: 39, role: "follower")])],
            partitionCount: 1, partitionsWithoutLeader: [0], partitionsUnderReplicated: [])
        let summaries = report.partitionSummaries()
        try #require(summaries.count == 1)
        let summary = summaries[0]
        #expect(summary.leader == 0)
        #expect(summary.term == 7)
        #expect(summary.commit == 41)
        #expect(summary.maxLag == 2)
    }
}

@Suite struct HexTests {
    @Test func roundTripsAndRefusesWhatIsNotHex() {
        // Proves encode/decode invert each other over every byte, either case decodes, and odd or non-hex input is nil.
        let bytes = (0...255).map { UInt8($0) }
        #expect(Hex.decode(Hex.encode(bytes)) == bytes)
        #expect(Hex.encode([0x00, 0xab, 0xff]) == "00abff")
        #expect(Hex.decode("00ABff") == [0x00, 0xab, 0xff])
        #expect(Hex.decode("abc") == nil)
        #expect(Hex.decode("zz") == nil)
        #expect(Hex.decode("") == [])
    }
}

@Suite struct ClusterIDTests {
    @Test func namesAreOneToSixtyFourSafeCharacters() {
        // Proves the accepted alphabet and both length bounds of a cluster ID.
        #expect(ClusterID.isValid(ClusterID.standard))
        #expect(ClusterID.isValid("edu-prod_2026.eu"))
        #expect(ClusterID.isValid(String(repeating: "a", count: ClusterID.lengthMax)))
        #expect(!ClusterID.isValid(String(repeating: "a", count: ClusterID.lengthMax + 1)))
        #expect(!ClusterID.isValid(""))
        for bad in ["blue green", "blue/green", "blue:1", "bläu"] { #expect(!ClusterID.isValid(bad), "\(bad)") }
    }
}

@Suite struct ConstantTimeTests {
    /// Proves equal bytes compare equal and any difference, in any byte or in length, does not.
    @Test func equalOnlyForTheSameBytes() {
        #expect(ConstantTime.equal([1, 2, 3], [1, 2, 3]))
        #expect(ConstantTime.equal([], []))
        #expect(!ConstantTime.equal([1, 2, 3], [1, 2, 4]))
        #expect(!ConstantTime.equal([9, 2, 3], [1, 2, 3]))
        #expect(!ConstantTime.equal([1, 2, 3], [1, 2]))
    }
}

import QuadCore
import QuadTesting
import Raft
import Testing

/// The simulator must catch bugs: each deliberately broken variant (`TestingFault`, test-only)
/// makes a seeded simulation report a violation, while the same seed passes with the correct
/// core. Seeds-to-detection (the first failing seed of 1, 2, 3, ...) were measured with
/// `quad-raft-sim --variant NAME --seeds 5000` and are listed in docs/decisions/0003-raft-core.md.
@Suite struct BrokenVariantTests {
    /// The first seed that exposes each variant. Cheap ones are searched from seed 1 here.
    static let searched: [(TestingFault, UInt64)] = [
        (.acknowledgeBeforeDurable, 2),
        (.truncateMatchingSuffix, 4),
        (.voteNotPersisted, 10),
    ]

    /// Searching seeds 1, 2, 3, ... finds the variant at the recorded seed, and the correct
    /// core passes that seed.
    @Test(arguments: searched.map(\.0))
    func simulatorFindsVariant(fault: TestingFault) {
        let expected = Self.searched.first { $0.0 == fault }?.1 ?? 0
        var found: UInt64?
        for seed in UInt64(1)...expected {
            // Short-cut the liveness phase cost: only seeds up to the expected one are run.
            let report = Simulation.run(SimulationOptions(seed: seed, faults: [fault]))
            if !report.violations.isEmpty {
                found = seed
                break
            }
        }
        #expect(found == expected, "\(fault.rawValue) first caught at seed \(found.map(String.init) ?? "none")")
        #expect(Simulation.run(SimulationOptions(seed: expected)).violations.isEmpty)
    }

    /// Committing a previous-term entry by counting (Figure 8) needs three leaders with
    /// diverging logs and a crash in a one-message window; the first seed that does it is 133.
    @Test func simulatorFindsCommitOfPreviousTermEntry() {
        let broken = Simulation.run(SimulationOptions(seed: 133, faults: [.commitPreviousTermByCounting]))
        #expect(broken.violations.contains { $0.invariant == "leader completeness" || $0.invariant == "state machine safety" })
        #expect(Simulation.run(SimulationOptions(seed: 133)).violations.isEmpty)
    }

    /// A configuration change before the term's first commit needs two changes straddling a
    /// failover and then a split; reconfiguration-heavy seeds find it, first at seed 2088.
    @Test func simulatorFindsConfigurationChangeBeforeTermCommit() {
        let broken = Simulation.run(SimulationOptions(seed: 2088, faults: [.configurationChangeBeforeTermCommit]))
        #expect(!broken.violations.isEmpty)
        #expect(Simulation.run(SimulationOptions(seed: 2088)).violations.isEmpty)
    }

    /// Ongaro's 2015 bug, reproduced: without the "commit in your own term first" rule, a new
    /// leader adds a second voter while the first addition (from the old term) is still
    /// pending; a node that holds both changes without knowing they are committed still uses
    /// the old 3-voter configuration, and the group splits into two disjoint majorities that
    /// elect two leaders in one term.
    @Test func configurationChangeBeforeTermCommitSplitsTheGroup() {
        #expect(leadersOfTerm3(faults: []).count == 1)
        let broken = leadersOfTerm3(faults: [.configurationChangeBeforeTermCommit])
        #expect(broken.count == 2, "two leaders in term 3: \(broken)")
    }

    func leadersOfTerm3(faults: Set<TestingFault>) -> [NodeID] {
        var group = paperGroup(3) { $0.testingFaults = faults }
        group.add(n(4), configuration: .empty)
        group.add(n(5), configuration: .empty)
        group.campaign(n(1))
        // n1 appends "add voter n4"; only n2 gets it, and n1 never hears back.
        group.cutLink(from: n(1), to: n(3))
        group.cutLink(from: n(2), to: n(1))
        try? group.with(n(1)) { try $0.proposeConfigurationChange(ConfigurationChange(kind: .addVoter, node: n(4))) }
        group.deliverAll()
        group.heal()
        group.isolate(n(1))
        // n2 wins term 2; before any append of its term lands it proposes "add voter n5".
        group.with(n(2)) { $0.campaign() }
        var held: [Message] = []
        while !group.pending.isEmpty {
            held += group.take { $0.kind == .appendEntries }
            group.deliverAll(limit: 1)
        }
        let accepted = (try? group.with(n(2)) { try $0.proposeConfigurationChange(ConfigurationChange(kind: .addVoter, node: n(5))) }) != nil
        #expect(accepted == !faults.isEmpty)
        held.forEach { group.enqueue($0) }
        // n3 acknowledges everything, but is cut off before it learns what is committed.
        let target = group.node(n(2)).lastIndex
        while !group.pending.isEmpty {
            group.deliverAll(limit: 1)
            if group.node(n(2)).commitIndex >= target {
                group.cutLink(from: n(2), to: n(3))
            }
        }
        group.tickAll(3)
        // Partition {n1, n3} | {n2, n4, n5}; both sides campaign.
        group.heal()
        for a in [n(1), n(3)] {
            for b in [n(2), n(4), n(5)] {
                group.cutLink(from: a, to: b)
                group.cutLink(from: b, to: a)
            }
        }
        group.campaign(n(3))
        group.campaign(n(4))
        return group.ids.filter { group.node($0).role == .leader && group.node($0).term == t(3) }
    }
}

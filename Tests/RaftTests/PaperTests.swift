import QuadCore
import QuadTesting
import Raft
import Testing

/// Tests that each check one sentence of the Raft paper (Ongaro and Ousterhout, "In Search of
/// an Understandable Consensus Algorithm", extended version) or of Ongaro's thesis.
@Suite struct PaperTests {
    /// "Election Safety: at most one leader can be elected in a given term." (Figure 3)
    @Test func electionSafetyOneLeaderPerTerm() {
        var group = paperGroup(5)
        var leaders: [Term: Set<NodeID>] = [:]
        // Everyone campaigns at once, repeatedly: split votes, but never two leaders of a term.
        for _ in 0..<10 {
            for id in group.ids { group.with(id) { $0.campaign() } }
            group.deliverAll()
            for _ in 0..<25 {
                for id in group.ids where group.node(id).role == .leader {
                    leaders[group.node(id).term, default: []].insert(id)
                }
                group.tickAll()
            }
        }
        #expect(!leaders.isEmpty)
        #expect(leaders.values.allSatisfy { $0.count == 1 })
    }

    /// "Each server will vote for at most one candidate in a given term, on a
    /// first-come-first-served basis." (§5.2)
    @Test func votesAtMostOncePerTerm() {
        var group = paperGroup(3)
        group.with(n(1)) { $0.step(voteRequest(from: 2, to: 1, term: 1, lastIndex: 0, lastTerm: 0)) }
        group.with(n(1)) { $0.step(voteRequest(from: 3, to: 1, term: 1, lastIndex: 0, lastTerm: 0)) }
        let answers = group.take { $0.kind == .requestVoteResponse }
        #expect(answers.map(\.to) == [n(2), n(3)])
        #expect(answers.map(\.reject) == [false, true])
        #expect(group.node(n(1)).vote == n(2))
    }

    /// "The voter denies its vote if its own log is more up-to-date than that of the
    /// candidate." (§5.4.1)
    @Test func deniesVoteToLessUpToDateCandidate() {
        var group = paperGroup(3)
        group.preload(n(1), terms: [1, 2], currentTerm: 2)
        group.with(n(1)) { $0.step(voteRequest(from: 2, to: 1, term: 3, lastIndex: 5, lastTerm: 1)) }
        group.with(n(1)) { $0.step(voteRequest(from: 3, to: 1, term: 4, lastIndex: 2, lastTerm: 2)) }
        let answers = group.take { $0.kind == .requestVoteResponse }
        #expect(answers.map(\.reject) == [true, false], "a longer log of an older term is less up-to-date")
    }

    /// "If the follower does not find an entry in its log with the same index and term, then
    /// it refuses the new entries." (§5.3, the consistency check behind Log Matching)
    @Test func appendRefusedWhenPreviousEntryDoesNotMatch() {
        var group = paperGroup(3)
        group.preload(n(2), terms: [1, 1], currentTerm: 1)
        group.with(n(2)) { $0.step(append(from: 1, to: 2, term: 2, prevIndex: 2, prevTerm: 2, entryTerms: [2])) }
        let answer = group.take { $0.kind == .appendEntriesResponse }
        #expect(answer.first?.reject == true)
        #expect(group.logTerms(n(2)) == [1, 1])
        // The hint lets the leader skip straight past the whole mismatching term.
        #expect(answer.first?.rejectHint == i(2))
        #expect(answer.first?.logTerm == t(1))
    }

    /// "If an existing entry conflicts with a new one (same index but different terms), delete
    /// the existing entry and all that follow it" (Figure 2) — and only then: a stale or
    /// reordered AppendEntries whose entries already match truncates nothing.
    @Test func staleAppendNeverTruncatesMatchingEntries() {
        var group = paperGroup(3)
        group.with(n(2)) { $0.step(append(from: 1, to: 2, term: 1, prevIndex: 0, prevTerm: 0, entryTerms: [1, 1, 1, 1, 1])) }
        group.with(n(2)) { $0.step(append(from: 1, to: 2, term: 1, prevIndex: 0, prevTerm: 0, entryTerms: [1, 1, 1])) }
        #expect(group.logTerms(n(2)) == [1, 1, 1, 1, 1])
        let answers = group.take { $0.kind == .appendEntriesResponse }
        #expect(answers.map(\.index) == [i(5), i(3)])
        #expect(answers.allSatisfy { !$0.reject })
    }

    /// The broken variant truncates on the same input, which the simulator must catch.
    @Test func truncatingVariantLosesMatchingEntries() {
        var group = paperGroup(3) { $0.testingFaults = [.truncateMatchingSuffix] }
        group.with(n(2)) { $0.step(append(from: 1, to: 2, term: 1, prevIndex: 0, prevTerm: 0, entryTerms: [1, 1, 1, 1, 1])) }
        group.with(n(2)) { $0.step(append(from: 1, to: 2, term: 1, prevIndex: 0, prevTerm: 0, entryTerms: [1, 1, 1])) }
        #expect(group.logTerms(n(2)) == [1, 1, 1])
    }

    /// "Leader Append-Only: a leader never overwrites or deletes entries in its log; it only
    /// appends new entries." (Figure 3)
    @Test func leaderNeverOverwritesItsLog() {
        var group = paperGroup(3)
        group.campaign(n(1))
        group.propose(n(1), [7])
        let before = group.logTerms(n(1))
        // An AppendEntries from a stale leader of the same index range must not touch it.
        group.with(n(1)) { $0.step(append(from: 2, to: 1, term: 0, prevIndex: 0, prevTerm: 0, entryTerms: [0, 0, 0])) }
        #expect(group.node(n(1)).role == .leader)
        #expect(group.logTerms(n(1)) == before)
    }

    /// "If a log entry is committed in a given term, then that entry will be present in the
    /// logs of the leaders for all higher-numbered terms." (Leader Completeness, Figure 3)
    @Test func leaderCompleteness() {
        var group = paperGroup(3)
        group.campaign(n(1))
        group.isolate(n(3))
        group.propose(n(1), [42])
        let committed = group.node(n(1)).commitIndex
        #expect(committed == i(2))
        group.heal()
        group.isolate(n(1))
        group.campaign(n(3))
        #expect(group.node(n(3)).role != .leader, "n3 lacks the committed entry and must lose")
        group.campaign(n(2))
        #expect(group.node(n(2)).role == .leader)
        #expect(group.node(n(2)).term(at: committed) == t(1))
    }

    /// "If one server's current term is smaller than the other's, then it updates its current
    /// term to the larger value. If a candidate or leader discovers that its term is out of
    /// date, it immediately reverts to follower state." (§5.1)
    @Test func staleLeaderStepsDownOnHigherTerm() {
        var group = paperGroup(3)
        group.campaign(n(1))
        group.with(n(1)) { $0.step(Message(kind: .heartbeatResponse, from: n(2), to: n(1), term: t(5))) }
        #expect(group.node(n(1)).role == .follower)
        #expect(group.node(n(1)).term == t(5))
    }

    /// "If a server receives a request with a stale term number, it rejects the request." (§5.1)
    @Test func staleTermRequestRejected() {
        var group = paperGroup(3)
        group.preload(n(2), terms: [1], currentTerm: 5)
        group.with(n(2)) { $0.step(append(from: 1, to: 2, term: 3, prevIndex: 1, prevTerm: 1, entryTerms: [3])) }
        group.with(n(2)) { $0.step(voteRequest(from: 3, to: 2, term: 4, lastIndex: 9, lastTerm: 4)) }
        #expect(group.logTerms(n(2)) == [1])
        #expect(group.node(n(2)).vote == .none)
        #expect(group.node(n(2)).term == t(5))
    }

    /// Figure 7: "When the leader at the top comes to power, it is possible that any of
    /// scenarios (a-f) could occur in follower logs" — and "the leader handles
    /// inconsistencies by forcing the followers' logs to duplicate its own" (§5.3).
    @Test func figure7FollowersConvergeToTheLeader() {
        var group = paperGroup(7)
        let leaderLog: [UInt64] = [1, 1, 1, 4, 4, 5, 5, 6, 6, 6]
        group.preload(n(1), terms: leaderLog, currentTerm: 7)
        group.preload(n(2), terms: [1, 1, 1, 4, 4, 5, 5, 6, 6], currentTerm: 6)          // (a)
        group.preload(n(3), terms: [1, 1, 1, 4], currentTerm: 4)                         // (b)
        group.preload(n(4), terms: [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 6], currentTerm: 6)    // (c)
        group.preload(n(5), terms: [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7], currentTerm: 7) // (d)
        group.preload(n(6), terms: [1, 1, 1, 4, 4, 4, 4], currentTerm: 4)                // (e)
        group.preload(n(7), terms: [1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3], currentTerm: 3)    // (f)
        group.campaign(n(1))
        #expect(group.node(n(1)).role == .leader)
        #expect(group.node(n(1)).term == t(8))
        group.tickAll(3)
        for id in group.ids {
            #expect(group.logTerms(id) == leaderLog + [8], "\(id) converges to the leader's log")
        }
    }

    /// Figure 8 and §5.4.2: "Raft never commits log entries from previous terms by counting
    /// replicas. Only log entries from the leader's current term are committed by counting
    /// replicas." Here S1 (term 4) gets its term-2 entry onto a majority; it must not commit
    /// it, because S5 (last term 3) can still win and overwrite it.
    @Test func figure8PreviousTermEntryNotCommittedByCounting() {
        let (commitIndex, _) = figure8(faults: [])
        #expect(commitIndex == .zero)
        let (brokenCommitIndex, overwritten) = figure8(faults: [.commitPreviousTermByCounting])
        #expect(brokenCommitIndex == i(2), "the broken variant commits the term-2 entry")
        #expect(overwritten, "and S5 then overwrites that 'committed' entry, as in Figure 8 (d)")
    }

    /// Builds Figure 8 (c): returns S1's commit index while only the term-2 entry is on a
    /// majority, and whether S5 later overwrote index 2.
    func figure8(faults: Set<TestingFault>) -> (LogIndex, Bool) {
        var group = paperGroup(5) { configuration in
            configuration.messageBytesMax = 1  // one entry per message
            configuration.testingFaults = faults
        }
        group.preload(n(1), terms: [1, 2], currentTerm: 3)
        group.preload(n(2), terms: [1, 2], currentTerm: 3)
        group.preload(n(3), terms: [1], currentTerm: 3)
        group.preload(n(4), terms: [1], currentTerm: 3)
        group.preload(n(5), terms: [1, 3], currentTerm: 3)
        group.isolate(n(5))
        group.with(n(1)) { $0.campaign() }
        // Deliver everything, except that S1's term-4 no-op (index 3) never reaches a follower
        // that would accept it: followers get the term-2 entry, not the no-op.
        for _ in 0..<200 {
            let snapshot = group
            _ = group.take { message in
                message.kind == .appendEntries && message.entries.contains { $0.index == i(3) }
                    && snapshot.node(message.to).term(at: i(2)) == t(2)
            }
            if group.pending.isEmpty { break }
            group.deliverAll(limit: 1)
        }
        let commitIndex = group.node(n(1)).commitIndex
        // S1 crashes; S5 comes back and campaigns with its term-3 entry.
        group.heal()
        group.isolate(n(1))
        _ = group.take { _ in true }
        group.campaign(n(5))
        group.campaign(n(5))
        group.tickAll(2)
        let overwritten = group.node(n(5)).role == .leader && group.node(n(3)).term(at: i(2)) == t(3)
        return (commitIndex, overwritten)
    }

    /// The persistence contract: "Updated on stable storage before responding to RPCs"
    /// (Figure 2, persistent state) — a granted vote travels in the same Ready as the hard
    /// state recording it, and that Ready demands a sync.
    @Test func voteIsPersistedBeforeTheReplyLeaves() {
        let group = paperGroup(3)
        var node = group.node(n(1))
        node.step(voteRequest(from: 2, to: 1, term: 1, lastIndex: 0, lastTerm: 0))
        let ready = node.ready()
        #expect(ready.messages.contains { $0.kind == .requestVoteResponse && !$0.reject })
        #expect(ready.hardState?.vote == n(2))
        #expect(ready.mustSync)
        node.advance(ready)
    }

    /// "A log entry is committed once the leader that created the entry has replicated it on a
    /// majority of the servers" (§5.3) — counting the leader only once its own copy is durable,
    /// even in a single-node group.
    @Test func singleNodeCommitsOnlyAfterPersisting() throws {
        let storage = MemoryStorage(configuration: ConfigurationState(voters: [n(1)]))
        var node = try RaftNode(configuration: RaftConfiguration(id: n(1), randomSeed: 1), storage: storage)
        node.campaign()
        #expect(node.role == .leader)
        try node.propose([1, 2, 3])
        var ready = node.ready()
        #expect(ready.entries.count == 2)
        #expect(ready.committedEntries.isEmpty, "nothing is committed before the leader's own write is durable")
        #expect(node.commitIndex == .zero)
        storage.persist(ready)
        node.advance(ready)
        #expect(node.commitIndex == i(2))
        ready = node.ready()
        #expect(ready.committedEntries.map(\.index) == [i(1), i(2)])
        node.advance(ready)
    }
}

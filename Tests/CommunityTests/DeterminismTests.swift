@testable import Community
import QuadCore
import Testing

@Suite struct DeterminismTests {
    let workspace = Course.workspace

    /// The world plus a session touching every command, refusals included, that the tests below replay.
    func session() throws -> TestCommunity {
        var community = try Course.world()
        let chatter = Course.chatter
        let sequence = ChannelSequence(2)
        let bodies: [(CommandBody, Actor)] = [
            (.createChannel(workspace: workspace, channel: ChannelID(rawValue: "ch-labs")!,
                            spec: ChannelSpec(name: "Labs", slug: "labs", visibility: .public)), Course.moe),
            (.joinChannel(workspace: workspace, channel: ChannelID(rawValue: "ch-labs")!), Course.lea),
            (.addChannelMembers(workspace: workspace, channel: Course.secret, users: [Course.lia.userID]), Course.admin),
            (.postMessage(workspace: workspace, channel: chatter, text: "@lia hi", threadRoot: sequence,
                          clientMessageID: "k1"), Course.lea),
            (.postMessage(workspace: workspace, channel: chatter, text: "@lia hi", threadRoot: sequence,
                          clientMessageID: "k1"), Course.lea),
            (.editMessage(workspace: workspace, channel: chatter, sequence: ChannelSequence(4), text: "edited"),
             Course.lea),
            (.setReaction(workspace: workspace, channel: chatter, sequence: sequence, emoji: "tada", present: true),
             Course.lia),
            (.setPinned(workspace: workspace, channel: chatter, sequence: sequence, pinned: true), Course.lia),
            (.markRead(workspace: workspace, channel: chatter, sequence: ChannelSequence(3)), Course.lia),
            (.deleteMessage(workspace: workspace, channel: chatter, sequence: sequence), Course.moe),
            (.updateChannel(workspace: workspace, channel: chatter, patch: ChannelPatch(slug: "talk")), Course.ines),
            (.removeChannelMember(workspace: workspace, channel: chatter, user: Course.lea.userID), Course.lea),
            (.openDirectChannel(workspace: workspace, users: [Course.lea.userID, Course.moe.userID]), Course.lea),
            (.putMembers(workspace: workspace, members: [MemberSpec(userID: Course.nina.userID, role: .learner)]),
             Course.ines),
            (.removeMember(workspace: workspace, user: Course.leo.userID), Course.ines),
            (.postMessage(workspace: workspace, channel: chatter, text: "refused", threadRoot: nil,
                          clientMessageID: nil), Course.leo),
            (.createPlatform(platform: PlatformID(rawValue: "pl-2")!, name: "Two"), Course.admin),
        ]
        for (body, actor) in bodies { try community.apply(body, as: actor) }
        return community
    }

    /// Proves replaying the same log over the same rows gives identical rows, outcomes and events.
    @Test func replayGivesIdenticalRows() throws {
        let original = try session()
        let replica = MemoryRows()
        var events: [Event] = []
        for command in original.log {
            let first = try CommunityStateMachine().apply(command, over: replica)
            let second = try CommunityStateMachine().apply(command, over: replica)
            #expect(first.result == second.result && first.events == second.events)
            #expect(first.changes.writes == second.changes.writes)
            replica.write(first.changes)
            events += first.events
        }
        #expect(replica.values == original.rows.values)
        #expect(events == original.events)
    }

    /// Proves a batch applied through one `OverlayReader` (as the node does) equals the same commands
    /// applied one by one, in outcomes and in rows.
    @Test func overlayBatchEqualsOneByOne() throws {
        let original = try session()
        let split = 12  // platform, workspace, members, and the first joins go in before the batch
        let stored = MemoryRows()
        for command in original.log.prefix(split) {
            stored.write(try CommunityStateMachine().apply(command, over: stored).changes)
        }
        var pending = ChangeSet()
        var results: [Result<Outcome, CommunityError>] = []
        for command in original.log.dropFirst(split) {
            let applied = try CommunityStateMachine().apply(command, over: OverlayReader(base: stored, changes: pending))
            pending.merge(applied.changes)
            results.append(applied.result)
        }
        stored.write(pending)
        #expect(stored.values == original.rows.values)

        let oneByOne = MemoryRows()
        var expected: [Result<Outcome, CommunityError>] = []
        for (index, command) in original.log.enumerated() {
            let applied = try CommunityStateMachine().apply(command, over: oneByOne)
            oneByOne.write(applied.changes)
            if index >= split { expected.append(applied.result) }
        }
        #expect(results == expected)
    }

    /// Proves `OverlayReader.scan` equals a scan of the merged rows for random rows, changes, ranges,
    /// limits and directions (seeded, so a failure replays with its seed).
    @Test(arguments: 0..<20)
    func overlayScanMatchesMergedRows(seed: UInt64) throws {
        var generator = SeededGenerator(seed: seed)
        func key() -> [UInt8] {
            (0..<Int.random(in: 1...3, using: &generator)).map { _ in UInt8.random(in: 0...4, using: &generator) }
        }
        var merged: [[UInt8]: [UInt8]] = [:]
        for _ in 0..<30 { merged[key()] = [UInt8.random(in: 0...255, using: &generator)] }
        let stored = MemoryRows(merged)
        var overlay = ChangeSet()
        for _ in 0..<15 {
            let changed = key()
            if Bool.random(using: &generator) {
                let value = [UInt8.random(in: 0...255, using: &generator)]
                overlay.put(changed, value)
                merged[changed] = value
            } else {
                overlay.delete(changed)
                merged[changed] = nil
            }
        }
        let reader = OverlayReader(base: stored, changes: overlay)
        let truth = MemoryRows(merged)
        for _ in 0..<50 {
            let lower = key()
            let upper = key()
            let reverse = Bool.random(using: &generator)
            let limit = Int.random(in: 0...8, using: &generator)
            let got = try reader.scan(from: lower, to: upper, reverse: reverse, limit: limit)
            let want = truth.scan(from: lower, to: upper, reverse: reverse, limit: limit)
            #expect(got == want, "seed \(seed): scan \(lower)..<\(upper) reverse \(reverse) limit \(limit)")
        }
        for (key, value) in merged { #expect(try reader.get(key) == value) }
        #expect(try reader.get([9, 9, 9]) == nil)
    }
}

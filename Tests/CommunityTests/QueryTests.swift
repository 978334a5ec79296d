import Community
import Foundation
import QuadCore
import Testing

@Suite struct QueryTests {
    let workspace = Course.workspace
    let chatter = Course.chatter

    /// Proves history pages run newest-first with `before` and oldest-first with `after`, each page's cursor
    /// leading to the next without gaps or repeats, ending with a nil cursor.
    @Test func historyPagingBothDirections() throws {
        var community = try Course.world()
        for index in 5...23 { try community.post("m\(index)", in: chatter, as: Course.lea) }
        let queries = community.queries(as: Course.leo)

        var backwards: [UInt64] = []
        var before: ChannelSequence?
        var pages = 0
        repeat {
            let page = try queries.history(workspace, chatter, .before(before), limit: 5)
            backwards += page.items.map(\.sequence.rawValue)
            before = try page.nextCursor.map { ChannelSequence(try #require(UInt64($0))) }
            pages += 1
        } while before != nil
        #expect(backwards == Array((1...23).reversed()) && pages == 5)

        var forwards: [UInt64] = []
        var after = ChannelSequence.zero
        pages = 0
        while true {
            let page = try queries.history(workspace, chatter, .after(after), limit: 5)
            forwards += page.items.map(\.sequence.rawValue)
            pages += 1
            guard let cursor = page.nextCursor else { break }
            after = ChannelSequence(try #require(UInt64(cursor)))
        }
        #expect(forwards == Array(1...23) && pages == 5)

        // A page that ends exactly at the last message says so: no cursor, no empty extra page.
        #expect(try queries.history(workspace, chatter, .after(ChannelSequence(18)), limit: 5).nextCursor == nil)
        #expect(try queries.history(workspace, chatter, .before(ChannelSequence(6)), limit: 5).nextCursor == nil)
        #expect(try queries.history(workspace, chatter, .before(ChannelSequence(1)), limit: 5).items.isEmpty)
        #expect(try queries.history(workspace, chatter, .after(ChannelSequence(23)), limit: 5).items.isEmpty)
        // Channels do not bleed into each other's history.
        #expect(try queries.history(workspace, Course.announcements, .after(.zero), limit: 50).items.count == 1)
    }

    /// Proves cursors at the very end of the sequence space give empty pages instead of trapping.
    @Test func extremeCursorsDoNotTrap() throws {
        let community = try Course.world()
        let queries = community.queries(as: Course.leo)
        let last = ChannelSequence(UInt64.max)
        #expect(try queries.history(workspace, chatter, .after(last), limit: 5).items.isEmpty)
        #expect(try queries.history(workspace, chatter, .before(last), limit: 2).items.map(\.sequence.rawValue) == [4, 3])
        #expect(try queries.thread(workspace, Course.secret, root: ChannelSequence(1), after: last, limit: 5).1.items
            .isEmpty)
        #expect(try queries.events(workspace, stream: chatter.rawValue, after: UInt64.max, limit: 5).isEmpty)
    }

    /// Proves member lists page in user-ID order with an exclusive cursor.
    @Test func memberPaging() throws {
        let community = try Course.world()
        let queries = community.queries(as: Course.lea)
        let first = try queries.members(workspace, after: nil, limit: 2)
        #expect(first.items.map(\.userID.rawValue) == ["ines", "lea"] && first.nextCursor == "lea")
        let rest = try queries.members(workspace, after: UserID(rawValue: "lea"), limit: 10)
        #expect(rest.items.map(\.userID.rawValue) == ["leo", "lia", "moe"] && rest.nextCursor == nil)
        // "le" is a prefix of "lea" and "leo": a cursor between names still works.
        #expect(try queries.members(workspace, after: UserID(rawValue: "le"), limit: 1).items.map(\.userID.rawValue)
            == ["lea"])
        let channelMembers = try queries.channelMembers(workspace, chatter, after: UserID(rawValue: "leo"), limit: 2)
        #expect(channelMembers.items.map(\.userID.rawValue) == ["lia", "moe"] && channelMembers.nextCursor == nil)
    }

    /// Proves every stream's events carry gapless sequences from 1, and `events(after:)` resumes exactly.
    @Test func eventsAreGaplessPerStream() throws {
        var community = try Course.world()
        try community.succeed(.updateChannel(workspace: workspace, channel: chatter, patch: ChannelPatch(name: "Talk")),
                              as: Course.ines)
        try community.succeed(.removeMember(workspace: workspace, user: Course.lia.userID), as: Course.ines)
        var byStream: [String: [UInt64]] = [:]
        for event in community.events { byStream[event.stream, default: []].append(event.eventSequence) }
        #expect(byStream.count == 7)  // the workspace stream, four template channels, the private channel, the DM
        for (stream, sequences) in byStream {
            #expect(sequences == Array(1...UInt64(sequences.count)), "\(stream)")
        }
        let queries = community.queries(as: Course.admin)
        let all = try queries.events(workspace, stream: EventStream.workspace, after: 0, limit: 1000)
        #expect(all == community.events.filter { $0.stream == EventStream.workspace })
        #expect(all.map(\.kind).suffix(2) == [.channelUpdated, .memberRemoved])
        let resumed = try queries.events(workspace, stream: chatter.rawValue, after: 5, limit: 3)
        #expect(resumed.map(\.eventSequence) == [6, 7, 8])
        let chatterEvents = community.events.filter { $0.stream == chatter.rawValue }
        #expect(chatterEvents.first?.kind == .channelCreated)
        #expect(chatterEvents.last?.kind == .channelMemberRemoved && chatterEvents.last?.userID == Course.lia.userID)
        #expect(try queries.events(workspace, stream: chatter.rawValue, after: 1000, limit: 3).isEmpty)
    }

    /// Proves a stream keeps its newest 10,000 events, and resuming from before them says `resync_required`.
    @Test func eventsResyncRequired() throws {
        var community = try Course.world()
        let before = try community.queries(as: Course.lea).channel(workspace, chatter).channel.eventSequence
        let posts = Int(EventStream.retainedEventsMax) + 5 - Int(before)
        for index in 0..<posts { try community.post("m\(index)", in: chatter, as: Course.lea) }
        let queries = community.queries(as: Course.lea)
        #expect(try queries.channel(workspace, chatter).channel.eventSequence == EventStream.retainedEventsMax + 5)
        let error = queryError { try queries.events(workspace, stream: chatter.rawValue, after: 0, limit: 10) }
        #expect(error?.code == "resync_required" && error?.kind == .conflict)
        #expect(queryError { try queries.events(workspace, stream: chatter.rawValue, after: 4, limit: 10) }?.code
            == "resync_required")
        #expect(try queries.events(workspace, stream: chatter.rawValue, after: 5, limit: 2).map(\.eventSequence) == [6, 7])
    }

    /// Proves events, members and enums serialize with their names, as the API sends them.
    @Test func jsonUsesNames() throws {
        let community = try Course.world()
        let event = try #require(community.events.last)
        let json = String(decoding: try JSONEncoder().encode(event), as: UTF8.self)
        #expect(json.contains(#""kind":"pin.changed""#))
        let members = try community.queries(as: Course.lea).members(workspace, after: nil, limit: 1).items
        #expect(String(decoding: try JSONEncoder().encode(members), as: UTF8.self).contains(#""role":"instructor""#))
    }
}

@Suite struct PartitionCensusTests {
    /// Proves the workspace count reads every workspace row across scan pages (2,345 rows, pages of
    /// 1,000) and nothing of the other tables (channels, members).
    @Test func countsWorkspacesAcrossPages() throws {
        var community = TestCommunity()
        try community.succeed(.createPlatform(platform: Course.platform, name: "edX"), as: Course.admin)
        #expect(try PartitionCensus.workspaceCount(community.rows) == 0)
        for index in 0..<2_345 {
            try community.succeed(.createWorkspace(
                workspace: WorkspaceID(rawValue: "ws-\(index)")!, platform: Course.platform, kind: .course,
                name: "Course \(index)", externalID: nil, templates: index.isMultiple(of: 100) ? [.chatter] : [],
                templateChannelIDs: index.isMultiple(of: 100) ? [ChannelID(rawValue: "ch-\(index)")!] : []),
                as: Course.admin)
        }
        #expect(try PartitionCensus.workspaceCount(community.rows) == 2_345)
    }
}

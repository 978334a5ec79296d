@testable import Community
import QuadCore
import Testing

/// A reader whose storage has failed.
struct FailingRows: RowReader {
    struct Failure: Error {}
    func get(_ key: [UInt8]) throws -> [UInt8]? { throw Failure() }
    func scan(from lower: [UInt8], to upper: [UInt8], reverse: Bool, limit: Int) throws -> [RowPair] { throw Failure() }
}

@Suite struct RobustnessTests {
    let workspace = Course.workspace

    /// Proves a command refused halfway through a batch leaves no trace of its earlier steps.
    @Test func refusalMidBatchChangesNothing() throws {
        var community = try Course.world()
        let before = community.rows.values
        let applied = try community.apply(.putMembers(workspace: workspace, members: [
            MemberSpec(userID: UserID(rawValue: "first")!, role: .learner),
            MemberSpec(userID: UserID(rawValue: "second")!, role: .learner, displayName: ""),
        ]), as: Course.ines)
        #expect(applied.result == .failure(CommunityError(.invalid, "invalid_display_name",
                                                          "The display_name must not be empty.")))
        #expect(applied.changes.isEmpty && applied.events.isEmpty)
        #expect(community.rows.values == before)
        let failed = try community.apply(.addChannelMembers(workspace: workspace, channel: Course.questions,
                                                            users: [Course.lea.userID, Course.nina.userID]),
                                         as: Course.ines)
        #expect(failed.changes.isEmpty && community.rows.values == before)
    }

    /// Proves unreadable storage stops apply with `RowReadFailure` rather than being mistaken for a refusal.
    @Test func storageFailureThrows() {
        let command = Command(actor: Course.admin, timestampMilliseconds: 0,
                              body: .createPlatform(platform: Course.platform, name: "edX"))
        #expect(throws: RowReadFailure.self) { try CommunityStateMachine().apply(command, over: FailingRows()) }
        #expect(throws: RowReadFailure.self) {
            try CommunityQueries(reader: FailingRows(), actor: Course.lea).channels(workspace)
        }
    }

    /// Proves a corrupt stored row stops apply and queries instead of being half-read.
    @Test func corruptRowThrows() throws {
        let community = try Course.world()
        var corrupt = ChangeSet()
        corrupt.put(RowKey.channel(workspace, Course.chatter), [1, 0, 0])
        community.rows.write(corrupt)
        let post = Command(actor: Course.lea, timestampMilliseconds: 0,
                           body: .postMessage(workspace: workspace, channel: Course.chatter, text: "hi",
                                              threadRoot: nil, clientMessageID: nil))
        #expect(throws: RowReadFailure.self) { try CommunityStateMachine().apply(post, over: community.rows) }
        #expect(throws: RowReadFailure.self) { try community.queries(as: Course.lea).channels(workspace) }
    }

    /// Proves mentions are `@` + identifier, not inside words or addresses, deduplicated and bounded.
    @Test func mentionParsing() {
        func ids(_ text: String) -> [String] { Validation.mentions(in: text).map(\.rawValue) }
        #expect(ids("@ana hi @bo, and @ana again") == ["ana", "bo"])
        #expect(ids("thanks @lia.") == ["lia"])
        #expect(ids("mail ana@example.edu or @@bo") == ["bo"])
        #expect(ids("@ alone, @é, @") == [])
        #expect(ids("ask @jane.doe@example.edu.") == ["jane.doe@example.edu"])
        let many = (0..<80).map { "@u\($0)" }.joined(separator: " ")
        #expect(ids(many).count == Limits.mentionsPerMessageMax)
    }

    /// Proves slugs made from names are valid slugs.
    @Test func slugFromName() throws {
        #expect(Validation.slug(fromName: "Q&A") == "q-a")
        #expect(Validation.slug(fromName: "  Week 1: Intro!  ") == "week-1-intro")
        #expect(Validation.slug(fromName: "É") == "channel-")
        for name in ["Q&A", "x", "É", String(repeating: "Ab ", count: 40), "---"] {
            try Validation.slug(Validation.slug(fromName: name))
        }
    }
}

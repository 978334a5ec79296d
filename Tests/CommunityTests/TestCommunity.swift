import Community
import QuadCore
import Testing

/// The state machine over in-memory rows, applying each command's changes as the node does, with a
/// clock that advances one second per command.
struct TestCommunity {
    let rows: MemoryRows
    let machine = CommunityStateMachine()
    var nowMilliseconds: Int64 = 1_764_480_000_000
    /// Every event emitted so far, in order.
    private(set) var events: [Event] = []
    /// Every command applied so far, refused ones included: the log a replica would replay.
    private(set) var log: [Command] = []

    init(rows: MemoryRows = MemoryRows()) {
        self.rows = rows
    }

    /// Applies one command and writes its changes; a refusal must change nothing.
    @discardableResult
    mutating func apply(_ body: CommandBody, as actor: Actor) throws -> Applied {
        nowMilliseconds += 1000
        let command = Command(actor: actor, timestampMilliseconds: nowMilliseconds, body: body)
        log.append(command)
        let applied = try machine.apply(command, over: rows)
        if case .failure = applied.result {
            #expect(applied.changes.isEmpty && applied.events.isEmpty, "a refused command changed rows")
        }
        rows.write(applied.changes)
        events += applied.events
        return applied
    }

    /// Applies a command that must succeed and returns its outcome.
    @discardableResult
    mutating func succeed(_ body: CommandBody, as actor: Actor,
                          sourceLocation: SourceLocation = #_sourceLocation) throws -> Outcome {
        switch try apply(body, as: actor).result {
        case .success(let outcome):
            return outcome
        case .failure(let error):
            Issue.record("refused: \(error)", sourceLocation: sourceLocation)
            throw error
        }
    }

    /// Applies a command that must be refused and returns why (nil, with an issue, when it succeeded).
    mutating func refusal(_ body: CommandBody, as actor: Actor,
                          sourceLocation: SourceLocation = #_sourceLocation) throws -> CommunityError? {
        switch try apply(body, as: actor).result {
        case .success(let outcome):
            Issue.record("expected a refusal, got \(outcome)", sourceLocation: sourceLocation)
            return nil
        case .failure(let error):
            return error
        }
    }

    func queries(as actor: Actor) -> CommunityQueries<MemoryRows> {
        CommunityQueries(reader: rows, actor: actor)
    }

    /// Posts a top-level message (or a reply) and returns it.
    @discardableResult
    mutating func post(_ text: String, in channel: ChannelID, as actor: Actor, replyTo root: ChannelSequence? = nil,
                       clientMessageID: String? = nil, workspace: WorkspaceID = Course.workspace) throws -> Message {
        let outcome = try succeed(.postMessage(workspace: workspace, channel: channel, text: text, threadRoot: root,
                                               clientMessageID: clientMessageID), as: actor)
        return try #require(outcome.message)
    }
}

/// The error a query threw, or nil when it returned.
func queryError<T>(_ body: () throws -> T) -> CommunityError? {
    do {
        _ = try body()
        return nil
    } catch let error as CommunityError {
        return error
    } catch {
        Issue.record("unexpected error \(error)")
        return nil
    }
}

extension Outcome {
    var message: Message? { if case .message(let message, _) = self { message } else { nil } }
    var isDuplicate: Bool { if case .message(_, let duplicate) = self { duplicate } else { false } }
    var channel: Channel? { if case .channel(let channel) = self { channel } else { nil } }
    var members: [Member]? { if case .members(let members) = self { members } else { nil } }
    var workspace: Workspace? { if case .workspace(let workspace, _) = self { workspace } else { nil } }
    var templateChannels: [Channel]? { if case .workspace(_, let channels) = self { channels } else { nil } }
    var addedCount: Int? { if case .channelMembersAdded(let count) = self { count } else { nil } }
    var readState: ChannelMember? { if case .readState(let member) = self { member } else { nil } }
}

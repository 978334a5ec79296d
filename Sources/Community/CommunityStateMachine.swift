import QuadCore

/// The result a command's issuer receives once the command is applied.
public enum Outcome: Sendable, Equatable {
    case platform(Platform)
    case workspace(Workspace, channels: [Channel])
    case members([Member])
    case memberRemoved
    case channel(Channel)
    case channelMembersAdded(count: Int)
    case channelMemberRemoved
    /// A posted message; `duplicate` when an earlier post with the same `client_msg_id` is returned.
    case message(Message, duplicate: Bool)
    case readState(ChannelMember)
    /// Sign-in and LMS integration outcomes (CommunityStateMachine+Identity.swift).
    case identity(IdentityOutcome)
    /// A created, edited or (un)cancelled live session.
    case liveSession(LiveSession)
    case liveSessionDeleted
    case liveSessionJoinWindow(minutes: UInt16)
    case calendarFeedTokenSet
    case meetingProviderCredentialsSet

}

/// Everything applying one command produced.
public struct Applied: Sendable {
    /// What the issuer is told: the outcome, or why the command was refused.
    public var result: Result<Outcome, CommunityError>
    /// Rows to write with the applied index (empty when refused).
    public var changes: ChangeSet
    /// Events for real-time subscribers (already part of `changes`).
    public var events: [Event]
}

/// The community state machine: a pure function from (stored rows, command) to
/// (outcome, row changes, events). No clock, no randomness, no I/O of its own: every
/// replica that applies the same log over the same rows produces the same rows.
public struct CommunityStateMachine: Sendable {
    public init() {}

    /// Applies `command` over `reader`. A refused command changes nothing. Throws only when
    /// a stored row cannot be read, in which case the caller must stop applying.
    public func apply<Reader: RowReader>(_ command: Command, over reader: Reader) throws(RowReadFailure) -> Applied {
        var transaction = Transaction(base: reader, changes: ChangeSet(), now: command.timestampMilliseconds,
                                      actor: command.actor)
        do {
            let outcome = try run(command.body, in: &transaction)
            return Applied(result: .success(outcome), changes: transaction.changes, events: transaction.events)
        } catch {
            switch error {
            case .refused(let reason):
                return Applied(result: .failure(reason), changes: ChangeSet(), events: [])
            case .storage(let failure):
                throw failure
            }
        }
    }

    private func run<Base>(_ body: CommandBody, in transaction: inout Transaction<Base>) throws(ApplyFailure) -> Outcome {
        switch body {
        case let .createPlatform(platform, name):
            return try createPlatform(platform, name: name, in: &transaction)
        case let .createWorkspace(workspace, platform, kind, name, externalID, templates, channelIDs):
            return try createWorkspace(
                WorkspaceDraft(id: workspace, platform: platform, kind: kind, name: name, externalID: externalID,
                               templates: templates, templateChannelIDs: channelIDs), in: &transaction)
        case let .putMembers(workspace, members):
            return try putMembers(workspace, members, in: &transaction)
        case let .removeMember(workspace, user):
            return try removeMember(workspace, user, in: &transaction)
        case let .createChannel(workspace, channel, spec):
            return try createChannel(workspace, channel, spec, in: &transaction)
        case let .updateChannel(workspace, channel, patch):
            return try updateChannel(workspace, channel, patch, in: &transaction)
        case let .joinChannel(workspace, channel):
            return try joinChannel(workspace, channel, in: &transaction)
        case let .addChannelMembers(workspace, channel, users):
            return try addChannelMembers(workspace, channel, users, in: &transaction)
        case let .removeChannelMember(workspace, channel, user):
            return try removeChannelMember(workspace, channel, user, in: &transaction)
        case let .openDirectChannel(workspace, users):
            return try openDirectChannel(workspace, users, in: &transaction)
        case let .postMessage(workspace, channel, text, root, clientMessageID):
            return try postMessage(MessageDraft(workspace: workspace, channel: channel, text: text, threadRoot: root,
                                                clientMessageID: clientMessageID), in: &transaction)
        case let .editMessage(workspace, channel, sequence, text):
            return try editMessage(workspace, channel, sequence, text, in: &transaction)
        case let .deleteMessage(workspace, channel, sequence):
            return try deleteMessage(workspace, channel, sequence, in: &transaction)
        case let .setReaction(workspace, channel, sequence, emoji, present):
            return try setReaction(workspace, channel, sequence, emoji: emoji, present: present, in: &transaction)
        case let .setPinned(workspace, channel, sequence, pinned):
            return try setPinned(workspace, channel, sequence, pinned: pinned, in: &transaction)
        case let .markRead(workspace, channel, sequence):
            return try markRead(workspace, channel, sequence, in: &transaction)
        case let .identity(command):
            return .identity(try applyIdentity(command, in: &transaction))
        case .createLiveSession, .updateLiveSession, .deleteLiveSession, .setLiveSessionOccurrenceCancelled,
             .setLiveSessionJoinWindow, .setCalendarFeedToken, .setMeetingProviderCredentials,
             .remindLiveSession:
            return try runLiveSession(body, in: &transaction)

        }
    }
}

/// Runs a validation that throws `CommunityError` inside an apply step.
func check(_ body: () throws(CommunityError) -> Void) throws(ApplyFailure) {
    do { try body() } catch { throw .refused(error) }
}

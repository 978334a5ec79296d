public import Community
public import QuadCore

/// The calendars of workspaces as a reader sees them, read here or gathered from the nodes that
/// hold them: what a per-user calendar feed shows (`ForwardKind.calendars`). A workspace answered
/// but not visible to the reader (they left it meanwhile) is neither answered nor unreached.
public typealias GatheredCalendars = Gathered<WorkspaceID, WorkspaceCalendar>

extension WorkspaceCalendar {
    /// `workspace`'s calendar as `actor` sees it in `reader`'s rows; nil when they may not see it.
    /// Throws when the rows cannot be read.
    static func read(_ workspace: WorkspaceID, as actor: Actor, from reader: PartitionRowReader) throws
        -> WorkspaceCalendar? {
        do {
            return try CommunityQueries(reader: reader, actor: actor).workspaceCalendar(workspace)
        } catch is CommunityError {
            return nil
        }
    }
}

extension ReplicaDriver {
    /// How long one holder may take to answer: a feed request waits for it.
    static let calendarsTimeout: Duration = .seconds(2)
    /// Largest answer: workspaces past this many encoded bytes are left out (and asked of their
    /// next holder), so an answer stays under the 4 MiB transport frame. The first workspace is
    /// always sent: at its bounds (500 sessions of at most about 7 KiB each once join details are
    /// removed: 4 KiB agenda, 800-byte title, 10 hosts, 100 cancellations) it is 3.4 MiB.
    static let calendarsAnswerBytesMax = 3 << 20

    /// The calendars of `workspaces` (none of their partitions held here) as `user` sees them,
    /// asked of their holders in parallel. Never throws: what no holder answered is listed as unreached.
    public func gatherCalendars(of workspaces: [WorkspaceID], for user: UserID) async -> GatheredCalendars {
        let gathered = await gather(workspaces, partition: { placement.partition(ofKey: $0.rawValue) }) { holder, asked in
            try await self.askCalendars(of: asked, for: user, holder: holder)
        }
        var calendars = GatheredCalendars()
        calendars.answered = gathered.answered.compactMapValues { $0 }
        calendars.unreached = gathered.unreached
        return calendars
    }

    /// Asks `holder` for `user`'s calendars of `workspaces` (`ForwardKind.calendars`); the answer
    /// covers those it holds (nil: not visible to the user), up to `calendarsAnswerBytesMax`.
    func askCalendars(of workspaces: [WorkspaceID], for user: UserID, holder: NodeID) async throws
        -> [WorkspaceID: WorkspaceCalendar?] {
        var writer = BinaryWriter(capacity: 80 + workspaces.count * 68)
        writer.write(ForwardKind.calendars.rawValue)
        writer.write(user)
        writer.write(workspaces)
        let answer = try await messenger.forward(writer.bytes, to: holder, timeout: Self.calendarsTimeout)
        guard answer.first == 0 else { throw ForwardAnswer.error(in: answer, "\(holder) did not send calendars") }
        var reader = BinaryReader(Array(answer.dropFirst()))
        let count = try reader.readCount(maximum: workspaces.count)
        var found: [WorkspaceID: WorkspaceCalendar?] = [:]
        for _ in 0..<count {
            let workspace: WorkspaceID = try reader.readIdentifier()
            found[workspace] = try reader.readBool() ? try WorkspaceCalendar(from: &reader) : nil
        }
        try reader.expectEnd()
        return found
    }

    /// Serves `ForwardKind.calendars` from this node's rows: the asked workspaces whose partition
    /// it votes in, each whole, while the answer stays within `calendarsAnswerBytesMax`.
    func handleCalendarsRequest(_ request: [UInt8]) -> [UInt8] {
        var reader = BinaryReader(request)
        guard let user: UserID = try? reader.readIdentifier(),
              let workspaces: [WorkspaceID] = try? reader.readIdentifiers(maximum: Limits.workspacesPerUserMax),
              (try? reader.expectEnd()) != nil else {
            return ForwardAnswer.failure(.unavailable)
        }
        let actor = Actor(userID: user, displayName: user.rawValue, isAdmin: false)
        var answer = BoundedAnswer(bytesMax: Self.calendarsAnswerBytesMax)
        for workspace in workspaces {
            let partition = placement.partition(ofKey: workspace.rawValue)
            guard holdsRows(of: partition) else { continue }
            let calendar: WorkspaceCalendar?
            do {
                calendar = try WorkspaceCalendar.read(workspace, as: actor,
                                                      from: PartitionRowReader(database: host.database, partition: partition))
            } catch {
                continue
            }
            var entry = BinaryWriter()
            entry.write(workspace)
            entry.write(calendar != nil)
            calendar?.encode(into: &entry)
            answer.add(entry.bytes)
        }
        return answer.answer
    }
}

public import Logging
public import Node
public import ServiceLifecycle
import Community
import QuadCore

/// Posts the "join now" reminder of each session occurrence when its join window opens: on each
/// tick it asks every partition which occurrences are due (a pure query at the clock's "now") and
/// proposes `remindLiveSession` for each as the node's system actor. The command is idempotent
/// and re-checks the window at its own timestamp, so a late or repeated tick posts nothing twice.
/// Subscribers see the reminder as `message.created` in the session's channel.
public struct LiveSessionReminders: Service {
    /// Seconds between ticks: a reminder lands at most this late after its window opens.
    public static let tickSeconds = 30
    /// Sessions read per partition per tick: 20 workspaces' worth at their limit.
    static let sessionsScannedPerPartitionMax = Limits.liveSessionsPerWorkspaceMax * 20
    /// Who proposes reminders (an administrator: only it may send them).
    static let systemActor = Actor(userID: UserID(uncheckedRawValue: "quad-reminders"), displayName: "Quad",
                                   isAdmin: true)

    let node: CommunityNode
    let clock: any WallClock
    let logger: Logger

    public init(node: CommunityNode, clock: any WallClock, logger: Logger) {
        self.node = node
        self.clock = clock
        self.logger = logger
    }

    /// One pass over every partition; returns how many reminders were posted.
    @discardableResult
    public func tick() async -> Int {
        let now = clock.nowMilliseconds()
        var posted = 0
        for raw in 0..<node.placement.partitionCount {
            let reader = PartitionRowReader(database: node.database, partition: PartitionID(raw))
            let due: [(workspace: WorkspaceID, session: LiveSessionID, occurrence: Int64)]
            do {
                due = try CommunityQueries(reader: reader, actor: Self.systemActor)
                    .dueLiveSessionReminders(now: now, limit: Self.sessionsScannedPerPartitionMax)
            } catch {
                logger.error("reminder scan failed", metadata: ["partition": "\(raw)", "error": "\(error)"])
                continue
            }
            for item in due {
                do {
                    let result = try await node.submit(
                        .remindLiveSession(workspace: item.workspace, session: item.session,
                                           occurrenceMilliseconds: item.occurrence),
                        actor: Self.systemActor, timestampMilliseconds: clock.nowMilliseconds())
                    if case .success = result { posted += 1 }
                } catch {
                    logger.warning("reminder not posted", metadata: ["session": "\(item.session)", "error": "\(error)"])
                }
            }
        }
        return posted
    }

    public func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
                while true {
                    await tick()
                    try await Task.sleep(for: .seconds(Self.tickSeconds))
                }
            }
        } catch is CancellationError {
            return
        }
    }
}

import QuadCore

/// Where "now" stands against a session's join window.
public struct JoinWindow: Sendable, Equatable {
    /// The occurrence in progress or next to come (cancelled ones skipped); nil once the series is over.
    public var occurrence: Occurrence?
    /// When that occurrence's join details appear: its start minus the workspace's window.
    public var opensAtMilliseconds: Int64?
    /// Whether join details are shown now: from `opensAt` (inclusive) until the end (exclusive).
    public var isOpen: Bool
    /// Whole seconds until the window opens, rounded up (0 while open; nil when nothing is ahead).
    public var secondsUntilOpens: Int64?

    /// The join-window rule, a pure function of the schedule, the window length and `now`.
    /// An occurrence's window is `[start - windowMinutes, end)`: one millisecond before it opens
    /// the details are hidden, at the opening instant they are shown, and at the end they go.
    public static func evaluate(_ schedule: LiveSessionSchedule, windowMinutes: UInt16, now: Int64) -> JoinWindow {
        let lead = Int64(windowMinutes) * 60_000
        // Cancelled occurrences are skipped; at most the cancellation limit of them stand in the way.
        let candidates = schedule.occurrences(endingAfter: now, limit: Limits.liveSessionCancellationsMax + 1)
        guard let next = candidates.first(where: { !$0.cancelled }) else {
            return JoinWindow(occurrence: nil, opensAtMilliseconds: nil, isOpen: false, secondsUntilOpens: nil)
        }
        let opensAt = next.startMilliseconds - lead
        let isOpen = now >= opensAt && now < next.endMilliseconds
        let waitMilliseconds = max(0, opensAt - now)
        return JoinWindow(occurrence: next, opensAtMilliseconds: opensAt, isOpen: isOpen,
                          secondsUntilOpens: (waitMilliseconds + 999) / 1000)
    }
}

/// A live session as one viewer sees it at one instant: join details only inside the window,
/// the host start URL only to hosts, instructors and admins. Built by `CommunityQueries`; the API
/// renders it as is, so no client ever receives a secret it may not see.
public struct LiveSessionView: Sendable, Equatable {
    public var session: LiveSession
    public var window: JoinWindow
    /// The viewer may edit, cancel occurrences of, or delete it.
    public var canManage: Bool
    /// Shown only while `window.isOpen`.
    public var joinURL: String?
    /// Shown only while `window.isOpen`.
    public var password: String?
    /// Shown only to hosts, instructors and admins (at any time: they start the meeting).
    public var hostStartURL: String?

    /// Applies the visibility rules. `access` is the viewer's standing in the session's workspace.
    public init(session: LiveSession, schedule: LiveSessionSchedule, access: WorkspaceAccess, viewer: UserID,
                windowMinutes: UInt16, now: Int64) {
        let window = JoinWindow.evaluate(schedule, windowMinutes: windowMinutes, now: now)
        var redacted = session
        redacted.spec.joinURL = nil
        redacted.spec.password = nil
        redacted.spec.hostStartURL = nil
        self.session = redacted
        self.window = window
        self.canManage = access.canManage(session, user: viewer)
        self.joinURL = window.isOpen ? session.spec.joinURL : nil
        self.password = window.isOpen ? session.spec.password : nil
        self.hostStartURL = access.canStartAsHost(session, user: viewer) ? session.spec.hostStartURL : nil
    }
}

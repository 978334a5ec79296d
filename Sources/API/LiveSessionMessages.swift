import Community
import Foundation
import QuadCore

/// `POST`/`PUT /v1/workspaces/{workspace}/sessions[/{session}]`: every field of a session.
struct LiveSessionRequest: Decodable {
    var title: String
    var agenda: String?
    var channelId: ChannelID?
    /// Defaults to the caller.
    var hostIds: [UserID]?
    var provider: MeetingProvider
    /// RFC 3339, or a local `YYYY-MM-DDTHH:MM[:SS]` read in `time_zone`.
    var start: String
    var timeZone: String
    var durationMinutes: UInt32
    /// An RRULE value of the supported subset, e.g. `FREQ=WEEKLY;BYDAY=TU,TH;COUNT=10`.
    var recurrence: String?
    var meetingNumber: String?
    var password: String?
    var joinUrl: String?
    var hostStartUrl: String?
    /// Create (or follow edits of) the meeting at Zoom or Webex with the platform's credentials,
    /// instead of taking meeting_number, password and URLs from the request.
    var provision: Bool?

    /// The spec this request describes; 400 for a bad zone, start or rule.
    func spec(caller: UserID) throws -> LiveSessionSpec {
        guard let zone = TimeZone(identifier: timeZone) else {
            throw APIError.invalid("invalid_time_zone", "time_zone must be an IANA zone such as Europe/Madrid.")
        }
        guard let startMilliseconds = SessionTime.parse(start, zone: zone) else {
            throw APIError.invalid("invalid_start",
                                   "start is RFC 3339 or a local YYYY-MM-DDTHH:MM[:SS] in time_zone.")
        }
        var rule: RecurrenceRule?
        if let recurrence {
            guard let parsed = RecurrenceRule(text: recurrence) else {
                throw APIError.invalid("invalid_recurrence",
                                       "recurrence is an RRULE of FREQ (DAILY, WEEKLY), INTERVAL, BYDAY, COUNT or UNTIL.")
            }
            rule = parsed
        }
        return LiveSessionSpec(title: title, agenda: agenda ?? "", channel: channelId, hosts: hostIds ?? [caller],
                               provider: provider, startMilliseconds: startMilliseconds, timeZone: timeZone,
                               durationMinutes: durationMinutes, recurrence: rule, meetingNumber: meetingNumber,
                               password: password, joinURL: joinUrl, hostStartURL: hostStartUrl)
    }
}

struct JoinWindowRequest: Decodable {
    var joinWindowMinutes: UInt16
}

/// A session as one caller sees it now. Join details are present only inside the window and the
/// host start URL only for hosts and instructors; both are decided by `LiveSessionView`.
struct LiveSessionBody: Encodable {
    var id: LiveSessionID
    var workspaceId: WorkspaceID
    var title: String
    var agenda: String
    var channelId: ChannelID?
    var hostIds: [UserID]
    var provider: MeetingProvider
    var meetingNumber: String?
    var start: String
    var timeZone: String
    var durationMinutes: UInt32
    var recurrence: String?
    var cancelledOccurrences: [String]
    var revision: UInt32
    var createdAt: String
    var createdBy: UserID
    var updatedAt: String
    /// The occurrence in progress or next; nil once the series is over.
    var nextOccurrence: OccurrenceBody?
    var windowOpensAt: String?
    var joinWindowOpen: Bool
    /// Seconds from `server_time` until the join details appear: 0 while open, nil when nothing is ahead.
    var secondsUntilWindowOpens: Int64?
    var joinUrl: String?
    var password: String?
    var hostStartUrl: String?
    var canManage: Bool

    init(_ view: LiveSessionView) {
        let session = view.session
        let zone = TimeZone(identifier: session.spec.timeZone) ?? TimeZone(secondsFromGMT: 0) ?? .current
        func local(_ instant: Int64) -> String { SessionTime.text(instant, zone: zone) }
        id = session.id
        workspaceId = session.workspaceID
        title = session.spec.title
        agenda = session.spec.agenda
        channelId = session.spec.channel
        hostIds = session.spec.hosts
        provider = session.spec.provider
        meetingNumber = session.spec.meetingNumber
        start = local(session.spec.startMilliseconds)
        timeZone = session.spec.timeZone
        durationMinutes = session.spec.durationMinutes
        recurrence = session.spec.recurrence?.text
        cancelledOccurrences = session.cancelledOccurrences.map(local)
        revision = session.revision
        createdAt = SessionTime.utcText(session.createdAt)
        createdBy = session.createdBy
        updatedAt = SessionTime.utcText(session.updatedAt)
        nextOccurrence = view.window.occurrence.map {
            OccurrenceBody(start: local($0.startMilliseconds), end: local($0.endMilliseconds),
                           id: ICalendarTime.utcText($0.startMilliseconds))
        }
        windowOpensAt = view.window.opensAtMilliseconds.map(local)
        joinWindowOpen = view.window.isOpen
        secondsUntilWindowOpens = view.window.secondsUntilOpens
        joinUrl = view.joinURL
        password = view.password
        hostStartUrl = view.hostStartURL
        canManage = view.canManage
    }
}

struct OccurrenceBody: Encodable {
    var start: String
    var end: String
    /// The occurrence's ID in cancellation paths: its UTC start as `YYYYMMDDTHHMMSSZ`.
    var id: String
}

struct LiveSessionResponse: Encodable {
    /// The server's clock when it answered, so clients count down from it, not their own clock.
    var serverTime: String
    var session: LiveSessionBody
}

struct LiveSessionsResponse: Encodable {
    var serverTime: String
    var joinWindowMinutes: UInt16
    var sessions: [LiveSessionBody]
}

struct JoinWindowResponse: Encodable {
    var joinWindowMinutes: UInt16
}

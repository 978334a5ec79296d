import Community
import Crypto
import Foundation
import Hummingbird
import QuadCore

/// iCalendar feeds of live sessions: per workspace (signed in) and per user (a secret URL that
/// calendar apps subscribe to, revocable at any time).
extension CommunityRoutes {
    /// Random bytes in a feed token: 256 bits, not guessable, and only its SHA-256 is stored.
    static let feedTokenBytes = 32
    /// Seconds a calendar app should wait before asking again when part of a feed could not be
    /// read: a holder restarting or an election takes a few seconds; apps poll every few minutes.
    static let feedRetryAfterSeconds = 5

    func addCalendarFeedRoutes(to group: RouterGroup<QuadRequestContext>) {
        group.get("workspaces/:workspace/calendar.ics") { _, context in
            let workspace = try workspaceID(context)
            let calendar = try await queries(workspace, context).workspaceCalendar(workspace)
            var feed = ICalendarFeed(name: calendar.workspaceName, now: clock.nowMilliseconds())
            feed.add(calendar.sessions, workspaceName: calendar.workspaceName,
                     joinWindowMinutes: calendar.joinWindowMinutes)
            return CalendarText(text: feed.text())
        }
        group.post("me/calendar-feed") { _, context in
            let actor = try context.requireActor()
            var generator = SystemRandomNumberGenerator()
            let secret = (0..<Self.feedTokenBytes).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let token = Hex.encode(secret)
            _ = try await submit(.setCalendarFeedToken(user: actor.userID, tokenDigest: Self.digest(token)), context)
            let path = "/v1/calendar-feeds/\(actor.userID.rawValue)/\(token).ics"
            return Created(body: CalendarFeedResponse(path: path, token: token))
        }
        group.delete("me/calendar-feed") { _, context in
            let actor = try context.requireActor()
            _ = try await submit(.setCalendarFeedToken(user: actor.userID, tokenDigest: nil), context)
            return NoContent()
        }
    }

    /// `GET /v1/calendar-feeds/{user}/{token}.ics`, outside sign-in: the token is the credential.
    /// A wrong or revoked token is 404, like a user that does not exist.
    ///
    /// In a cluster of more nodes than replicas the routing middleware relays the request to a
    /// node holding the user's partition (where the token digest is); the calendars of workspaces
    /// held elsewhere are asked of their holders. When some workspace's holders are all
    /// unreachable the answer is 503 with Retry-After, never a feed silently missing sessions
    /// (a calendar app would delete them until its next poll).
    func addPublicCalendarFeedRoute(to router: Router<QuadRequestContext>) {
        router.get("v1/calendar-feeds/:user/:file") { _, context in
            let user = try userID(context)
            let file = context.parameters.get("file") ?? ""
            let token = file.hasSuffix(".ics") ? String(file.dropLast(4)) : file
            let reader = Actor(userID: user, displayName: user.rawValue, isAdmin: false)
            guard token.utf8.count == Self.feedTokenBytes * 2,
                  try node.queries(forKey: user.rawValue, actor: reader)
                    .calendarFeedTokenMatches(user: user, digest: Self.digest(token))
            else { throw APIError(.notFound, "feed_not_found", "No such calendar feed.") }
            let memberships = try await node.myWorkspaces(actor: reader)
            let gathered = await node.calendars(of: memberships.map(\.workspace.id), actor: reader)
            guard gathered.unreached.isEmpty else {
                var refusal = APIError(.serviceUnavailable, "unavailable",
                                       "Some of the feed's workspaces cannot be read right now; retry shortly.")
                refusal.retryAfterSeconds = Self.feedRetryAfterSeconds
                throw refusal
            }
            var feed = ICalendarFeed(name: "Quad live sessions", now: clock.nowMilliseconds())
            for membership in memberships {
                guard let calendar = gathered.answered[membership.workspace.id] else { continue }
                feed.add(calendar.sessions, workspaceName: calendar.workspaceName,
                         joinWindowMinutes: calendar.joinWindowMinutes)
            }
            return CalendarText(text: feed.text())
        }
    }

    static func digest(_ token: String) -> [UInt8] { Array(SHA256.hash(data: Data(token.utf8))) }
}

struct CalendarFeedResponse: Encodable {
    /// The feed's path on this server; calendar apps subscribe to it (webcal or https).
    var path: String
    /// The secret in the path, shown once.
    var token: String
}

/// A `text/calendar` answer.
struct CalendarText: ResponseGenerator {
    let text: String

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/calendar; charset=utf-8"
        headers[.cacheControl] = "private, max-age=300"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}

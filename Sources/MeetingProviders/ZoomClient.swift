import AsyncHTTPClient
import Foundation
import NIOHTTP1
import QuadCore

/// A platform's Zoom server-to-server OAuth app: account ID, client ID and secret.
public struct ZoomCredentials: Sendable, Equatable, Codable {
    public var accountID: String
    public var clientID: String
    public var clientSecret: String

    public init(accountID: String, clientID: String, clientSecret: String) {
        self.accountID = accountID
        self.clientID = clientID
        self.clientSecret = clientSecret
    }
}

/// Zoom's meetings API with server-to-server OAuth (`grant_type=account_credentials`).
/// Tokens are cached until a minute before they expire. Series map to meeting type 8
/// (recurring, fixed time): daily (`type` 1) or weekly (`type` 2, `weekly_days` 1 = Sunday).
public actor ZoomClient: MeetingProviderClient {
    /// Zoom's documented bounds on recurring meetings.
    public static let occurrencesMax: UInt16 = 60
    public static let dailyIntervalMax: UInt16 = 90
    public static let weeklyIntervalMax: UInt16 = 12
    /// Renew a token this long before Zoom says it expires.
    static let tokenRenewalMarginSeconds: Double = 60

    let credentials: ZoomCredentials
    /// `https://zoom.us` in production; a fake server's URL in tests.
    let oauthBaseURL: String
    /// `https://api.zoom.us/v2` in production.
    let apiBaseURL: String
    let http: ProviderHTTP
    private var token: (value: String, expires: ContinuousClock.Instant)?

    public init(credentials: ZoomCredentials, oauthBaseURL: String = "https://zoom.us",
                apiBaseURL: String = "https://api.zoom.us/v2", httpClient: HTTPClient = .shared,
                timeoutSeconds: Int64 = ProviderLimits.requestTimeoutSeconds) {
        self.credentials = credentials
        self.oauthBaseURL = oauthBaseURL
        self.apiBaseURL = apiBaseURL
        self.http = ProviderHTTP(client: httpClient, provider: "Zoom", timeoutSeconds: timeoutSeconds)
    }

    public func createMeeting(_ request: MeetingRequest) async throws(ProviderError) -> ProvisionedMeeting {
        let body = try Self.meetingBody(request)
        let answer = try await http.send(.POST, apiBaseURL + "/users/me/meetings", headers: try await bearer(), json: body)
        try http.check(answer, expecting: [201])
        let object = try http.object(answer)
        guard let id = (object["id"] as? NSNumber)?.int64Value, let joinURL = object["join_url"] as? String else {
            throw ProviderError(.unavailable, status: answer.status, "Zoom's answer has no meeting ID or join URL.")
        }
        return ProvisionedMeeting(providerMeetingID: String(id), meetingNumber: String(id), joinURL: joinURL,
                                  hostStartURL: object["start_url"] as? String, password: object["password"] as? String)
    }

    public func updateMeeting(id: String, _ request: MeetingRequest) async throws(ProviderError) {
        let answer = try await http.send(.PATCH, apiBaseURL + "/meetings/" + (try Self.pathID(id)),
                                         headers: try await bearer(), json: try Self.meetingBody(request))
        try http.check(answer, expecting: [204])
    }

    public func deleteMeeting(id: String) async throws(ProviderError) {
        let answer = try await http.send(.DELETE, apiBaseURL + "/meetings/" + (try Self.pathID(id)),
                                         headers: try await bearer())
        try http.check(answer, expecting: [204])
    }

    /// The `Authorization` header, fetching a token when none is cached or it is about to expire.
    func bearer() async throws(ProviderError) -> [(String, String)] {
        if let token, ContinuousClock.now < token.expires { return [("Authorization", "Bearer " + token.value)] }
        let basic = Data((credentials.clientID + ":" + credentials.clientSecret).utf8).base64EncodedString()
        let account = credentials.accountID.addingPercentEncoding(withAllowedCharacters: Self.unreserved) ?? ""
        let answer = try await http.send(.POST, oauthBaseURL + "/oauth/token?grant_type=account_credentials&account_id=" + account,
                                         headers: [("Authorization", "Basic " + basic)])
        try http.check(answer, expecting: [200])
        let object = try http.object(answer)
        guard let value = object["access_token"] as? String else {
            throw ProviderError(.unavailable, status: answer.status, "Zoom's token answer has no access_token.")
        }
        let lifetime = max(0, ((object["expires_in"] as? NSNumber)?.doubleValue ?? 0) - Self.tokenRenewalMarginSeconds)
        token = (value, ContinuousClock.now.advanced(by: .milliseconds(Int64(lifetime * 1000))))
        return [("Authorization", "Bearer " + value)]
    }

    /// The meeting object of Zoom's create and update calls.
    static func meetingBody(_ request: MeetingRequest) throws(ProviderError) -> [String: Any] {
        var body: [String: Any] = [
            "topic": request.title, "agenda": request.agenda, "type": request.recurrence == nil ? 2 : 8,
            "start_time": try localDateTime(request.startMilliseconds, zone: request.timeZone),
            "timezone": request.timeZone, "duration": request.durationMinutes,
            "settings": ["join_before_host": false, "waiting_room": true],
        ]
        if let password = request.password { body["password"] = password }
        if let rule = request.recurrence { body["recurrence"] = try recurrence(rule) }
        return body
    }

    static func recurrence(_ rule: RecurrenceRule) throws(ProviderError) -> [String: Any] {
        let intervalMax = rule.frequency == .daily ? dailyIntervalMax : weeklyIntervalMax
        guard rule.interval <= intervalMax else {
            throw ProviderError(.unsupported, "Zoom repeats at most every \(intervalMax) \(rule.frequency == .daily ? "days" : "weeks").")
        }
        var object: [String: Any] = ["type": rule.frequency == .daily ? 1 : 2, "repeat_interval": rule.interval]
        if rule.frequency == .weekly && !rule.byDay.isEmpty {
            object["weekly_days"] = rule.byDay.map { String($0.rawValue) }.joined(separator: ",")
        }
        if let count = rule.count {
            guard count <= occurrencesMax else {
                throw ProviderError(.unsupported, "Zoom series have at most \(occurrencesMax) occurrences.")
            }
            object["end_times"] = count
        } else if let until = rule.untilMilliseconds {
            object["end_date_time"] = ICalendarTime.isoText(until) + "Z"
        } else {
            object["end_times"] = occurrencesMax  // Zoom needs an end; Quad's open series get Zoom's longest
        }
        return object
    }

    /// RFC 3986 unreserved characters: everything else in a query value is percent-encoded.
    static let unreserved = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))

    static func pathID(_ id: String) throws(ProviderError) -> String {
        guard !id.isEmpty, id.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
            throw ProviderError(.meetingNotFound, "A Zoom meeting ID is a number.")
        }
        return id
    }
}

import AsyncHTTPClient
import Foundation
import NIOHTTP1
import QuadCore

/// Webex's meetings REST API (`/v1/meetings`) with a platform's access token. Series are sent as
/// the RRULE Webex takes in `recurrence`, at the session's local time in `timezone`.
public struct WebexClient: MeetingProviderClient {
    /// A platform's Webex access token (service app or integration).
    let accessToken: String
    /// `https://webexapis.com/v1` in production; a fake server's URL in tests.
    let baseURL: String
    let http: ProviderHTTP

    public init(accessToken: String, baseURL: String = "https://webexapis.com/v1", httpClient: HTTPClient = .shared,
                timeoutSeconds: Int64 = ProviderLimits.requestTimeoutSeconds) {
        self.accessToken = accessToken
        self.baseURL = baseURL
        self.http = ProviderHTTP(client: httpClient, provider: "Webex", timeoutSeconds: timeoutSeconds)
    }

    var headers: [(String, String)] { [("Authorization", "Bearer " + accessToken)] }

    public func createMeeting(_ request: MeetingRequest) async throws(ProviderError) -> ProvisionedMeeting {
        let answer = try await http.send(.POST, baseURL + "/meetings", headers: headers, json: try Self.body(request))
        try http.check(answer, expecting: [200])
        let object = try http.object(answer)
        guard let id = object["id"] as? String, let number = object["meetingNumber"] as? String,
              let link = object["webLink"] as? String else {
            throw ProviderError(.unavailable, status: answer.status, "Webex's answer has no id, meetingNumber or webLink.")
        }
        return ProvisionedMeeting(providerMeetingID: id, meetingNumber: number, joinURL: link, hostStartURL: nil,
                                  password: object["password"] as? String)
    }

    public func updateMeeting(id: String, _ request: MeetingRequest) async throws(ProviderError) {
        let answer = try await http.send(.PUT, baseURL + "/meetings/" + (try Self.pathID(id)), headers: headers,
                                         json: try Self.body(request))
        try http.check(answer, expecting: [200])
    }

    public func deleteMeeting(id: String) async throws(ProviderError) {
        let answer = try await http.send(.DELETE, baseURL + "/meetings/" + (try Self.pathID(id)), headers: headers)
        try http.check(answer, expecting: [204])
    }

    static func body(_ request: MeetingRequest) throws(ProviderError) -> [String: Any] {
        let end = request.startMilliseconds + Int64(request.durationMinutes) * 60_000
        var body: [String: Any] = [
            "title": request.title, "agenda": request.agenda, "timezone": request.timeZone,
            "start": try localDateTime(request.startMilliseconds, zone: request.timeZone),
            "end": try localDateTime(end, zone: request.timeZone),
        ]
        if let password = request.password { body["password"] = password }
        if let rule = request.recurrence { body["recurrence"] = rule.text }
        return body
    }

    static func pathID(_ id: String) throws(ProviderError) -> String {
        guard let encoded = id.addingPercentEncoding(withAllowedCharacters: .alphanumerics), !encoded.isEmpty else {
            throw ProviderError(.meetingNotFound, "A Webex meeting ID is not empty.")
        }
        return encoded
    }
}

import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import QuadCore

/// What Quad asks a provider to schedule: a session's fields in the provider's terms.
public struct MeetingRequest: Sendable, Equatable {
    public var title: String
    public var agenda: String
    public var startMilliseconds: Int64
    /// IANA zone; providers keep a series at this wall-clock time, as Quad does.
    public var timeZone: String
    public var durationMinutes: UInt32
    public var recurrence: RecurrenceRule?
    public var password: String?

    public init(title: String, agenda: String = "", startMilliseconds: Int64, timeZone: String,
                durationMinutes: UInt32, recurrence: RecurrenceRule? = nil, password: String? = nil) {
        self.title = title
        self.agenda = agenda
        self.startMilliseconds = startMilliseconds
        self.timeZone = timeZone
        self.durationMinutes = durationMinutes
        self.recurrence = recurrence
        self.password = password
    }

    /// The spec's fields, for a session about to be created or edited.
    public init(_ spec: LiveSessionSpec) {
        self.init(title: spec.title, agenda: spec.agenda, startMilliseconds: spec.startMilliseconds,
                  timeZone: spec.timeZone, durationMinutes: spec.durationMinutes, recurrence: spec.recurrence,
                  password: spec.password)
    }
}

/// A meeting the provider created: what the session stores.
public struct ProvisionedMeeting: Sendable, Equatable {
    /// The provider's ID for updates and deletes (Zoom's numeric ID as text, Webex's meeting ID).
    public var providerMeetingID: String
    public var meetingNumber: String
    public var joinURL: String
    /// Zoom's start URL; nil for Webex (hosts start by signing in at the join URL).
    public var hostStartURL: String?
    public var password: String?

    public init(providerMeetingID: String, meetingNumber: String, joinURL: String, hostStartURL: String?,
                password: String?) {
        self.providerMeetingID = providerMeetingID
        self.meetingNumber = meetingNumber
        self.joinURL = joinURL
        self.hostStartURL = hostStartURL
        self.password = password
    }
}

/// Why a provider call failed, with a stable code the API shows as is.
public struct ProviderError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// The platform's credentials were refused (HTTP 401/403 from the provider).
        case authenticationFailed = "provider_auth_failed"
        /// The provider refused the request (4xx): its message says why.
        case rejected = "provider_rejected"
        /// No such meeting at the provider (404).
        case meetingNotFound = "provider_meeting_not_found"
        /// The provider did not answer, or answered 5xx or nonsense.
        case unavailable = "provider_unavailable"
        /// Quad's session cannot be expressed in the provider's terms (a recurrence it lacks).
        case unsupported = "provider_unsupported"
    }

    public let code: Code
    /// The provider's HTTP status, when it answered.
    public let status: Int?
    public let message: String

    public init(_ code: Code, status: Int? = nil, _ message: String) {
        self.code = code
        self.status = status
        self.message = message
    }

    public var description: String { "\(code.rawValue)\(status.map { " (HTTP \($0))" } ?? ""): \(message)" }
}

/// A provider's meetings API.
public protocol MeetingProviderClient: Sendable {
    func createMeeting(_ request: MeetingRequest) async throws(ProviderError) -> ProvisionedMeeting
    func updateMeeting(id: String, _ request: MeetingRequest) async throws(ProviderError)
    func deleteMeeting(id: String) async throws(ProviderError)
}

/// Bounds shared by the provider clients.
public enum ProviderLimits {
    /// One provider call: Zoom and Webex answer in well under a second; 15 s covers a slow day
    /// without holding an API request forever.
    public static let requestTimeoutSeconds: Int64 = 15
    /// A provider answer body: meeting objects are a few KiB; 1 MiB means something is wrong.
    public static let responseBodyBytesMax = 1 << 20
}

/// The HTTP plumbing both clients share: JSON in and out, timeouts, errors by status.
struct ProviderHTTP: Sendable {
    let client: HTTPClient
    let provider: String
    let timeoutSeconds: Int64

    struct Answer {
        var status: Int
        var body: Data
    }

    func send(_ method: HTTPMethod, _ url: String, headers: [(String, String)], json: [String: Any]? = nil)
        async throws(ProviderError) -> Answer {
        var request = HTTPClientRequest(url: url)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let json {
            do {
                let data = try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys])
                request.headers.add(name: "Content-Type", value: "application/json")
                request.body = .bytes(ByteBuffer(data: data))
            } catch {
                throw ProviderError(.unsupported, "The request could not be encoded: \(error)")
            }
        }
        do {
            let response = try await client.execute(request, timeout: .seconds(timeoutSeconds))
            let body = try await response.body.collect(upTo: ProviderLimits.responseBodyBytesMax)
            return Answer(status: Int(response.status.code), body: Data(buffer: body))
        } catch {
            throw ProviderError(.unavailable, "\(provider) did not answer: \(error)")
        }
    }

    /// Throws the error an unsuccessful answer means, with the provider's own message.
    func check(_ answer: Answer, expecting statuses: Set<Int>) throws(ProviderError) {
        guard !statuses.contains(answer.status) else { return }
        let object = (try? JSONSerialization.jsonObject(with: answer.body)) as? [String: Any]
        let message = (object?["message"] as? String) ?? (object?["reason"] as? String)
            ?? String(decoding: answer.body.prefix(200), as: UTF8.self)
        let text = "\(provider): \(message)"
        switch answer.status {
        case 401, 403: throw ProviderError(.authenticationFailed, status: answer.status, text)
        case 404: throw ProviderError(.meetingNotFound, status: answer.status, text)
        case 400..<500: throw ProviderError(.rejected, status: answer.status, text)
        default: throw ProviderError(.unavailable, status: answer.status, text)
        }
    }

    func object(_ answer: Answer) throws(ProviderError) -> [String: Any] {
        guard let object = (try? JSONSerialization.jsonObject(with: answer.body)) as? [String: Any] else {
            throw ProviderError(.unavailable, status: answer.status, "\(provider) answered with something other than JSON.")
        }
        return object
    }
}

/// Local wall-clock text of an instant in a zone (`2026-03-17T15:00:00`), as both providers take it
/// together with a `timezone` field.
func localDateTime(_ milliseconds: Int64, zone: String) throws(ProviderError) -> String {
    guard let timeZone = TimeZone(identifier: zone) else { throw ProviderError(.unsupported, "Unknown time zone \(zone).") }
    let offset = timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(milliseconds) / 1000))
    return ICalendarTime.isoText(milliseconds + Int64(offset) * 1000)
}

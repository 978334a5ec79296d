import Crypto
import Foundation
import QuadCore

/// Authentication of webhook deliveries: `X-Quad-Timestamp: <unix seconds>` and
/// `X-Quad-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`. The timestamp is
/// signed, so a captured delivery cannot be replayed once it is older than the window; inside
/// the window a replay is a redelivery, which the enrollment clock makes harmless.
struct WebhookSignature {
    static let timestampHeader = "X-Quad-Timestamp"
    static let signatureHeader = "X-Quad-Signature"
    /// Five minutes each way: covers delivery retries in flight and modest clock drift, and is
    /// what Stripe and Slack allow.
    static let toleranceSeconds: Int64 = 300

    /// Checks a delivery; throws a 401 `APIError` naming what is wrong.
    static func verify(secret: [UInt8], timestamp: String?, signature: String?, body: [UInt8], now: Date) throws {
        guard let timestamp, let seconds = Int64(timestamp) else {
            throw APIError.unauthenticated(reason: "webhook_timestamp_missing", "Send \(timestampHeader) in Unix seconds.")
        }
        guard abs(Int64(now.timeIntervalSince1970) - seconds) <= toleranceSeconds else {
            throw APIError(.unauthorized, "webhook_timestamp_stale",
                           "The delivery's timestamp is more than \(toleranceSeconds) s from now; replays are refused.")
        }
        guard let signature, signature.hasPrefix("sha256="),
              let given = hexBytes(signature.dropFirst("sha256=".count)) else {
            throw APIError.unauthenticated(reason: "webhook_signature_missing", "Send \(signatureHeader): sha256=<hex>.")
        }
        let expected = sign(secret: secret, timestamp: timestamp, body: body)
        guard ConstantTime.equal(given, expected) else {
            throw APIError.unauthenticated(reason: "webhook_signature_invalid", "The delivery's signature does not verify.")
        }
    }

    /// The signature bytes of a delivery.
    static func sign(secret: [UInt8], timestamp: String, body: [UInt8]) -> [UInt8] {
        var message = Array(timestamp.utf8)
        message.append(UInt8(ascii: "."))
        message += body
        return Array(HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: secret)))
    }

    static func hexBytes(_ text: Substring) -> [UInt8]? {
        guard text.count <= 128 else { return nil }
        return Hex.decode(text)
    }
}

/// An Open edX event as its webhook forwards it: the envelope (`id`, `event_type`, `time`)
/// and the event's `data` as openedx-events defines it.
struct OpenEdxEvent: Decodable {
    var id: String?
    var eventType: String
    /// ISO 8601, as openedx-events metadata writes it.
    var time: String
    var data: EventData

    struct EventData: Decodable {
        var enrollment: Enrollment?
        var courseAccessRoleData: AccessRole?
        var cohort: Cohort?
    }

    struct User: Decodable {
        var id: Int?
        var pii: Personal?
    }

    struct Personal: Decodable {
        var username: String
        var email: String?
        var name: String?
    }

    struct Course: Decodable {
        var courseKey: String
        var displayName: String?
    }

    struct Enrollment: Decodable {
        var user: User
        var course: Course
        var mode: String?
        var isActive: Bool
    }

    struct AccessRole: Decodable {
        var user: User
        var courseKey: String
        var role: String
    }

    struct Cohort: Decodable {
        var user: User
        var course: Course
        var name: String
    }

    static let enrollmentCreated = "org.openedx.learning.course.enrollment.created.v1"
    static let enrollmentChanged = "org.openedx.learning.course.enrollment.changed.v1"
    static let unenrollmentCompleted = "org.openedx.learning.course.unenrollment.completed.v1"
    static let accessRoleAdded = "org.openedx.learning.user.course_access_role.added.v1"
    static let accessRoleRemoved = "org.openedx.learning.user.course_access_role.removed.v1"
    static let cohortMembershipChanged = "org.openedx.learning.cohort_membership.changed.v1"

    /// A learner placed in a cohort of a course (Open edX keeps one cohort per learner and course).
    struct CohortFact: Equatable {
        var courseKey: String
        var courseName: String?
        var username: String
        var cohortName: String
        var eventTimeMilliseconds: Int64

        /// The cohort as a group of the course: keyed by its name, which Open edX keeps unique
        /// per course.
        var group: GroupSpec {
            GroupSpec(key: "cohort:" + cohortName, name: String(cohortName.prefix(Limits.nameCharactersMax)))
        }
    }

    /// The cohort fact of a `cohort_membership.changed` event, or nil for any other type.
    func cohortFact() throws -> CohortFact? {
        guard eventType == Self.cohortMembershipChanged else { return nil }
        guard let milliseconds = Self.milliseconds(time) else {
            throw APIError.invalid("invalid_event_time", "The event's time is not ISO 8601.")
        }
        guard let cohort = data.cohort, let pii = cohort.user.pii, !cohort.name.isEmpty else {
            throw APIError.invalid("invalid_event", "A cohort event carries data.cohort.user.pii and data.cohort.name.")
        }
        return CohortFact(courseKey: cohort.course.courseKey, courseName: cohort.course.displayName,
                          username: pii.username, cohortName: cohort.name, eventTimeMilliseconds: milliseconds)
    }

    /// What the event means for a course's membership, or nil when Quad does not act on it.
    struct Fact: Equatable {
        var courseKey: String
        var courseName: String?
        var username: String
        var name: String?
        var role: WorkspaceRole
        var enrolled: Bool
        var setsRole: Bool
        var eventTimeMilliseconds: Int64
    }

    /// Open edX course roles: `instructor` runs the course; `staff` and the discussion roles
    /// help run it.
    static func role(_ name: String) -> WorkspaceRole? {
        switch name {
        case "instructor": .instructor
        case "staff", "limited_staff", "ccx_coach", "Moderator", "Community TA", "Group Moderator": .moderator
        default: nil
        }
    }

    func fact() throws -> Fact? {
        guard let milliseconds = Self.milliseconds(time) else {
            throw APIError.invalid("invalid_event_time", "The event's time is not ISO 8601.")
        }
        switch eventType {
        case Self.enrollmentCreated, Self.enrollmentChanged, Self.unenrollmentCompleted:
            guard let enrollment = data.enrollment, let pii = enrollment.user.pii else {
                throw APIError.invalid("invalid_event", "An enrollment event carries data.enrollment.user.pii.")
            }
            let enrolled = eventType != Self.unenrollmentCompleted && enrollment.isActive
            return Fact(courseKey: enrollment.course.courseKey, courseName: enrollment.course.displayName,
                        username: pii.username, name: pii.name, role: .learner, enrolled: enrolled, setsRole: false,
                        eventTimeMilliseconds: milliseconds)
        case Self.accessRoleAdded, Self.accessRoleRemoved:
            guard let access = data.courseAccessRoleData, let pii = access.user.pii,
                  let role = Self.role(access.role) else { return nil }
            let added = eventType == Self.accessRoleAdded
            return Fact(courseKey: access.courseKey, courseName: nil, username: pii.username, name: pii.name,
                        role: added ? role : .learner, enrolled: true, setsRole: true,
                        eventTimeMilliseconds: milliseconds)
        default:
            return nil
        }
    }

    /// Milliseconds since 1970 of an ISO 8601 time, with or without fractional seconds.
    static func milliseconds(_ text: String) -> Int64? {
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let plain = ISO8601DateFormatter()
        guard let date = fractional.date(from: text) ?? plain.date(from: text) else { return nil }
        return Int64((date.timeIntervalSince1970 * 1000).rounded())
    }
}

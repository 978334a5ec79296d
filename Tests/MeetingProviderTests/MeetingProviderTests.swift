import Foundation
import Hummingbird
import HummingbirdTesting
import MeetingProviders
import QuadCore
import Testing

/// Runs `body` with the base URL of a fake provider served by `router` on a loopback port.
func withFakeProvider(_ router: Router<BasicRequestContext>, _ body: @Sendable (String) async throws -> Void)
    async throws {
    let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
    try await app.test(.live) { client in
        // The live client connects in the background and a connection it has not finished when the
        // test ends stays open and holds the server's shutdown forever: one request settles it.
        _ = try await client.execute(uri: "/", method: .get, headers: [:], body: nil)
        let port = try #require(client.port)
        try await body("http://127.0.0.1:\(port)")
    }
}

/// Tuesday and Thursday office hours at 15:00 Madrid from 17 March 2026, ten times.
let officeHours = MeetingRequest(
    title: "CS 101 office hours", agenda: "Week 3", startMilliseconds: ICalendarTime.parseUTC("20260317T140000Z") ?? 0,
    timeZone: "Europe/Madrid", durationMinutes: 60,
    recurrence: RecurrenceRule(frequency: .weekly, byDay: [.tuesday, .thursday], count: 10), password: "abc123")

@Suite struct ZoomClientTests {
    /// Proves the server-to-server OAuth flow (account_credentials grant, Basic client auth, one
    /// cached token for several calls) and a recurring meeting of type 8 with Zoom's recurrence
    /// fields, then update (PATCH, 204) and delete (DELETE, 204) by the returned ID.
    @Test func createUpdateDeleteRecurringMeeting() async throws {
        let log = RequestLog()
        try await withFakeProvider(FakeZoom.router(log: log)) { base in
            let zoom = ZoomClient(credentials: ZoomCredentials(accountID: "acc-1", clientID: "cid", clientSecret: "csecret"),
                                  oauthBaseURL: base, apiBaseURL: base + "/v2")
            let meeting = try await zoom.createMeeting(officeHours)
            #expect(meeting == ProvisionedMeeting(providerMeetingID: "85012345678", meetingNumber: "85012345678",
                                                  joinURL: "https://fake.zoom/j/85012345678?pwd=x",
                                                  hostStartURL: "https://fake.zoom/s/85012345678?zak=host", password: "abc123"))
            try await zoom.updateMeeting(id: meeting.providerMeetingID, officeHours)
            try await zoom.deleteMeeting(id: meeting.providerMeetingID)
        }
        let requests = log.all
        #expect(requests.map { "\($0.method) \($0.path)" } == [
            "POST /oauth/token", "POST /v2/users/me/meetings", "PATCH /v2/meetings/85012345678",
            "DELETE /v2/meetings/85012345678"])
        let create = try #require(requests.dropFirst().first).json
        #expect(create["topic"] == .string("CS 101 office hours") && create["type"] == .number(8))
        #expect(create["start_time"] == .string("2026-03-17T15:00:00") && create["timezone"] == .string("Europe/Madrid"))
        #expect(create["duration"] == .number(60) && create["password"] == .string("abc123"))
        let recurrence = try #require(create["recurrence"])
        #expect(recurrence["type"] == .number(2) && recurrence["repeat_interval"] == .number(1))
        #expect(recurrence["weekly_days"] == .string("3,5") && recurrence["end_times"] == .number(10))
    }

    /// Proves errors come back as clear codes with Zoom's message: refused credentials, a missing
    /// meeting, an unreachable server, and a series Zoom cannot express (checked before any call).
    @Test func errorsAreClear() async throws {
        let log = RequestLog()
        try await withFakeProvider(FakeZoom.router(log: log)) { base in
            let wrong = ZoomClient(credentials: ZoomCredentials(accountID: "acc-1", clientID: "cid", clientSecret: "nope"),
                                   oauthBaseURL: base, apiBaseURL: base + "/v2")
            await #expect(throws: ProviderError(.authenticationFailed, status: 401, "Zoom: Invalid client_id or client_secret")) {
                _ = try await wrong.createMeeting(officeHours)
            }
            let zoom = ZoomClient(credentials: ZoomCredentials(accountID: "acc-1", clientID: "cid", clientSecret: "csecret"),
                                  oauthBaseURL: base, apiBaseURL: base + "/v2")
            await #expect(throws: ProviderError(.meetingNotFound, status: 404, "Zoom: Meeting does not exist: 1.")) {
                try await zoom.deleteMeeting(id: "1")
            }
            var tooLong = officeHours
            tooLong.recurrence = RecurrenceRule(frequency: .daily, count: 61)
            let before = log.all.count
            await #expect(throws: ProviderError(.unsupported, "Zoom series have at most 60 occurrences.")) {
                _ = try await zoom.createMeeting(tooLong)
            }
            #expect(log.all.count == before)
        }
        let gone = ZoomClient(credentials: ZoomCredentials(accountID: "a", clientID: "c", clientSecret: "s"),
                              oauthBaseURL: "http://127.0.0.1:1", apiBaseURL: "http://127.0.0.1:1/v2", timeoutSeconds: 2)
        do throws(ProviderError) {
            _ = try await gone.createMeeting(officeHours)
            Issue.record("expected provider_unavailable")
        } catch {
            #expect(error.code == .unavailable)
        }
    }
}

@Suite struct WebexClientTests {
    /// Proves a Webex meeting is created with the bearer token, local start and end in the session
    /// zone and the RRULE, and that Webex's answer maps to the session's fields; delete works.
    @Test func createAndDelete() async throws {
        let log = RequestLog()
        try await withFakeProvider(FakeWebex.router(log: log)) { base in
            let webex = WebexClient(accessToken: FakeWebex.token, baseURL: base + "/v1")
            let meeting = try await webex.createMeeting(officeHours)
            #expect(meeting == ProvisionedMeeting(providerMeetingID: "870f51ff287b41be84648412901e0402",
                                                  meetingNumber: "2650000000",
                                                  joinURL: "https://fake.webex.com/fake/j.php?MTID=m1", hostStartURL: nil,
                                                  password: "BgJep@43"))
            try await webex.deleteMeeting(id: meeting.providerMeetingID)
            let refused = WebexClient(accessToken: "stale", baseURL: base + "/v1")
            do throws(ProviderError) {
                _ = try await refused.createMeeting(officeHours)
                Issue.record("expected provider_auth_failed")
            } catch {
                #expect(error.code == .authenticationFailed && error.status == 401)
                #expect(error.message.hasPrefix("Webex: The request requires a valid access token"))
            }
            var untitled = officeHours
            untitled.title = ""
            do throws(ProviderError) {
                _ = try await webex.createMeeting(untitled)
                Issue.record("expected provider_rejected")
            } catch {
                #expect(error == ProviderError(.rejected, status: 400, "Webex: title, start and end are required."))
            }
        }
        let create = try #require(log.all.first).json
        #expect(create["title"] == .string("CS 101 office hours") && create["timezone"] == .string("Europe/Madrid"))
        #expect(create["start"] == .string("2026-03-17T15:00:00") && create["end"] == .string("2026-03-17T16:00:00"))
        #expect(create["recurrence"] == .string("FREQ=WEEKLY;BYDAY=TU,TH;COUNT=10"))
        #expect(log.all.map { "\($0.method) \($0.path)" }.prefix(2)
            == ["POST /v1/meetings", "DELETE /v1/meetings/870f51ff287b41be84648412901e0402"])
    }
}

@Suite struct CredentialSealerTests {
    /// Proves sealed credentials open only with the same key and associated data, and that the
    /// sealed bytes hold no plaintext.
    @Test func sealAndOpen() throws {
        let sealer = CredentialSealer(key: Array(repeating: 7, count: 32))
        let secret = Array("client-secret-xyz".utf8)
        let sealed = try sealer.seal(secret, associatedData: "pl-edx/zoom")
        #expect(try sealer.open(sealed, associatedData: "pl-edx/zoom") == secret)
        #expect(!String(decoding: sealed, as: UTF8.self).contains("client-secret"))
        #expect(throws: (any Error).self) { try sealer.open(sealed, associatedData: "pl-other/zoom") }
        #expect(throws: (any Error).self) {
            try CredentialSealer(key: Array(repeating: 8, count: 32)).open(sealed, associatedData: "pl-edx/zoom")
        }
        var tampered = sealed
        tampered[tampered.count - 1] ^= 1
        #expect(throws: (any Error).self) { try sealer.open(tampered, associatedData: "pl-edx/zoom") }
    }

    /// Proves a value names the key that sealed it, so a node with another key (a cluster whose nodes do
    /// not share provider-credentials.key) says exactly that, naming both keys.
    @Test func anotherKeyIsNamedNotJustRefused() throws {
        let first = CredentialSealer(key: Array(repeating: 7, count: 32))
        let second = CredentialSealer(key: Array(repeating: 8, count: 32))
        let sealed = try first.seal(Array("secret".utf8), associatedData: "pl-edx/zoom")
        #expect(sealed[0] == 1 && Array(sealed[1...8]) == first.keyID)
        #expect(throws: SealedWithAnotherKey(sealedBy: first.keyID, thisKey: second.keyID)) {
            try second.open(sealed, associatedData: "pl-edx/zoom")
        }
        #expect(SealedWithAnotherKey(sealedBy: first.keyID, thisKey: second.keyID).description
            .contains("same provider-credentials.key"))
    }
}

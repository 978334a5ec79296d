import API
import Foundation
import Synchronization
import MeetingProviders
import QuadCore
import Testing

/// A provider that records calls and can be told to fail; the HTTP clients themselves are tested
/// against fake Zoom and Webex servers in MeetingProviderTests.
actor RecordingProvider: MeetingProviderClient {
    private(set) var calls: [String] = []
    /// Credentials the factory opened, recorded synchronously (the factory is not async).
    nonisolated let credentials = Mutex<[ProviderCredentialsBody]>([])
    var failCreate = false
    private var created = 0

    func setFailCreate(_ value: Bool) { failCreate = value }

    func createMeeting(_ request: MeetingRequest) async throws(ProviderError) -> ProvisionedMeeting {
        guard !failCreate else { throw ProviderError(.unavailable, status: 503, "Zoom: Service unavailable") }
        created += 1
        calls.append("create \(request.title)")
        return ProvisionedMeeting(providerMeetingID: "9000\(created)", meetingNumber: "9000\(created)",
                                  joinURL: "https://stub.zoom/j/9000\(created)", hostStartURL: "https://stub.zoom/s/9000\(created)",
                                  password: "pw\(created)")
    }

    func updateMeeting(id: String, _ request: MeetingRequest) async throws(ProviderError) {
        calls.append("update \(id) \(request.title)")
    }

    func deleteMeeting(id: String) async throws(ProviderError) { calls.append("delete \(id)") }
}

@Suite struct ProvisioningAPITests {
    /// Proves platform credentials are admin-only and sealed at rest (the secret is in no file of
    /// the data directory), a provisioned create fills the session from the provider, a refused
    /// command deletes the meeting it just created, a provider failure creates no session, edits
    /// follow to the provider, and deleting the session deletes the meeting.
    @Test func provisionedSessions() async throws {
        let provider = RecordingProvider()
        let factory = MeetingProviderFactory { _, credentials in
            provider.credentials.withLock { $0.append(credentials) }
            return provider
        }
        try await SessionsAPIServer.run(at: LiveSessionAPITests.winter, providers: factory) { server in
            let course = try await SessionCourse.make(server)
            let credentials = "/v1/platforms/pl-edx/meeting-providers/zoom"
            let secret: [String: Any] = ["account_id": "acc-1", "client_id": "cid", "client_secret": "csecret-xyz-42"]
            #expect(try await server.send(.put, credentials, as: course.ines, json: secret).status == 403)
            #expect(try await server.send(.put, credentials, as: course.admin, json: ["account_id": "a"]).status == 400)
            #expect(try await server.send(.put, credentials, as: course.admin, json: secret).status == 204)
            #expect(try stored(in: server.directory, contains: "csecret-xyz-42") == false)

            var body = SessionCourse.body
            body["provision"] = true
            body["channel_id"] = course.chatter
            for key in ["join_url", "host_start_url", "meeting_number", "password"] { body.removeValue(forKey: key) }
            let list = "/v1/workspaces/\(course.workspace)/sessions"
            #expect(try await server.send(.post, list, as: course.leo, json: body).status == 403)
            let created = try await server.send(.post, list, as: course.ines, json: body)
            #expect(created.status == 201, "\(created.text)")
            let session = try #require(created.json?[object: "session"])
            #expect(session[string: "meeting_number"] == "90001" && session[string: "host_start_url"] == "https://stub.zoom/s/90001")
            #expect(provider.credentials.withLock { $0.first?.clientSecret } == "csecret-xyz-42")

            var misplaced = body
            misplaced["channel_id"] = "ch-nope"
            #expect(try await server.send(.post, list, as: course.ines, json: misplaced).status == 404)
            await provider.setFailCreate(true)
            let failed = try await server.send(.post, list, as: course.ines, json: body)
            #expect(failed.status == 502 && failed.json?[object: "error"]?[string: "code"] == "provider_unavailable")
            await provider.setFailCreate(false)
            #expect((try await server.send(.get, list, as: course.ines).json?["sessions"] as? [[String: Any]])?.count == 2)

            let path = "/v1/workspaces/\(course.workspace)/sessions/\(try #require(session[string: "id"]))"
            var edit = body
            edit["title"] = "Office hours moved"
            let edited = try await server.send(.put, path, as: course.ines, json: edit)
            #expect(edited.status == 200 && edited.json?[object: "session"]?[string: "meeting_number"] == "90001")
            #expect(try await server.send(.delete, path, as: course.ines).status == 204)
            #expect(await provider.calls == ["create Office hours", "create Office hours", "delete 90002",
                                             "update 90001 Office hours moved", "delete 90001"])

            var webex = body
            webex["provider"] = "webex"
            #expect(try await server.send(.post, list, as: course.ines, json: webex).json?[object: "error"]?[string: "code"]
                == "provider_not_configured")
        }
    }

    /// Whether any file under `directory` holds `text` in the clear.
    func stored(in directory: String, contains text: String) throws -> Bool {
        let needle = Data(text.utf8)
        let files = FileManager.default.enumerator(atPath: directory)?.compactMap { $0 as? String } ?? []
        return files.contains { name in
            FileManager.default.contents(atPath: directory + "/" + name)?.range(of: needle) != nil
        }
    }
}

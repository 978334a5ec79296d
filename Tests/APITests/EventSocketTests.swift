import Hummingbird
import Testing

/// The event WebSocket through a real connection: live delivery, visibility, and resuming.
@Suite struct EventSocketTests {
    /// `stream:event_sequence` for every stream `user` can see now: the workspace and each visible channel.
    static func currentPositions(_ course: Course, as user: String) async throws -> [String: Int] {
        let server = course.server
        let workspace: Int = try #require(
            try ok(try await server.get(course.base, as: user))["workspace"]["event_sequence"].int)
        var positions = ["workspace": workspace]
        for view in try ok(try await server.get("\(course.base)/channels", as: user))["channels"].array {
            let channel = view["channel"]
            let id: String = try #require(channel["id"].string)
            let sequence: Int = try #require(channel["event_sequence"].int)
            positions[id] = sequence
        }
        return positions
    }

    static func resume(_ positions: [String: Int]) -> String {
        positions.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }.joined(separator: ",")
    }

    @Test func reconnectingWithResumeGetsExactlyTheMissedEventsInOrder() async throws {
        // Proves a client that disconnects and resumes from its last sequences gets every missed event once, in order, then live ones.
        try await TestServer.run { server in
            let course = try await Course.make(on: server)
            let client = EventClient(server: server, user: Users.learner, workspace: course.workspace)
            var positions = try await Self.currentPositions(course, as: Users.learner)

            let first = try await client.session(resume: Self.resume(positions), afterReady: {
                try await course.post("one", in: course.chatter, as: Users.instructor)
                try await course.post("two", in: course.chatter, as: Users.instructor)
            }, until: { frames in frames.filter { $0.streamPosition?.stream == course.chatter }.count == 2 })
            #expect(first.first?["type"] == .string("ready"))  // nothing was missed before the first session
            let live = first.compactMap(\.streamPosition)
            #expect(live.map(\.stream) == [course.chatter, course.chatter])
            #expect(live.map(\.sequence) == [positions[course.chatter]! + 1, positions[course.chatter]! + 2])
            #expect(first.compactMap { $0["message"]["text"].string } == ["one", "two"])
            for (stream, sequence) in live { positions[stream] = sequence }

            // While disconnected: messages, an edit and a reaction in two channels and a DM, a new member.
            let three = try await course.post("three", in: course.chatter, as: Users.instructor)
            try await course.post("four", in: course.chatter, as: Users.otherLearner)
            try ok(try await server.send(.patch, "\(course.messages(course.chatter))/\(three)", as: Users.instructor,
                                         body: #"{"text":"three, edited"}"#))
            try ok(try await server.send(.put, "\(course.messages(course.chatter))/\(three)/reactions/tada",
                                         as: Users.otherLearner))
            try await course.post("psst", in: course.privateChannel, as: Users.instructor)
            try await course.post("hi lea", in: course.direct, as: Users.otherLearner)
            try ok(try await server.post("\(course.base)/members", as: Users.instructor,
                                         #"{"members":[{"user_id":"sam","role":"learner"}]}"#))
            let now = try await Self.currentPositions(course, as: Users.learner)
            let missedCount = now.map { $0.value - positions[$0.key, default: 0] }.reduce(0, +)
            #expect(missedCount == 7)

            let second = try await client.session(resume: Self.resume(positions), afterReady: {
                try await course.post("five", in: course.chatter, as: Users.instructor)
            }, until: { frames in frames.contains { $0["message"]["text"] == .string("five") } })
            let readyIndex = try #require(second.firstIndex { $0["type"] == .string("ready") })
            let caughtUp = second[..<readyIndex].compactMap(\.streamPosition)
            #expect(caughtUp.count == missedCount)
            #expect(second[..<readyIndex].allSatisfy { $0["type"] == .string("event") })
            for (stream, position) in positions {
                let sequences = caughtUp.filter { $0.stream == stream }.map(\.sequence)
                #expect(sequences == Array(stride(from: position + 1, through: now[stream]!, by: 1)), "\(stream)")
            }
            let kinds = second[..<readyIndex].filter { $0["event"]["stream"] == .string(course.chatter) }
                .compactMap { $0["event"]["kind"].string }
            #expect(kinds == ["message.created", "message.created", "message.edited", "reaction.changed"])
            let afterReady = second[(readyIndex + 1)...].compactMap(\.streamPosition)
            #expect(afterReady.map(\.stream) == [course.chatter])
            #expect(afterReady.map(\.sequence) == [now[course.chatter]! + 1])
            let all = second.compactMap(\.streamPosition).map { "\($0.stream):\($0.sequence)" }
            #expect(Set(all).count == all.count)  // no duplicates
        }
    }

    @Test func eventsOfChannelsOneCannotSeeAreNeverSent() async throws {
        // Proves a member outside a private channel and a DM receives none of their events, live or on resume.
        try await TestServer.run { server in
            let course = try await Course.make(on: server)
            let client = EventClient(server: server, user: Users.moderator, workspace: course.workspace)
            let frames = try await client.session(resume: nil, afterReady: {
                try await course.post("private", in: course.privateChannel, as: Users.learner)
                try await course.post("direct", in: course.direct, as: Users.learner)
                try await course.post("public", in: course.chatter, as: Users.learner)
            }, until: { frames in frames.contains { $0["message"]["text"] == .string("public") } })
            let streams = Set(frames.compactMap(\.streamPosition).map(\.stream))
            #expect(streams == [course.chatter])

            let probing = try await client.session(
                resume: "\(course.privateChannel):0,\(course.direct):0,\(course.chatter):0", until: { _ in true })
            #expect(probing.filter { $0["type"] == .string("stream_unavailable") }.compactMap { $0["stream"].string }
                .sorted() == [course.privateChannel, course.direct].sorted())
            #expect(!probing.contains { $0["event"]["stream"] == .string(course.privateChannel) })
            #expect(!probing.contains { $0["event"]["stream"] == .string(course.direct) })
            #expect(probing.contains { $0["message"]["text"] == .string("public") })
        }
    }

    @Test func upgradesNeedATokenTheWorkspaceAndAValidResume() async throws {
        // Proves the WebSocket upgrade is refused with no or a bad token, outside the workspace, or with a malformed resume, accepts ?access_token=, and is 404 as a plain GET.
        try await TestServer.run { server in
            let course = try await Course.make(on: server)
            let learner: HTTPFields = [.authorization: "Bearer \(try await server.token(Users.learner))"]
            let outsider: HTTPFields = [.authorization: "Bearer \(try await server.token(Users.outsider))"]
            let refusals: [(HTTPFields, String, String?)] = [
                ([:], course.workspace, nil),
                ([.authorization: "Bearer nope"], course.workspace, nil),
                (outsider, course.workspace, nil),
                (learner, "ws_none", nil),
                (learner, "bad%20id", nil),
                (learner, course.workspace, "resume=chatter"),
                (learner, course.workspace, "resume=workspace:x"),
                (learner, course.workspace, "resume=bad%20stream:1"),
                ([:], course.workspace, "access_token=nope"),
            ]
            for (headers, workspace, query) in refusals {
                #expect(try await EventClient.upgradeRefused(port: server.port, workspace: workspace, query: query,
                                                             headers: headers), "\(workspace) \(query ?? "")")
            }
            expectError(try await server.get("\(course.base)/events", as: Users.learner), .notFound, "not_found")
            // Browsers cannot set headers on a WebSocket: the token may come as `access_token`.
            let token = try await server.token(Users.learner)
            #expect(try await !EventClient.upgradeRefused(port: server.port, workspace: course.workspace,
                                                          query: "access_token=\(token)&resume=workspace:0",
                                                          headers: [:]))
        }
    }
}

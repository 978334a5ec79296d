import Hummingbird
import Testing

/// The permission cells that guard privacy and roles, through HTTP: private channels and direct
/// messages are 404 (never 403) to everyone outside them, for every verb.
@Suite struct PermissionTests {
    /// Every request that names a channel, with a body where the route takes one.
    static func channelRequests(_ course: Course, _ channel: String) -> [(HTTPRequest.Method, String, String?)] {
        let path = course.channel(channel)
        let message = "\(path)/messages/1"
        return [
            (.get, path, nil),
            (.patch, path, #"{"name":"Taken over"}"#),
            (.post, "\(path)/join", nil),
            (.get, "\(path)/members", nil),
            (.post, "\(path)/members", #"{"user_ids":["leo"]}"#),
            (.delete, "\(path)/members/lea", nil),
            (.get, "\(path)/messages", nil),
            (.get, "\(path)/messages?after=0", nil),
            (.post, "\(path)/messages", #"{"text":"let me in"}"#),
            (.post, "\(path)/messages", #"{"text":"reply","thread_root":1}"#),
            (.get, message, nil),
            (.patch, message, #"{"text":"edited"}"#),
            (.delete, message, nil),
            (.get, "\(message)/thread", nil),
            (.put, "\(message)/reactions/eyes", nil),
            (.delete, "\(message)/reactions/eyes", nil),
            (.put, "\(message)/pin", nil),
            (.delete, "\(message)/pin", nil),
            (.get, "\(path)/pins", nil),
            (.post, "\(path)/read", #"{"sequence":1}"#),
        ]
    }

    /// Expects `user` to get 404 `code` from every one of `requests`, and not to find `channel` in their list.
    static func expectHidden(_ requests: [(HTTPRequest.Method, String, String?)], channel: String?, in course: Course,
                             from user: String, code: String) async throws {
        for (method, path, body) in requests {
            let reply = try await course.server.send(method, path, as: user, body: body)
            #expect(reply.status == .notFound && reply.errorCode == code, "\(user) \(method) \(path): \(reply)")
        }
        guard let channel else { return }
        let listed = try ok(try await course.server.get("\(course.base)/channels", as: user))["channels"].array
        #expect(!listed.contains { $0["channel"]["id"] == .string(channel) })
    }

    @Test func privateChannelsAreInvisibleToMembersOutsideThem() async throws {
        // Proves a learner outside a private channel gets 404 channel_not_found for every verb and never sees it listed.
        try await TestServer.run { server in
            let course = try await Course.make(on: server)
            try await course.post("secret plans", in: course.privateChannel, as: Users.learner)
            for user in [Users.otherLearner, Users.moderator] {
                try await Self.expectHidden(Self.channelRequests(course, course.privateChannel),
                                            channel: course.privateChannel, in: course, from: user,
                                            code: "channel_not_found")
            }
            let history = try ok(try await server.get(course.messages(course.privateChannel), as: Users.learner))
            #expect(history["messages"].array.compactMap { $0["text"].string } == ["secret plans"])
            #expect(try await server.get("\(course.messages(course.privateChannel))/1", as: Users.admin).status == .ok)
        }
    }

    @Test func directMessagesAreInvisibleToEveryoneOutsideThem() async throws {
        // Proves a DM is 404 for every verb to other learners, staff and administrators, and is not in their lists.
        try await TestServer.run { server in
            let course = try await Course.make(on: server)
            try await course.post("just between us", in: course.direct, as: Users.learner)
            for user in [Users.instructor, Users.moderator, Users.admin] {
                try await Self.expectHidden(Self.channelRequests(course, course.direct), channel: course.direct,
                                            in: course, from: user, code: "channel_not_found")
            }
            let read = try ok(try await server.get(course.messages(course.direct), as: Users.otherLearner))
            #expect(read["messages"].array.compactMap { $0["text"].string } == ["just between us"])
        }
    }

    @Test func workspacesAreInvisibleToNonMembers() async throws {
        // Proves someone outside the workspace gets 404 workspace_not_found for every workspace route, public channels included.
        try await TestServer.run { server in
            let course = try await Course.make(on: server)
            try await course.post("hello", in: course.chatter, as: Users.learner)
            var requests: [(HTTPRequest.Method, String, String?)] = [
                (.get, course.base, nil),
                (.get, "\(course.base)/members", nil),
                (.post, "\(course.base)/members", #"{"members":[{"user_id":"otto","role":"instructor"}]}"#),
                (.put, "\(course.base)/members/otto", #"{"role":"instructor"}"#),
                (.delete, "\(course.base)/members/lea", nil),
                (.get, "\(course.base)/channels", nil),
                (.get, "\(course.base)/channels?mine=true", nil),
                (.post, "\(course.base)/channels", #"{"name":"Mine"}"#),
                (.post, "\(course.base)/direct-channels", #"{"user_ids":["lea"]}"#),
            ]
            for channel in [course.chatter, course.privateChannel, course.direct] {
                requests += Self.channelRequests(course, channel)
            }
            try await Self.expectHidden(requests, channel: nil, in: course, from: Users.outsider,
                                        code: "workspace_not_found")
        }
    }

    @Test func rolesDecideWhoManagesWhatOnceTheObjectIsVisible() async throws {
        // Proves the 403 cells: learners cannot manage channels or members, moderators cannot manage members, staff may moderate.
        try await TestServer.run { server in
            let course = try await Course.make(on: server)
            let learnerPost = try await course.post("learner post", in: course.chatter, as: Users.otherLearner)
            let forbidden: [(String, HTTPRequest.Method, String, String?)] = [
                (Users.learner, .post, "\(course.base)/channels", #"{"name":"Mine"}"#),
                (Users.learner, .patch, course.channel(course.chatter), #"{"purpose":"mine"}"#),
                (Users.learner, .post, "\(course.channel(course.chatter))/members", #"{"user_ids":["leo"]}"#),
                (Users.learner, .delete, "\(course.channel(course.chatter))/members/leo", nil),
                (Users.learner, .post, "\(course.base)/members", #"{"members":[{"user_id":"lea","role":"instructor"}]}"#),
                (Users.learner, .put, "\(course.base)/members/lea", #"{"role":"instructor"}"#),
                (Users.learner, .delete, "\(course.base)/members/leo", nil),
                (Users.learner, .delete, "\(course.messages(course.chatter))/\(learnerPost)", nil),
                (Users.learner, .patch, "\(course.messages(course.chatter))/\(learnerPost)", #"{"text":"x"}"#),
                (Users.moderator, .post, "\(course.base)/members", #"{"members":[{"user_id":"mo","role":"instructor"}]}"#),
                (Users.moderator, .delete, "\(course.base)/members/leo", nil),
                (Users.instructor, .post, "/v1/workspaces", #"{"platform_id":"\#(Course.platform)","kind":"course","name":"X"}"#),
                (Users.instructor, .post, "/v1/platforms", #"{"name":"X"}"#),
            ]
            for (user, method, path, body) in forbidden {
                let reply = try await server.send(method, path, as: user, body: body)
                #expect(reply.status == .forbidden && reply.errorCode == "forbidden", "\(user) \(method) \(path): \(reply)")
            }
            try created(try await server.post("\(course.base)/channels", as: Users.moderator, #"{"name":"Mods"}"#))
            try ok(try await server.send(.patch, course.channel(course.chatter), as: Users.moderator,
                                         body: #"{"purpose":"moderated"}"#))
            try ok(try await server.send(.delete, "\(course.messages(course.chatter))/\(learnerPost)",
                                         as: Users.instructor))
            try ok(try await server.send(.put, "\(course.base)/members/leo", as: Users.admin,
                                         body: #"{"role":"moderator"}"#))
        }
    }
}

import QuadCore
import Testing

/// Every named input bound and every kind of bad input answers its JSON 4xx, through HTTP.
@Suite struct LimitTests {
    @Test func bodiesOverOneMebibyteAreRefusedWith413() async throws {
        // Proves a request body of 1 MiB + 1 byte is refused with 413 body_too_large before it is decoded.
        try await TestServer.run { server in
            let course = try await Course.make(on: server)
            let padding = String(repeating: "a", count: Limits.requestBodyBytesMax)
            expectError(try await server.post(course.messages(course.chatter), as: Users.learner,
                                              #"{"text":"\#(padding)"}"#), .contentTooLarge, "body_too_large")
            // The connection still serves after the refusal.
            #expect(try await course.post("still here", in: course.chatter, as: Users.learner) == 1)
        }
    }

    @Test func messageTextIsAtMostSixteenKibibytes() async throws {
        // Proves text of exactly 16 KiB is accepted and one byte more is 422 text_too_long, for posts and edits; blank text is 400.
        try await TestServer.run { server in
            let course = try await Course.make(on: server)
            let path = course.messages(course.chatter)
            let largest = String(repeating: "é", count: Limits.messageTextBytesMax / 2)  // 2 bytes each
            #expect(try await course.post(largest, in: course.chatter, as: Users.learner) == 1)
            expectError(try await server.post(path, as: Users.learner, #"{"text":"\#(largest)x"}"#),
                        .unprocessableContent, "text_too_long")
            expectError(try await server.send(.patch, "\(path)/1", as: Users.learner, body: #"{"text":"\#(largest)x"}"#),
                        .unprocessableContent, "text_too_long")
            expectError(try await server.post(path, as: Users.learner, #"{"text":" \n "}"#), .badRequest, "empty_message")
            let longKey = String(repeating: "k", count: Limits.clientMessageIDBytesMax + 1)
            expectError(try await server.post(path, as: Users.learner, #"{"text":"x","client_msg_id":"\#(longKey)"}"#),
                        .badRequest, "invalid_client_msg_id")
        }
    }

    @Test func namesPurposesAndHeadersHaveTheirMaximums() async throws {
        // Proves names of 64 characters pass and 65 are 422 name_too_long (channels, workspaces, platforms, members), as are long purposes and headers.
        try await TestServer.run { server in
            let course = try await Course.make(on: server)
            let channels = "\(course.base)/channels"
            let longest = String(repeating: "n", count: Limits.nameCharactersMax)
            try created(try await server.post(channels, as: Users.instructor, #"{"name":"\#(longest)"}"#))
            for (path, body) in [
                (channels, #"{"name":"\#(longest)x","slug":"long"}"#),
                ("/v1/platforms", #"{"name":"\#(longest)x"}"#),
                ("/v1/workspaces", #"{"platform_id":"\#(Course.platform)","kind":"course","name":"\#(longest)x"}"#),
            ] {
                expectError(try await server.post(path, as: Users.admin, body), .unprocessableContent, "name_too_long")
            }
            expectError(try await server.send(.patch, course.channel(course.chatter), as: Users.instructor,
                                              body: #"{"name":"\#(longest)x"}"#), .unprocessableContent, "name_too_long")
            expectError(try await server.post("\(course.base)/members", as: Users.instructor,
                                              #"{"members":[{"user_id":"sam","role":"learner","display_name":"\#(longest)x"}]}"#),
                        .unprocessableContent, "display_name_too_long")
            expectError(try await server.post(channels, as: Users.instructor, #"{"name":"   "}"#),
                        .badRequest, "invalid_name")
            let purpose = String(repeating: "p", count: Limits.purposeCharactersMax + 1)
            expectError(try await server.post(channels, as: Users.instructor, #"{"name":"P","purpose":"\#(purpose)"}"#),
                        .unprocessableContent, "purpose_too_long")
            let header = String(repeating: "h", count: Limits.headerCharactersMax + 1)
            expectError(try await server.send(.patch, course.channel(course.chatter), as: Users.instructor,
                                              body: #"{"header":"\#(header)"}"#), .unprocessableContent, "header_too_long")
            let externalID = String(repeating: "e", count: Limits.externalIDBytesMax + 1)
            expectError(try await server.post("/v1/workspaces", as: Users.admin,
                                              #"{"platform_id":"\#(Course.platform)","kind":"course","name":"E","external_id":"\#(externalID)"}"#),
                        .badRequest, "invalid_external_id")
        }
    }

    @Test func slugsFollowTheirPattern() async throws {
        // Proves slugs outside 2 to 64 of [a-z0-9-] (or starting with '-') are 400 invalid_slug on create and on patch.
        try await TestServer.run { server in
            let course = try await Course.make(on: server)
            let longest = String(repeating: "s", count: Limits.slugCharactersMax)
            try created(try await server.post("\(course.base)/channels", as: Users.instructor,
                                              #"{"name":"Long","slug":"\#(longest)"}"#))
            for slug in ["Bad-Slug", "-leading", "a", "has space", "ünï", longest + "s", ""] {
                expectError(try await server.post("\(course.base)/channels", as: Users.instructor,
                                                  #"{"name":"S","slug":\#(quoted(slug))}"#), .badRequest, "invalid_slug")
            }
            expectError(try await server.send(.patch, course.channel(course.chatter), as: Users.instructor,
                                              body: #"{"slug":"No"}"#), .badRequest, "invalid_slug")
        }
    }

    @Test func pagesAreOneToTwoHundredItems() async throws {
        // Proves `limit` accepts 1 to 200 and answers 400 invalid_limit outside it, on every paged endpoint.
        try await TestServer.run { server in
            let course = try await Course.make(on: server)
            let root = try await course.post("root", in: course.chatter, as: Users.learner)
            let paged = ["\(course.base)/members", "\(course.channel(course.chatter))/members",
                         course.messages(course.chatter), "\(course.messages(course.chatter))/\(root)/thread"]
            for path in paged {
                try ok(try await server.get("\(path)?limit=\(Limits.pageSizeMax)", as: Users.learner))
                try ok(try await server.get("\(path)?limit=1", as: Users.learner))
                for bad in ["\(Limits.pageSizeMax + 1)", "0", "-1", "ten", ""] {
                    expectError(try await server.get("\(path)?limit=\(bad)", as: Users.learner),
                                .badRequest, "invalid_limit")
                }
            }
        }
    }

    @Test func batchesAreOneToOneThousand() async throws {
        // Proves 1,000 members in one call are added and 1,001 (or none) are 422 batch_too_large, for workspace and channel batches.
        try await TestServer.run { server in
            let course = try await Course.make(on: server)
            func members(_ count: Int) -> String {
                let items = (0..<count).map { #"{"user_id":"u\#($0)","role":"learner"}"# }
                return #"{"members":[\#(items.joined(separator: ","))]}"#
            }
            func users(_ count: Int) -> String {
                #"{"user_ids":[\#((0..<count).map { #""u\#($0)""# }.joined(separator: ","))]}"#
            }
            let path = "\(course.base)/members"
            let added = try ok(try await server.post(path, as: Users.instructor, members(Limits.batchMembersMax)))
            #expect(added["members"].array.count == Limits.batchMembersMax)
            expectError(try await server.post(path, as: Users.instructor, members(Limits.batchMembersMax + 1)),
                        .unprocessableContent, "batch_too_large")
            expectError(try await server.post(path, as: Users.instructor, #"{"members":[]}"#),
                        .unprocessableContent, "batch_too_large")
            let channelMembers = "\(course.channel(course.privateChannel))/members"
            #expect(try ok(try await server.post(channelMembers, as: Users.instructor,
                                                 users(Limits.batchMembersMax)))["added"] == .number(1000))
            expectError(try await server.post(channelMembers, as: Users.instructor, users(Limits.batchMembersMax + 1)),
                        .unprocessableContent, "batch_too_large")
            expectError(try await server.post(channelMembers, as: Users.instructor, #"{"user_ids":[]}"#),
                        .unprocessableContent, "batch_too_large")
        }
    }

    @Test func groupDirectMessagesHoldAtMostEightPeople() async throws {
        // Proves a direct message among 8 people (the caller and 7) opens and one among 9 is 400 invalid_direct_members.
        try await TestServer.run { server in
            let course = try await Course.make(on: server)
            let others = (1...Limits.groupDirectMessageMembersMax).map { "p\($0)" }
            let everyone = others.map { #"{"user_id":"\#($0)","role":"learner"}"# }.joined(separator: ",")
            try ok(try await server.post("\(course.base)/members", as: Users.instructor, #"{"members":[\#(everyone)]}"#))
            func body(_ people: ArraySlice<String>) -> String {
                #"{"user_ids":[\#(people.map { quoted($0) }.joined(separator: ","))]}"#
            }
            let path = "\(course.base)/direct-channels"
            let seven = others.prefix(Limits.groupDirectMessageMembersMax - 1)
            let group = try ok(try await server.post(path, as: Users.learner, body(seven)))
            #expect(group["channel"]["direct_members"].array.count == Limits.groupDirectMessageMembersMax)
            expectError(try await server.post(path, as: Users.learner, body(others[...])),
                        .badRequest, "invalid_direct_members")
        }
    }

    @Test func malformedBodiesAndWrongTypesAreBadRequests() async throws {
        // Proves bodies that are not JSON, not an object, miss a field or give a field the wrong type are 400 with a code naming the problem.
        try await TestServer.run { server in
            let course = try await Course.make(on: server)
            let path = course.messages(course.chatter)
            for body in ["{", "not json", "", "[1,2]", "\"text\"", "{\"text\":\"a\"} trailing"] {
                expectError(try await server.post(path, as: Users.learner, body), .badRequest, "malformed_json")
            }
            expectError(try await server.post(path, as: Users.learner, #"{"txt":"typo"}"#), .badRequest, "missing_field")
            for body in [#"{"text":5}"#, #"{"text":null}"#, #"{"text":"x","thread_root":"1"}"#,
                         #"{"text":"x","client_msg_id":7}"#] {
                expectError(try await server.post(path, as: Users.learner, body), .badRequest, "invalid_field")
            }
            // Foundation reports a number outside an unsigned field's range as invalid JSON, without the field.
            for body in [#"{"text":"x","thread_root":-1}"#, #"{"text":"x","thread_root":1.5}"#] {
                expectError(try await server.post(path, as: Users.learner, body), .badRequest, "malformed_json")
            }
            let wrongType = try await server.post(path, as: Users.learner, #"{"text":["a"]}"#)
            #expect(wrongType.json["error"]["message"].string?.contains("'text'") == true)
            for body in [#"{"name":"X","visibility":"secret"}"#, #"{"name":"X","posting_policy":"all"}"#, #"{"name":7}"#] {
                expectError(try await server.post("\(course.base)/channels", as: Users.instructor, body),
                            .badRequest, "invalid_field")
            }
            expectError(try await server.post("\(course.base)/members", as: Users.instructor,
                                              #"{"members":[{"user_id":"bad id","role":"learner"}]}"#),
                        .badRequest, "invalid_field")
            expectError(try await server.post("\(course.base)/members", as: Users.instructor,
                                              #"{"members":[{"user_id":"sam","role":"dean"}]}"#),
                        .badRequest, "invalid_field")
            expectError(try await server.post("/v1/workspaces", as: Users.admin,
                                              #"{"platform_id":"\#(Course.platform)","kind":"school","name":"S"}"#),
                        .badRequest, "invalid_field")
            expectError(try await server.post("\(course.channel(course.chatter))/read", as: Users.learner,
                                              #"{"sequence":"1"}"#), .badRequest, "invalid_field")
        }
    }

    @Test func badIdentifiersInThePathAreBadRequests() async throws {
        // Proves a malformed workspace, channel, user or sequence in the path is 400 invalid_<name>, never a crash or a 500.
        try await TestServer.run { server in
            let course = try await Course.make(on: server)
            let tooLong = String(repeating: "w", count: IdentifierRules.lengthMax + 1)
            for bad in [tooLong, "bad%20id", "semi;colon", "%00"] {
                expectError(try await server.get("/v1/workspaces/\(bad)", as: Users.learner),
                            .badRequest, "invalid_workspace_id")
                expectError(try await server.get("/v1/workspaces/\(bad)/channels", as: Users.learner),
                            .badRequest, "invalid_workspace_id")
                expectError(try await server.get(course.channel(bad), as: Users.learner), .badRequest, "invalid_channel_id")
                expectError(try await server.post(course.messages(bad), as: Users.learner, #"{"text":"x"}"#),
                            .badRequest, "invalid_channel_id")
                expectError(try await server.send(.delete, "\(course.base)/members/\(bad)", as: Users.instructor),
                            .badRequest, "invalid_user_id")
            }
            for bad in ["0", "-1", "18446744073709551616", "1x"] {
                expectError(try await server.get("\(course.messages(course.chatter))/\(bad)", as: Users.learner),
                            .badRequest, "invalid_sequence")
            }
        }
    }

    @Test func unknownRoutesAndMethodsAreJSON404s() async throws {
        // Proves unknown paths and unsupported methods answer 404 with the JSON error, signed in or not.
        try await TestServer.run { server in
            for user in [nil, Users.learner] {
                expectError(try await server.get("/v1/nothing", as: user), .notFound, "not_found")
                // `/` is the web client's page (WebClientTests); its neighbours are still unknown.
                expectError(try await server.get("/index.html", as: user), .notFound, "not_found")
                expectError(try await server.send(.post, "/", as: user), .notFound, "not_found")
                expectError(try await server.get("/v2/workspaces", as: user), .notFound, "not_found")
                expectError(try await server.send(.delete, "/v1/workspaces", as: user), .notFound, "not_found")
                expectError(try await server.get("/v1/workspaces/ws_x/channels/ch_y/unknown", as: user),
                            .notFound, "not_found")
            }
        }
    }
}

import Testing

/// Messages, history, threads, reactions, pins and read state, through HTTP on a real socket.
@Suite struct MessageEndpointTests {
    @Test func postedMessagesGetGaplessSequencesAndRetriesNeverDuplicate() async throws {
        // Proves POST messages answers 201 with sequences 1, 2, 3 and a client_msg_id retry answers 200 with the first message.
        try await TestServer.run { server in
            let course = try await Course.make(on: server)
            let path = course.messages(course.chatter)
            let first = try created(try await server.post(path, as: Users.learner,
                                                          #"{"text":"Hi @leo","client_msg_id":"retry-1"}"#))
            #expect(first["duplicate"] == .bool(false))
            let message = first["message"]
            #expect(message["sequence"] == .number(1))
            #expect(message["author_id"] == .string("lea"))
            #expect(message["channel_id"] == .string(course.chatter))
            #expect(message["mentions"] == .array([.string("leo")]))
            #expect(message["client_msg_id"] == .string("retry-1"))
            #expect(message.keys == ["channel_id", "sequence", "author_id", "author_name", "text", "created_at",
                                     "deleted", "reply_count", "reactions", "pinned", "client_msg_id", "mentions"])
            let retry = try ok(try await server.post(path, as: Users.learner,
                                                     #"{"text":"Hi @leo","client_msg_id":"retry-1"}"#))
            #expect(retry["duplicate"] == .bool(true))
            #expect(retry["message"] == message)
            #expect(try await course.post("two", in: course.chatter, as: Users.otherLearner) == 2)
            #expect(try await course.post("three", in: course.chatter, as: Users.learner) == 3)
            let fetched = try ok(try await server.get("\(path)/1", as: Users.moderator))
            #expect(fetched["message"] == message)
            expectError(try await server.get("\(path)/4", as: Users.moderator), .notFound, "message_not_found")
            expectError(try await server.get("\(path)/0", as: Users.moderator), .badRequest, "invalid_sequence")
            expectError(try await server.get("\(path)/x", as: Users.moderator), .badRequest, "invalid_sequence")
            expectError(try await server.post(course.messages(course.announcements), as: Users.learner,
                                              #"{"text":"not a member"}"#), .forbidden, "forbidden")
        }
    }

    @Test func historyPagesRunBothWaysFromTheirCursors() async throws {
        // Proves GET messages pages newest-first with `before` and oldest-first with `after`, continuing by next_cursor.
        try await TestServer.run { server in
            let course = try await Course.make(on: server)
            for number in 1...5 { try await course.post("m\(number)", in: course.chatter, as: Users.learner) }
            let path = course.messages(course.chatter)
            func sequences(_ json: JSON) -> [Int] { json["messages"].array.compactMap { $0["sequence"].int } }

            let newest = try ok(try await server.get("\(path)?limit=2", as: Users.otherLearner))
            #expect(sequences(newest) == [5, 4])
            #expect(newest["next_cursor"] == .string("4"))
            let older = try ok(try await server.get("\(path)?limit=2&before=4", as: Users.otherLearner))
            #expect(sequences(older) == [3, 2])
            let oldest = try ok(try await server.get("\(path)?limit=2&before=2", as: Users.otherLearner))
            #expect(sequences(oldest) == [1])
            #expect(oldest["next_cursor"].isNull)

            let forward = try ok(try await server.get("\(path)?after=0&limit=3", as: Users.otherLearner))
            #expect(sequences(forward) == [1, 2, 3])
            #expect(forward["next_cursor"] == .string("3"))
            let end = try ok(try await server.get("\(path)?after=3", as: Users.otherLearner))
            #expect(sequences(end) == [4, 5])
            #expect(end["next_cursor"].isNull)
            #expect(sequences(try ok(try await server.get("\(path)?after=18446744073709551615", as: Users.learner)))
                .isEmpty)
            expectError(try await server.get("\(path)?after=1&before=3", as: Users.learner),
                        .badRequest, "conflicting_cursors")
            expectError(try await server.get("\(path)?before=-1", as: Users.learner), .badRequest, "invalid_before")
            expectError(try await server.get("\(path)?after=x", as: Users.learner), .badRequest, "invalid_after")
        }
    }

    @Test func authorsEditAndStaffDeleteLeavingTombstones() async throws {
        // Proves PATCH is for the author only and DELETE for the author or staff, leaving a tombstone that keeps the sequence.
        try await TestServer.run { server in
            let course = try await Course.make(on: server)
            let mine = try await course.post("first draft", in: course.chatter, as: Users.learner)
            let path = "\(course.messages(course.chatter))/\(mine)"
            let edited = try ok(try await server.send(.patch, path, as: Users.learner, body: #"{"text":"final"}"#))
            #expect(edited["message"]["text"] == .string("final"))
            #expect(edited["message"]["edited_at"].int != nil)
            expectError(try await server.send(.patch, path, as: Users.instructor, body: #"{"text":"mine now"}"#),
                        .forbidden, "forbidden")
            expectError(try await server.send(.delete, path, as: Users.otherLearner), .forbidden, "forbidden")
            let tombstone = try ok(try await server.send(.delete, path, as: Users.moderator))["message"]
            #expect(tombstone["deleted"] == .bool(true))
            #expect(tombstone["deleted_by"] == .string("mo"))
            #expect(tombstone["text"] == .string(""))
            #expect(try ok(try await server.get(path, as: Users.learner))["message"] == tombstone)
            expectError(try await server.send(.delete, path, as: Users.learner), .notFound, "message_not_found")
            expectError(try await server.send(.patch, path, as: Users.learner, body: #"{"text":"again"}"#),
                        .notFound, "message_not_found")

            let own = try await course.post("oops", in: course.chatter, as: Users.otherLearner)
            let deleted = try ok(try await server.send(.delete, "\(course.messages(course.chatter))/\(own)",
                                                       as: Users.otherLearner))
            #expect(deleted["message"]["deleted_by"] == .string("leo"))
            #expect(try await course.post("next", in: course.chatter, as: Users.learner) == own + 1)
        }
    }

    @Test func threadsCollectRepliesAndAnnouncementsTakeRepliesFromEveryone() async throws {
        // Proves thread replies (also to a reply) join the root's thread, GET thread pages them, and `moderators` channels take learner replies only.
        try await TestServer.run { server in
            let course = try await Course.make(on: server)
            for user in [Users.instructor, Users.learner] {
                try ok(try await server.send(.post, "\(course.channel(course.announcements))/join", as: user))
            }
            let path = course.messages(course.announcements)
            let root = try await course.post("Exam on Friday", in: course.announcements, as: Users.instructor)
            expectError(try await server.post(path, as: Users.learner, #"{"text":"New topic"}"#),
                        .forbidden, "forbidden")
            let reply = try created(try await server.post(path, as: Users.learner,
                                                          #"{"text":"Which room?","thread_root":\#(root)}"#))
            #expect(reply["message"]["thread_root"] == .number(Double(root)))
            let nested = try created(try await server.post(
                path, as: Users.instructor, #"{"text":"Room 4","thread_root":\#(reply["message"]["sequence"].int ?? 0)}"#))
            #expect(nested["message"]["thread_root"] == .number(Double(root)))

            let thread = try ok(try await server.get("\(path)/\(root)/thread?limit=1", as: Users.learner))
            #expect(thread["root"]["reply_count"] == .number(2))
            #expect(thread["root"]["last_reply_at"].int != nil)
            #expect(thread["replies"].array.compactMap { $0["text"].string } == ["Which room?"])
            let cursor = try #require(thread["next_cursor"].string)
            let rest = try ok(try await server.get("\(path)/\(root)/thread?after=\(cursor)", as: Users.learner))
            #expect(rest["replies"].array.compactMap { $0["text"].string } == ["Room 4"])
            #expect(rest["next_cursor"].isNull)
            expectError(try await server.get("\(path)/\(root + 1)/thread", as: Users.learner),
                        .notFound, "message_not_found")
            expectError(try await server.post(path, as: Users.learner, #"{"text":"x","thread_root":99}"#),
                        .notFound, "message_not_found")
            expectError(try await server.post(path, as: Users.learner, #"{"text":"x","thread_root":0}"#),
                        .badRequest, "invalid_thread_root")
        }
    }

    @Test func reactionsAndPinsAreSetAndClearedIdempotently() async throws {
        // Proves PUT/DELETE reactions and pin, GET pins, and their validation, through HTTP.
        try await TestServer.run { server in
            let course = try await Course.make(on: server)
            let sequence = try await course.post("Pin me", in: course.chatter, as: Users.instructor)
            let path = "\(course.messages(course.chatter))/\(sequence)"
            for user in [Users.learner, Users.otherLearner, Users.learner] {
                try ok(try await server.send(.put, "\(path)/reactions/thumbsup", as: user))
            }
            let reacted = try ok(try await server.send(.put, "\(path)/reactions/tada", as: Users.learner))
            #expect(reacted["message"]["reactions"] == .array([
                .object(["emoji": .string("thumbsup"), "users": .array([.string("lea"), .string("leo")])]),
                .object(["emoji": .string("tada"), "users": .array([.string("lea")])]),
            ]))
            let cleared = try ok(try await server.send(.delete, "\(path)/reactions/tada", as: Users.learner))
            #expect(cleared["message"]["reactions"].array.count == 1)
            expectError(try await server.send(.put, "\(path)/reactions/Thumbs%20Up", as: Users.learner),
                        .badRequest, "invalid_emoji")
            expectError(try await server.send(.put, "\(path)/reactions/thumbsup", as: Users.admin),
                        .forbidden, "forbidden")

            #expect(try ok(try await server.send(.put, "\(path)/pin", as: Users.learner))["message"]["pinned"]
                == .bool(true))
            try ok(try await server.send(.put, "\(path)/pin", as: Users.learner))
            let pins = try ok(try await server.get("\(course.channel(course.chatter))/pins", as: Users.otherLearner))
            #expect(pins["messages"].array.compactMap { $0["sequence"].int } == [sequence])
            let view = try ok(try await server.get(course.channel(course.chatter), as: Users.learner))
            #expect(view["channel"]["channel"]["pin_count"] == .number(1))
            try ok(try await server.send(.delete, "\(path)/pin", as: Users.otherLearner))
            let unpinned = try ok(try await server.get("\(course.channel(course.chatter))/pins", as: Users.learner))
            #expect(unpinned["messages"].array.isEmpty)
            expectError(try await server.send(.put, "\(course.messages(course.chatter))/9/pin", as: Users.learner),
                        .notFound, "message_not_found")
        }
    }

    @Test func readStateMovesBothWaysAndDrivesUnreadCounts() async throws {
        // Proves POST read sets the caller's position (forward and back) and the channel view's unread count follows it.
        try await TestServer.run { server in
            let course = try await Course.make(on: server)
            for number in 1...3 { try await course.post("m\(number)", in: course.chatter, as: Users.instructor) }
            let read = "\(course.channel(course.chatter))/read"
            func unread() async throws -> JSON {
                try ok(try await server.get(course.channel(course.chatter), as: Users.learner))["channel"]["unread_count"]
            }
            #expect(try await unread() == .number(3))
            #expect(try ok(try await server.post(read, as: Users.learner, #"{"sequence":3}"#)) == .object(["last_read": .number(3)]))
            #expect(try await unread() == .number(0))
            try ok(try await server.post(read, as: Users.learner, #"{"sequence":1}"#))
            #expect(try await unread() == .number(2))
            expectError(try await server.post(read, as: Users.learner, #"{"sequence":4}"#),
                        .badRequest, "sequence_out_of_range")
            expectError(try await server.post("\(course.channel(course.announcements))/read", as: Users.learner,
                                              #"{"sequence":0}"#), .forbidden, "forbidden")
        }
    }
}

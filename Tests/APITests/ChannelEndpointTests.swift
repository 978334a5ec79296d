import Testing

/// Channels, channel members and direct messages, through HTTP on a real socket.
@Suite struct ChannelEndpointTests {
    @Test func channelListsShowWhatTheCallerMaySeeWithUnreadAndMentionCounts() async throws {
        // Proves GET channels lists public, own private and own direct channels, `mine=true` only joined ones, with unread and mention counts.
        try await TestServer.run { server in
            let course = try await Course.make(on: server)
            try await course.post("Welcome!", in: course.chatter, as: Users.instructor)
            try await course.post("@lea please read the syllabus", in: course.chatter, as: Users.instructor)

            let seenByLea = try ok(try await server.get("\(course.base)/channels", as: Users.learner))["channels"].array
            #expect(Set(seenByLea.compactMap { $0["channel"]["id"].string })
                == [course.announcements, course.chatter, course.privateChannel, course.direct])
            let chatter = try #require(seenByLea.first { $0["channel"]["id"] == .string(course.chatter) })
            #expect(chatter["is_member"] == .bool(true))
            #expect(chatter["unread_count"] == .number(2))
            #expect(chatter["mention_count"] == .number(1))
            #expect(chatter["last_read"] == .number(0))
            let announcements = try #require(seenByLea.first { $0["channel"]["id"] == .string(course.announcements) })
            #expect(announcements["is_member"] == .bool(false))
            #expect(announcements["last_read"].isNull)

            let seenByLeo = try ok(try await server.get("\(course.base)/channels", as: Users.otherLearner))["channels"]
            #expect(Set(seenByLeo.array.compactMap { $0["channel"]["id"].string })
                == [course.announcements, course.chatter, course.direct])
            let leosOwn = try ok(try await server.get("\(course.base)/channels?mine=true", as: Users.otherLearner))
            #expect(Set(leosOwn["channels"].array.compactMap { $0["channel"]["id"].string })
                == [course.chatter, course.direct])
            let seenByAdmin = try ok(try await server.get("\(course.base)/channels", as: Users.admin))["channels"]
            #expect(Set(seenByAdmin.array.compactMap { $0["channel"]["id"].string })
                == [course.announcements, course.chatter, course.privateChannel])
        }
    }

    @Test func channelsAreCreatedReadAndChangedByStaff() async throws {
        // Proves POST/GET/PATCH of a channel: slug from the name, documented fields, slug conflicts, patches and archiving.
        try await TestServer.run { server in
            let course = try await Course.make(on: server)
            let made = try created(try await server.post(
                "\(course.base)/channels", as: Users.moderator,
                #"{"name":"Lab Help!","purpose":"Labs","header":"[Docs](https://example.edu)","posting_policy":"everyone"}"#))
            let channel = made["channel"]
            #expect(channel["slug"] == .string("lab-help"))
            #expect(channel["visibility"] == .string("public"))
            #expect(channel["header"] == .string("[Docs](https://example.edu)"))
            #expect(channel["member_count"] == .number(1))
            #expect(channel.keys == ["id", "workspace_id", "name", "slug", "visibility", "purpose", "header",
                                     "posting_policy", "archived", "created_at", "created_by", "last_sequence",
                                     "event_sequence", "member_count", "pin_count", "direct_members"])
            let id = try #require(channel["id"].string)
            let view = try ok(try await server.get(course.channel(id), as: Users.learner))["channel"]
            #expect(view["channel"]["name"] == .string("Lab Help!"))
            #expect(view["is_member"] == .bool(false))
            #expect(view.keys == ["channel", "is_member", "unread_count", "mention_count"])

            expectError(try await server.post("\(course.base)/channels", as: Users.instructor,
                                              #"{"name":"Chatter two","slug":"chatter"}"#), .conflict, "slug_taken")
            expectError(try await server.post("\(course.base)/channels", as: Users.instructor,
                                              #"{"name":"Sneaky","visibility":"direct"}"#),
                        .badRequest, "invalid_visibility")
            expectError(try await server.get(course.channel("ch_none"), as: Users.learner),
                        .notFound, "channel_not_found")

            let patched = try ok(try await server.send(.patch, course.channel(id), as: Users.instructor,
                                                       body: #"{"name":"Labs","slug":"labs","posting_policy":"moderators"}"#))
            #expect(patched["channel"]["slug"] == .string("labs"))
            #expect(patched["channel"]["posting_policy"] == .string("moderators"))
            expectError(try await server.send(.patch, course.channel(id), as: Users.instructor,
                                              body: #"{"slug":"chatter"}"#), .conflict, "slug_taken")
            expectError(try await server.send(.patch, course.channel(id), as: Users.instructor, body: "{}"),
                        .badRequest, "empty_patch")
            expectError(try await server.send(.patch, course.channel(id), as: Users.learner, body: #"{"name":"Mine"}"#),
                        .forbidden, "forbidden")
            let archived = try ok(try await server.send(.patch, course.channel(id), as: Users.instructor,
                                                        body: #"{"archived":true}"#))
            #expect(archived["channel"]["archived"] == .bool(true))
            expectError(try await server.send(.post, "\(course.channel(id))/join", as: Users.learner),
                        .conflict, "channel_archived")
            expectError(try await server.post(course.messages(id), as: Users.moderator, #"{"text":"late"}"#),
                        .conflict, "channel_archived")
        }
    }

    @Test func channelMembershipIsJoinedAddedListedAndRemoved() async throws {
        // Proves join, add (idempotent, members only), paged member lists, removal by staff and leaving, through HTTP.
        try await TestServer.run { server in
            let course = try await Course.make(on: server)
            let joined = try ok(try await server.send(.post, "\(course.channel(course.announcements))/join",
                                                      as: Users.learner))
            #expect(joined["channel"]["member_count"] == .number(1))
            #expect(try ok(try await server.send(.post, "\(course.channel(course.announcements))/join",
                                                 as: Users.learner))["channel"]["member_count"] == .number(1))

            let members = "\(course.channel(course.chatter))/members"
            let page = try ok(try await server.get("\(members)?limit=3", as: Users.otherLearner))
            #expect(page["members"].array.compactMap { $0["user_id"].string } == ["ines", "lea", "leo"])
            #expect(page["members"][0].keys == ["user_id", "last_read", "joined_at"])
            #expect(page["next_cursor"] == .string("leo"))
            let rest = try ok(try await server.get("\(members)?limit=3&cursor=leo", as: Users.otherLearner))
            #expect(rest["members"].array.compactMap { $0["user_id"].string } == ["mo"])
            #expect(rest["next_cursor"].isNull)

            let privateMembers = "\(course.channel(course.privateChannel))/members"
            #expect(try ok(try await server.post(privateMembers, as: Users.instructor,
                                                 #"{"user_ids":["mo","lea"]}"#)) == .object(["added": .number(1)]))
            #expect(try ok(try await server.post(privateMembers, as: Users.instructor,
                                                 #"{"user_ids":["mo"]}"#)) == .object(["added": .number(0)]))
            expectError(try await server.post(privateMembers, as: Users.instructor, #"{"user_ids":["otto"]}"#),
                        .badRequest, "not_a_member")
            expectError(try await server.post(privateMembers, as: Users.learner, #"{"user_ids":["leo"]}"#),
                        .forbidden, "forbidden")
            expectError(try await server.send(.delete, "\(privateMembers)/mo", as: Users.learner),
                        .forbidden, "forbidden")
            #expect(try await server.send(.delete, "\(privateMembers)/mo", as: Users.instructor).status == .noContent)
            #expect(try await server.send(.delete, "\(privateMembers)/lea", as: Users.learner).status == .noContent)
            expectError(try await server.get(course.channel(course.privateChannel), as: Users.learner),
                        .notFound, "channel_not_found")
            expectError(try await server.send(.delete, "\(privateMembers)/leo", as: Users.instructor),
                        .notFound, "member_not_found")
            expectError(try await server.send(.delete, "\(course.channel(course.direct))/members/leo",
                                              as: Users.learner), .badRequest, "direct_membership_fixed")
        }
    }

    @Test func directMessagesAreOneChannelPerSetOfPeople() async throws {
        // Proves POST direct-channels returns the same channel for the same people, in any order, and refuses bad sets.
        try await TestServer.run { server in
            let course = try await Course.make(on: server)
            let path = "\(course.base)/direct-channels"
            let again = try ok(try await server.post(path, as: Users.otherLearner, #"{"user_ids":["lea","leo"]}"#))
            #expect(again["channel"]["id"] == .string(course.direct))
            #expect(again["channel"]["visibility"] == .string("direct"))
            #expect(again["channel"]["direct_members"] == .array([.string("lea"), .string("leo")]))
            let group = try ok(try await server.post(path, as: Users.learner, #"{"user_ids":["leo","mo","ines"]}"#))
            #expect(group["channel"]["direct_members"].array.count == 4)
            #expect(group["channel"]["id"] != again["channel"]["id"])

            expectError(try await server.post(path, as: Users.learner, #"{"user_ids":["lea"]}"#),
                        .badRequest, "invalid_direct_members")
            expectError(try await server.post(path, as: Users.learner, #"{"user_ids":["otto"]}"#),
                        .badRequest, "not_a_member")
            expectError(try await server.post(path, as: Users.outsider, #"{"user_ids":["lea"]}"#),
                        .notFound, "workspace_not_found")
        }
    }
}

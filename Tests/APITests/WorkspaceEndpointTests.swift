import Testing

/// Platforms, workspaces, lookup and workspace members, through HTTP on a real socket.
@Suite struct WorkspaceEndpointTests {
    @Test func platformsAreCreatedByAdministratorsIdempotentlyAndRead() async throws {
        // Proves POST/GET /v1/platforms answer 201/200 with the documented fields, repeat a create with the same name, and refuse the rest.
        try await TestServer.run { server in
            let body = #"{"id":"pl_one","name":"One LMS"}"#
            let platform = try created(try await server.post("/v1/platforms", as: Users.admin, body))
            #expect(platform["id"] == .string("pl_one"))
            #expect(platform["name"] == .string("One LMS"))
            #expect(platform.keys == ["id", "name", "created_at"])
            #expect((platform["created_at"].int ?? 0) > 1_700_000_000_000)  // milliseconds since 1970
            #expect(try created(try await server.post("/v1/platforms", as: Users.admin, body)) == platform)
            expectError(try await server.post("/v1/platforms", as: Users.admin, #"{"id":"pl_one","name":"Other"}"#),
                        .conflict, "platform_exists")
            expectError(try await server.post("/v1/platforms", as: Users.learner, #"{"name":"Mine"}"#),
                        .forbidden, "forbidden")
            let generated = try created(try await server.post("/v1/platforms", as: Users.admin, #"{"name":"Two"}"#))
            #expect(generated["id"].string?.hasPrefix("pl_") == true)

            #expect(try ok(try await server.get("/v1/platforms/pl_one", as: Users.learner)) == platform)
            expectError(try await server.get("/v1/platforms/pl_none", as: Users.admin), .notFound, "platform_not_found")
            expectError(try await server.get("/v1/platforms/bad%20id", as: Users.admin), .badRequest,
                        "invalid_platform_id")
        }
    }

    @Test func workspacesAreCreatedFromTemplatesAndFoundByExternalID() async throws {
        // Proves POST /v1/workspaces applies templates, derives a unique ID from external_id, and lookup/GET find it with the caller's role.
        try await TestServer.run { server in
            let course = try await Course.make(on: server)
            let lookup = "/v1/workspaces/lookup?platform_id=\(Course.platform)&external_id=course-v1:Org%2BCS101%2B2026"
            let found = try ok(try await server.get(lookup, as: Users.instructor))
            #expect(found["workspace"]["id"] == .string(course.workspace))
            #expect(found["workspace"]["external_id"] == .string(Course.externalID))
            #expect(found["workspace"]["kind"] == .string("course"))
            #expect(found["workspace"]["platform_id"] == .string(Course.platform))
            #expect(found["workspace"]["member_count"] == .number(4))
            #expect(found["workspace"]["channel_count"] == .number(3))
            #expect(found["role"] == .string("instructor"))
            let asAdmin = try ok(try await server.get(course.base, as: Users.admin))
            #expect(asAdmin["role"].isNull)  // an administrator who is not a member has no role
            #expect(asAdmin["workspace"] == found["workspace"])

            let again = """
                {"platform_id":"\(Course.platform)","kind":"course","name":"CS101 again","external_id":"\(Course.externalID)"}
                """
            expectError(try await server.post("/v1/workspaces", as: Users.admin, again), .conflict, "workspace_exists")
            expectError(try await server.post("/v1/workspaces", as: Users.admin,
                                              #"{"platform_id":"pl_none","kind":"course","name":"X"}"#),
                        .notFound, "platform_not_found")
            expectError(try await server.post("/v1/workspaces", as: Users.instructor,
                                              #"{"platform_id":"\#(Course.platform)","kind":"segment","name":"X"}"#),
                        .forbidden, "forbidden")
            let plain = try created(try await server.post(
                "/v1/workspaces", as: Users.admin, #"{"platform_id":"\#(Course.platform)","kind":"platform","name":"Lounge"}"#))
            #expect(plain["workspace"]["id"].string?.hasPrefix("ws_") == true)
            #expect(plain["workspace"]["external_id"].isNull)
            #expect(plain["channels"].array.isEmpty)

            expectError(try await server.get("/v1/workspaces/lookup?platform_id=\(Course.platform)&external_id=nope",
                                             as: Users.admin), .notFound, "workspace_not_found")
            expectError(try await server.get("/v1/workspaces/lookup?external_id=x", as: Users.admin),
                        .badRequest, "invalid_platform_id")
            expectError(try await server.get("/v1/workspaces/lookup?platform_id=\(Course.platform)", as: Users.admin),
                        .badRequest, "invalid_external_id")
            expectError(try await server.get(lookup, as: Users.outsider), .notFound, "workspace_not_found")
            expectError(try await server.get(course.base, as: Users.outsider), .notFound, "workspace_not_found")
        }
    }

    @Test func myWorkspacesListsOnlyTheCallersWithTheirRole() async throws {
        // Proves GET /v1/workspaces is "my workspaces": the caller's memberships with their role, nothing for outsiders.
        try await TestServer.run { server in
            let course = try await Course.make(on: server)
            let mine = try ok(try await server.get("/v1/workspaces", as: Users.learner))["workspaces"].array
            #expect(mine.count == 1)
            #expect(mine.first?["workspace"]["id"] == .string(course.workspace))
            #expect(mine.first?["role"] == .string("learner"))
            #expect(try ok(try await server.get("/v1/workspaces", as: Users.outsider))["workspaces"].array.isEmpty)
        }
    }

    @Test func membersAreListedInPagesAndManagedByInstructors() async throws {
        // Proves the member endpoints: cursor pages in user-ID order, idempotent batch add, role change, removal and leaving.
        try await TestServer.run { server in
            let course = try await Course.make(on: server)
            let first = try ok(try await server.get("\(course.base)/members?limit=2", as: Users.learner))
            #expect(first["members"].array.compactMap { $0["user_id"].string } == ["ines", "lea"])
            #expect(first["members"][0]["display_name"] == .string("Ines"))
            #expect(first["members"][0]["role"] == .string("instructor"))
            #expect(first["members"][0].keys == ["user_id", "role", "display_name", "joined_at"])
            #expect(first["next_cursor"] == .string("lea"))
            let second = try ok(try await server.get("\(course.base)/members?limit=2&cursor=lea", as: Users.learner))
            #expect(second["members"].array.compactMap { $0["user_id"].string } == ["leo", "mo"])
            #expect(second["next_cursor"].isNull)

            let batch = #"{"members":[{"user_id":"sam","role":"learner"},{"user_id":"sue","role":"learner"}]}"#
            let added = try ok(try await server.post("\(course.base)/members", as: Users.instructor, batch))
            #expect(added["members"].array.compactMap { $0["user_id"].string } == ["sam", "sue"])
            #expect(try ok(try await server.post("\(course.base)/members", as: Users.instructor, batch)) == added)
            #expect(try ok(try await server.get(course.base, as: Users.learner))["workspace"]["member_count"]
                == .number(6))

            let promoted = try ok(try await server.send(.put, "\(course.base)/members/sam", as: Users.instructor,
                                                        body: #"{"role":"moderator"}"#))
            #expect(promoted["members"][0]["role"] == .string("moderator"))
            expectError(try await server.send(.put, "\(course.base)/members/sam", as: Users.moderator,
                                              body: #"{"role":"learner"}"#), .forbidden, "forbidden")
            expectError(try await server.post("\(course.base)/members", as: Users.learner, batch),
                        .forbidden, "forbidden")

            expectError(try await server.send(.delete, "\(course.base)/members/sue", as: Users.learner),
                        .forbidden, "forbidden")
            #expect(try await server.send(.delete, "\(course.base)/members/sue", as: Users.instructor).status
                == .noContent)
            #expect(try await server.send(.delete, "\(course.base)/members/sam", as: "sam").status == .noContent)
            expectError(try await server.send(.delete, "\(course.base)/members/sam", as: Users.instructor),
                        .notFound, "member_not_found")
            expectError(try await server.get("\(course.base)/members?cursor=bad%20cursor", as: Users.learner),
                        .badRequest, "invalid_cursor")
            expectError(try await server.get("\(course.base)/members", as: Users.outsider),
                        .notFound, "workspace_not_found")
        }
    }
}

import Community
import Hummingbird
import QuadCore

extension CommunityRoutes {
    func addWorkspaceRoutes(to group: RouterGroup<QuadRequestContext>) {
        group.post("platforms") { request, context in try await createPlatform(request, context) }
        group.get("platforms/:platform") { _, context in
            let id: PlatformID = try identifier(context, "platform", code: "invalid_platform_id")
            return try await platformQueries(id, context).platform(id).ok
        }
        group.post("workspaces") { request, context in try await createWorkspace(request, context) }
        group.get("workspaces") { _, context in
            WorkspacesResponse(workspaces: try await node.myWorkspaces(actor: try context.requireActor())).ok
        }
        group.get("workspaces/lookup") { request, context in try await lookupWorkspace(request, context) }
        group.get("workspaces/:workspace") { _, context in
            let (workspace, access) = try await queries(try workspaceID(context), context).workspace(try workspaceID(context))
            return WorkspaceResponse(workspace: workspace, role: access.role).ok
        }
        group.get("workspaces/:workspace/members") { request, context in
            let workspace = try workspaceID(context)
            let page = try await queries(workspace, context).members(workspace, after: try queryUser(request, "cursor"),
                                                                limit: try limit(request))
            return MembersResponse(members: page.items, nextCursor: page.nextCursor).ok
        }
        group.post("workspaces/:workspace/members") { request, context in
            let body = try await request.decode(as: PutMembersRequest.self, context: context)
            guard !body.members.isEmpty, body.members.count <= Limits.batchMembersMax else {
                throw APIError(.unprocessableContent, "batch_too_large",
                               "Add 1 to \(Limits.batchMembersMax) members per call.")
            }
            let specs = body.members.map { MemberSpec(userID: $0.userId, role: $0.role, displayName: $0.displayName) }
            guard case .members(let members) = try await submit(.putMembers(workspace: try workspaceID(context),
                                                                             members: specs), context)
            else { preconditionFailure("putMembers answers with members") }
            return MembersResultResponse(members: members).ok
        }
        group.put("workspaces/:workspace/members/:user") { request, context in
            let body = try await request.decode(as: SetRoleRequest.self, context: context)
            let spec = MemberSpec(userID: try userID(context), role: body.role, displayName: body.displayName)
            guard case .members(let members) = try await submit(.putMembers(workspace: try workspaceID(context),
                                                                             members: [spec]), context)
            else { preconditionFailure("putMembers answers with members") }
            return MembersResultResponse(members: members).ok
        }
        group.delete("workspaces/:workspace/members/:user") { _, context in
            _ = try await submit(.removeMember(workspace: try workspaceID(context), user: try userID(context)), context)
            return NoContent()
        }
    }

    func createPlatform(_ request: Request, _ context: QuadRequestContext) async throws -> Created<Platform> {
        let body = try await request.decode(as: CreatePlatformRequest.self, context: context)
        try validate { () throws(CommunityError) in try Validation.name(body.name) }
        var generator = SystemRandomNumberGenerator()
        let id = body.id ?? PlatformID.random(using: &generator)
        guard case .platform(let platform) = try await submit(.createPlatform(platform: id, name: body.name), context)
        else { preconditionFailure("createPlatform answers with a platform") }
        return Created(body: platform)
    }

    func createWorkspace(_ request: Request, _ context: QuadRequestContext) async throws
        -> Created<WorkspaceCreatedResponse> {
        let body = try await request.decode(as: CreateWorkspaceRequest.self, context: context)
        try validate { () throws(CommunityError) in
            try Validation.name(body.name)
            if let externalID = body.externalId { try Validation.externalID(externalID) }
        }
        // The platform must exist; platforms are never deleted, so checking before proposing is safe.
        _ = try await platformQueries(body.platformId, context).platform(body.platformId)
        var generator = SystemRandomNumberGenerator()
        let id = body.externalId.map { WorkspaceID.derived(platform: body.platformId, externalID: $0) }
            ?? WorkspaceID.random(using: &generator)
        let templates = body.templates ?? []
        let channelIDs = templates.map { _ in ChannelID.random(using: &generator) }
        let command = CommandBody.createWorkspace(workspace: id, platform: body.platformId, kind: body.kind,
                                                  name: body.name, externalID: body.externalId,
                                                  templates: templates, templateChannelIDs: channelIDs)
        guard case .workspace(let workspace, let channels) = try await submit(command, context)
        else { preconditionFailure("createWorkspace answers with a workspace") }
        return Created(body: WorkspaceCreatedResponse(workspace: workspace, channels: channels))
    }

    /// `GET /v1/workspaces/lookup?platform_id=...&external_id=...`: the LMS finds a course's workspace.
    func lookupWorkspace(_ request: Request, _ context: QuadRequestContext) async throws -> Created<WorkspaceResponse> {
        guard let rawPlatform = request.uri.queryParameters.get("platform_id"),
              let platform = PlatformID(rawValue: rawPlatform) else {
            throw APIError.invalid("invalid_platform_id", "platform_id is required and must be a valid ID.")
        }
        guard let externalID = request.uri.queryParameters.get("external_id") else {
            throw APIError.invalid("invalid_external_id", "external_id is required.")
        }
        try validate { () throws(CommunityError) in try Validation.externalID(externalID) }
        let id = WorkspaceID.derived(platform: platform, externalID: externalID)
        let (workspace, access) = try await queries(id, context).workspace(id)
        return WorkspaceResponse(workspace: workspace, role: access.role).ok
    }
}

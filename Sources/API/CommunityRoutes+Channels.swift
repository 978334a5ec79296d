import Community
import Hummingbird
import QuadCore

extension CommunityRoutes {
    func addChannelRoutes(to group: RouterGroup<QuadRequestContext>) {
        let channels = "workspaces/:workspace/channels"
        group.get(RouterPath(channels)) { request, context in
            let workspace = try workspaceID(context)
            let mine = request.uri.queryParameters.get("mine") == "true"
            let views = mine ? try await queries(workspace, context).myChannels(workspace)
                : try await queries(workspace, context).channels(workspace)
            return ChannelsResponse(channels: views).ok
        }
        group.post(RouterPath(channels)) { request, context in try await createChannel(request, context) }
        group.get(RouterPath(channels + "/:channel")) { _, context in
            let workspace = try workspaceID(context)
            return ChannelViewResponse(channel: try await queries(workspace, context).channel(workspace, try channelID(context))).ok
        }
        group.patch(RouterPath(channels + "/:channel")) { request, context in
            let body = try await request.decode(as: UpdateChannelRequest.self, context: context)
            let patch = ChannelPatch(name: body.name, slug: body.slug, purpose: body.purpose, header: body.header,
                                     postingPolicy: body.postingPolicy, archived: body.archived)
            guard !patch.isEmpty else { throw APIError.invalid("empty_patch", "Give at least one field to change.") }
            try validate { () throws(CommunityError) in try Validation.channelPatch(patch) }
            return try await channelAnswer(.updateChannel(workspace: try workspaceID(context),
                                                          channel: try channelID(context), patch: patch), context)
        }
        group.post(RouterPath(channels + "/:channel/join")) { _, context in
            try await channelAnswer(.joinChannel(workspace: try workspaceID(context), channel: try channelID(context)),
                                    context)
        }
        group.get(RouterPath(channels + "/:channel/members")) { request, context in
            let workspace = try workspaceID(context)
            let page = try await queries(workspace, context).channelMembers(
                workspace, try channelID(context), after: try queryUser(request, "cursor"), limit: try limit(request))
            return ChannelMembersResponse(members: page.items, nextCursor: page.nextCursor).ok
        }
        group.post(RouterPath(channels + "/:channel/members")) { request, context in
            let body = try await request.decode(as: UserListRequest.self, context: context)
            guard !body.userIds.isEmpty, body.userIds.count <= Limits.batchMembersMax else {
                throw APIError(.unprocessableContent, "batch_too_large",
                               "Add 1 to \(Limits.batchMembersMax) users per call.")
            }
            guard case .channelMembersAdded(let count) = try await submit(
                .addChannelMembers(workspace: try workspaceID(context), channel: try channelID(context),
                                   users: body.userIds), context)
            else { preconditionFailure("addChannelMembers answers with a count") }
            return AddedResponse(added: count).ok
        }
        group.delete(RouterPath(channels + "/:channel/members/:user")) { _, context in
            _ = try await submit(.removeChannelMember(workspace: try workspaceID(context),
                                                      channel: try channelID(context), user: try userID(context)),
                                 context)
            return NoContent()
        }
        group.post("workspaces/:workspace/direct-channels") { request, context in
            let actor = try context.requireActor()
            let body = try await request.decode(as: UserListRequest.self, context: context)
            let people = Array(Set(body.userIds + [actor.userID]))
            guard people.count >= 2, people.count <= Limits.groupDirectMessageMembersMax else {
                throw APIError.invalid("invalid_direct_members",
                                       "A direct message is among 2 to \(Limits.groupDirectMessageMembersMax) people, you included.")
            }
            return try await channelAnswer(.openDirectChannel(workspace: try workspaceID(context), users: people),
                                           context)
        }
    }

    func createChannel(_ request: Request, _ context: QuadRequestContext) async throws -> Created<ChannelResponse> {
        let body = try await request.decode(as: CreateChannelRequest.self, context: context)
        let visibility = body.visibility ?? .public
        guard visibility != .direct else {
            throw APIError.invalid("invalid_visibility", "visibility is 'public' or 'private'; use direct-channels for DMs.")
        }
        let spec = ChannelSpec(name: body.name, slug: body.slug ?? Validation.slug(fromName: body.name),
                               visibility: visibility, purpose: body.purpose ?? "", header: body.header ?? "",
                               postingPolicy: body.postingPolicy ?? .everyone)
        try validate { () throws(CommunityError) in try Validation.channelSpec(spec) }
        var generator = SystemRandomNumberGenerator()
        let command = CommandBody.createChannel(workspace: try workspaceID(context),
                                                channel: ChannelID.random(using: &generator), spec: spec)
        guard case .channel(let channel) = try await submit(command, context)
        else { preconditionFailure("createChannel answers with a channel") }
        return Created(body: ChannelResponse(channel: channel))
    }

    func channelAnswer(_ command: CommandBody, _ context: QuadRequestContext) async throws -> Created<ChannelResponse> {
        guard case .channel(let channel) = try await submit(command, context)
        else { preconditionFailure("channel commands answer with a channel") }
        return ChannelResponse(channel: channel).ok
    }
}

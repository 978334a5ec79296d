import Community
import Hummingbird
import QuadCore

extension CommunityRoutes {
    func addMessageRoutes(to group: RouterGroup<QuadRequestContext>) {
        let messages = "workspaces/:workspace/channels/:channel/messages"
        group.get(RouterPath(messages)) { request, context in try await history(request, context) }
        group.post(RouterPath(messages)) { request, context in try await postMessage(request, context) }
        group.get(RouterPath(messages + "/:sequence")) { _, context in
            let workspace = try workspaceID(context)
            let message = try await queries(workspace, context).message(workspace, try channelID(context),
                                                                  try sequence(context))
            return MessageResponse(message: message).ok
        }
        group.patch(RouterPath(messages + "/:sequence")) { request, context in
            let body = try await request.decode(as: EditMessageRequest.self, context: context)
            try validate { () throws(CommunityError) in try Validation.messageText(body.text) }
            return try await messageAnswer(.editMessage(workspace: try workspaceID(context),
                                                        channel: try channelID(context),
                                                        sequence: try sequence(context), text: body.text), context)
        }
        group.delete(RouterPath(messages + "/:sequence")) { _, context in
            try await messageAnswer(.deleteMessage(workspace: try workspaceID(context), channel: try channelID(context),
                                                   sequence: try sequence(context)), context)
        }
        group.get(RouterPath(messages + "/:sequence/thread")) { request, context in
            let workspace = try workspaceID(context)
            let (root, page) = try await queries(workspace, context).thread(
                workspace, try channelID(context), root: try sequence(context),
                after: try querySequence(request, "after"), limit: try limit(request))
            return ThreadResponse(root: root, replies: page.items, nextCursor: page.nextCursor).ok
        }
        for (method, present) in [(HTTPRequest.Method.put, true), (.delete, false)] {
            group.on(RouterPath(messages + "/:sequence/reactions/:emoji"), method: method) { _, context in
                let emoji = context.parameters.get("emoji") ?? ""
                try validate { () throws(CommunityError) in try Validation.emoji(emoji) }
                return try await messageAnswer(.setReaction(workspace: try workspaceID(context),
                                                            channel: try channelID(context),
                                                            sequence: try sequence(context), emoji: emoji,
                                                            present: present), context)
            }
            group.on(RouterPath(messages + "/:sequence/pin"), method: method) { _, context in
                try await messageAnswer(.setPinned(workspace: try workspaceID(context), channel: try channelID(context),
                                                   sequence: try sequence(context), pinned: present), context)
            }
        }
        group.get("workspaces/:workspace/channels/:channel/pins") { _, context in
            let workspace = try workspaceID(context)
            return MessagesResponse(messages: try await queries(workspace, context).pins(workspace, try channelID(context)),
                                    nextCursor: nil).ok
        }
        group.post("workspaces/:workspace/channels/:channel/read") { request, context in
            let body = try await request.decode(as: MarkReadRequest.self, context: context)
            guard case .readState(let state) = try await submit(
                .markRead(workspace: try workspaceID(context), channel: try channelID(context),
                          sequence: ChannelSequence(body.sequence)), context)
            else { preconditionFailure("markRead answers with a read state") }
            return ReadStateResponse(lastRead: state.lastRead).ok
        }
    }

    /// `?before=S` (newest first, default) or `?after=S` (oldest first); `next_cursor` continues.
    func history(_ request: Request, _ context: QuadRequestContext) async throws -> Created<MessagesResponse> {
        let workspace = try workspaceID(context)
        let before = try querySequence(request, "before")
        let after = try querySequence(request, "after")
        guard before == nil || after == nil else {
            throw APIError.invalid("conflicting_cursors", "Give before or after, not both.")
        }
        let direction: HistoryDirection = after.map { .after($0) } ?? .before(before)
        let page = try await queries(workspace, context).history(workspace, try channelID(context), direction,
                                                           limit: try limit(request))
        return MessagesResponse(messages: page.items, nextCursor: page.nextCursor).ok
    }

    func postMessage(_ request: Request, _ context: QuadRequestContext) async throws -> Created<MessageResponse> {
        let body = try await request.decode(as: PostMessageRequest.self, context: context)
        try validate { () throws(CommunityError) in
            try Validation.messageText(body.text)
            if let id = body.clientMsgId { try Validation.clientMessageID(id) }
        }
        if let root = body.threadRoot, root == 0 {
            throw APIError.invalid("invalid_thread_root", "thread_root is a message sequence (1 or more).")
        }
        let command = CommandBody.postMessage(workspace: try workspaceID(context), channel: try channelID(context),
                                              text: body.text, threadRoot: body.threadRoot.map { ChannelSequence($0) },
                                              clientMessageID: body.clientMsgId)
        guard case .message(let message, let duplicate) = try await submit(command, context)
        else { preconditionFailure("postMessage answers with a message") }
        return Created(status: duplicate ? .ok : .created,
                       body: MessageResponse(message: message, duplicate: duplicate))
    }

    func messageAnswer(_ command: CommandBody, _ context: QuadRequestContext) async throws -> Created<MessageResponse> {
        guard case .message(let message, _) = try await submit(command, context)
        else { preconditionFailure("message commands answer with a message") }
        return MessageResponse(message: message).ok
    }
}

import Community
import QuadCore

// Response bodies: one named wrapper per shape so the JSON is stable and documented
// in openapi.yaml.

struct WorkspaceCreatedResponse: Encodable {
    var workspace: Workspace
    var channels: [Channel]
}

struct WorkspaceResponse: Encodable {
    var workspace: Workspace
    /// The caller's role; nil for administrators who are not members.
    var role: WorkspaceRole?
}

struct WorkspacesResponse: Encodable {
    var workspaces: [MembershipView]
}

struct MembersResponse: Encodable {
    var members: [Member]
    var nextCursor: String?
}

struct ChannelMembersResponse: Encodable {
    var members: [ChannelMember]
    var nextCursor: String?
}

struct ChannelResponse: Encodable {
    var channel: Channel
}

struct ChannelsResponse: Encodable {
    var channels: [ChannelView]
}

struct ChannelViewResponse: Encodable {
    var channel: ChannelView
}

struct AddedResponse: Encodable {
    var added: Int
}

struct MessageResponse: Encodable, SnakeCaseKeyed {
    var message: Message
    /// True when a retry with the same client_msg_id returned the original message.
    var duplicate: Bool?
}

struct MessagesResponse: Encodable, SnakeCaseKeyed {
    var messages: [Message]
    var nextCursor: String?

    enum CodingKeys: String, CodingKey {
        case messages, nextCursor = "next_cursor"
    }
}

struct ThreadResponse: Encodable, SnakeCaseKeyed {
    var root: Message
    var replies: [Message]
    var nextCursor: String?

    enum CodingKeys: String, CodingKey {
        case root, replies, nextCursor = "next_cursor"
    }
}

struct ReadStateResponse: Encodable {
    var lastRead: ChannelSequence
}

struct MembersResultResponse: Encodable {
    var members: [Member]
}

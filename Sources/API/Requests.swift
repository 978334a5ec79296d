import QuadCore

// Request bodies. Keys arrive in snake_case; identifiers and enums are validated while
// decoding, so a bad value is a 400 naming the field.

struct CreatePlatformRequest: Decodable {
    var id: PlatformID?
    var name: String
}

struct CreateWorkspaceRequest: Decodable {
    var platformId: PlatformID
    var kind: WorkspaceKind
    var name: String
    var externalId: String?
    var templates: [ChannelTemplate]?
}

struct MemberInput: Decodable {
    var userId: UserID
    var role: WorkspaceRole
    var displayName: String?
}

struct PutMembersRequest: Decodable {
    var members: [MemberInput]
}

struct SetRoleRequest: Decodable {
    var role: WorkspaceRole
    var displayName: String?
}

struct CreateChannelRequest: Decodable {
    var name: String
    var slug: String?
    var visibility: ChannelVisibility?
    var purpose: String?
    var header: String?
    var postingPolicy: PostingPolicy?
}

struct UpdateChannelRequest: Decodable {
    var name: String?
    var slug: String?
    var purpose: String?
    var header: String?
    var postingPolicy: PostingPolicy?
    var archived: Bool?
}

struct UserListRequest: Decodable {
    var userIds: [UserID]
}

struct PostMessageRequest: Decodable {
    var text: String
    var threadRoot: UInt64?
    var clientMsgId: String?
}

struct EditMessageRequest: Decodable {
    var text: String
}

struct MarkReadRequest: Decodable {
    var sequence: UInt64
}

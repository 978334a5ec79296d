/// Every bound on client input, in one place. Each number says why it is that number.
public enum Limits {
    /// 1 MiB per request body: a batch of 1,000 members or a 16 KiB message fits with
    /// room to spare; larger bodies are a mistake or an attack.
    public static let requestBodyBytesMax = 1 << 20
    /// 16 KiB of UTF-8 per message text: a long forum answer with code, not a file upload.
    public static let messageTextBytesMax = 16 * 1024
    /// 64 characters for display names of workspaces, channels, platforms and users.
    public static let nameCharactersMax = 64
    /// Channel purpose: one paragraph.
    public static let purposeCharactersMax = 250
    /// Channel header: a line or two of markdown links.
    public static let headerCharactersMax = 1024
    /// Slugs: 2 to 64 of `[a-z0-9-]`, starting with a letter or digit (URL-safe, readable).
    public static let slugCharactersMin = 2
    public static let slugCharactersMax = 64
    /// External IDs such as `course-v1:Org+CS101+2026`.
    public static let externalIDBytesMax = 255
    /// Largest page of history or members: bounds one response to a few MiB.
    public static let pageSizeMax = 200
    /// Default page size when the client gives none.
    public static let pageSizeDefault = 50
    /// Members added in one batch call: a course section at a time keeps one command
    /// (and one Raft entry) well under a MiB.
    public static let batchMembersMax = 1000
    /// People in a group direct message, the caller included (Mattermost uses 8 as well).
    public static let groupDirectMessageMembersMax = 8
    /// Distinct reactions per message, and emoji name length.
    public static let reactionsPerMessageMax = 50
    public static let emojiNameBytesMax = 64
    /// Idempotency key length (`client_msg_id`).
    public static let clientMessageIDBytesMax = 64
    /// Pinned messages per channel.
    public static let pinsPerChannelMax = 100
    /// Distinct users a message may @-mention; more is spam, and each costs an index row.
    public static let mentionsPerMessageMax = 50
    /// Workspaces one user belongs to, as listed by "my workspaces".
    public static let workspacesPerUserMax = 1000
    /// Channels per workspace: keeps "my channels" and channel lists bounded.
    public static let channelsPerWorkspaceMax = 10_000
}

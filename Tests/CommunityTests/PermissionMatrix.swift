import Community
import QuadCore
import Testing

/// Who acts in the permission matrix. Each is a different person of `Course.world()`.
enum Role: String, CaseIterable, Sendable {
    case admin, instructor, moderator, learner, nonMember = "non-member"

    var actor: Actor {
        switch self {
        case .admin: Course.admin  // token isAdmin, not a member of the workspace
        case .instructor: Course.ines
        case .moderator: Course.moe
        case .learner: Course.lea
        case .nonMember: Course.nina
        }
    }
}

/// What happened (or must happen) when a role tries an action.
enum Verdict: Sendable, Equatable, CustomStringConvertible {
    /// Allowed (for list queries: allowed, and the object is listed).
    case ok
    /// A list query succeeds but leaves the object out.
    case hidden
    case refused(CommunityError.Kind, String)
    /// The action cannot be stated for this role (an admin who is not a member has no messages of their own).
    case notApplicable

    static let forbidden = Verdict.refused(.forbidden, "forbidden")
    static let noWorkspace = Verdict.refused(.notFound, "workspace_not_found")
    static let noChannel = Verdict.refused(.notFound, "channel_not_found")
    static let noMember = Verdict.refused(.notFound, "member_not_found")
    static let directFixed = Verdict.refused(.invalid, "direct_membership_fixed")

    /// The cell as docs/permissions.md writes it.
    var description: String {
        switch self {
        case .ok: "ok"
        case .hidden: "ok, not listed"
        case .notApplicable: "n/a"
        case .refused(let kind, let code):
            switch kind {
            case .invalid: "400 \(code)"
            case .forbidden: "403 \(code)"
            case .notFound: "404 \(code)"
            case .conflict: "409 \(code)"
            case .limitExceeded: "422 \(code)"
            }
        }
    }
}

/// Something to try on a channel.
enum ChannelAction: String, Sendable {
    case listed, read, members, history, thread, pins, message, events
    case update, archive, join, addMembers, removeOther, leave
    case post, postAnnouncement, replyAnnouncement, editOwn, editOthers, deleteOwn, deleteOthers, react, pin, markRead
}

/// Every row of the matrix: every command and query, on the kinds of channel that matter.
enum MatrixAction: Sendable, Hashable, CustomStringConvertible {
    case createPlatform, createWorkspace, addMember, changeRole, removeOtherMember, leaveWorkspace
    case createPublicChannel, createPrivateChannel, openDirectChannel
    case platform, workspace, members, channels, myChannels, myWorkspaces, workspaceEvents
    /// On `ch-chat`, a public channel every member role is in (the admin is not).
    case publicChannel(ChannelAction)
    /// On `ch-secret`, a private channel only `leo` is in.
    case privateChannel(ChannelAction)
    /// On `ch-secret` after the admin added the caller to it (an admin outside the workspace cannot be added).
    case joinedPrivateChannel(ChannelAction)
    /// On the DM between `leo` and `lia`.
    case directChannel(ChannelAction)
    /// On a DM between the caller and `leo`, which the caller opens first.
    case ownDirectChannel(ChannelAction)

    var description: String {
        switch self {
        case .publicChannel(let action): "public.\(action.rawValue)"
        case .privateChannel(let action): "private.\(action.rawValue)"
        case .joinedPrivateChannel(let action): "joinedPrivate.\(action.rawValue)"
        case .directChannel(let action): "direct.\(action.rawValue)"
        case .ownDirectChannel(let action): "ownDirect.\(action.rawValue)"
        default: name
        }
    }

    private var name: String {
        switch self {
        case .createPlatform: "createPlatform"
        case .createWorkspace: "createWorkspace"
        case .addMember: "addMember"
        case .changeRole: "changeRole"
        case .removeOtherMember: "removeOtherMember"
        case .leaveWorkspace: "leaveWorkspace"
        case .createPublicChannel: "createPublicChannel"
        case .createPrivateChannel: "createPrivateChannel"
        case .openDirectChannel: "openDirectChannel"
        case .platform: "platform"
        case .workspace: "workspace"
        case .members: "members"
        case .channels: "channels"
        case .myChannels: "myChannels"
        case .myWorkspaces: "myWorkspaces"
        case .workspaceEvents: "workspaceEvents"
        case .publicChannel, .privateChannel, .joinedPrivateChannel, .directChannel, .ownDirectChannel: ""
        }
    }
}

/// One cell: a role trying an action, and the verdict written out by hand.
struct MatrixCell: Sendable, CustomTestStringConvertible {
    var action: MatrixAction
    var role: Role
    var expected: Verdict
    var testDescription: String { "\(action) as \(role.rawValue) → \(expected)" }
}

/// One row: an action and its five verdicts, in the order admin, instructor, moderator, learner, non-member.
struct MatrixRow: Sendable {
    var action: MatrixAction
    var verdicts: [Role: Verdict]

    init(_ action: MatrixAction, admin: Verdict, instructor: Verdict, moderator: Verdict, learner: Verdict,
         nonMember: Verdict) {
        self.action = action
        verdicts = [.admin: admin, .instructor: instructor, .moderator: moderator, .learner: learner,
                    .nonMember: nonMember]
    }

    var cells: [MatrixCell] {
        Role.allCases.compactMap { role in verdicts[role].map { MatrixCell(action: action, role: role, expected: $0) } }
    }

    /// The row as docs/permissions.md writes it.
    var markdown: String {
        "| `\(action)` | " + Role.allCases.map { verdicts[$0].map(String.init(describing:)) ?? "?" }
            .joined(separator: " | ") + " |"
    }
}

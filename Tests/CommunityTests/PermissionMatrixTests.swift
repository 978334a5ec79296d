import Community
import Foundation
import QuadCore
import Testing

/// The permission matrix of docs/permissions.md, every cell written out by hand. Reading across a row:
/// admin (token isAdmin, not a member), instructor, moderator, learner, non-member.
enum PermissionMatrix {
    static let workspaceRows: [MatrixRow] = [
        MatrixRow(.createPlatform, admin: .ok, instructor: .forbidden, moderator: .forbidden, learner: .forbidden,
                  nonMember: .forbidden),
        MatrixRow(.createWorkspace, admin: .ok, instructor: .forbidden, moderator: .forbidden, learner: .forbidden,
                  nonMember: .forbidden),
        MatrixRow(.addMember, admin: .ok, instructor: .ok, moderator: .forbidden, learner: .forbidden,
                  nonMember: .noWorkspace),
        MatrixRow(.changeRole, admin: .ok, instructor: .ok, moderator: .forbidden, learner: .forbidden,
                  nonMember: .noWorkspace),
        MatrixRow(.removeOtherMember, admin: .ok, instructor: .ok, moderator: .forbidden, learner: .forbidden,
                  nonMember: .noWorkspace),
        MatrixRow(.leaveWorkspace, admin: .noMember, instructor: .ok, moderator: .ok, learner: .ok,
                  nonMember: .noWorkspace),
        MatrixRow(.createPublicChannel, admin: .ok, instructor: .ok, moderator: .ok, learner: .forbidden,
                  nonMember: .noWorkspace),
        MatrixRow(.createPrivateChannel, admin: .ok, instructor: .ok, moderator: .ok, learner: .forbidden,
                  nonMember: .noWorkspace),
        MatrixRow(.openDirectChannel, admin: .forbidden, instructor: .ok, moderator: .ok, learner: .ok,
                  nonMember: .noWorkspace),
        MatrixRow(.platform, admin: .ok, instructor: .ok, moderator: .ok, learner: .ok, nonMember: .ok),
        MatrixRow(.workspace, admin: .ok, instructor: .ok, moderator: .ok, learner: .ok, nonMember: .noWorkspace),
        MatrixRow(.members, admin: .ok, instructor: .ok, moderator: .ok, learner: .ok, nonMember: .noWorkspace),
        MatrixRow(.channels, admin: .ok, instructor: .ok, moderator: .ok, learner: .ok, nonMember: .noWorkspace),
        MatrixRow(.myChannels, admin: .ok, instructor: .ok, moderator: .ok, learner: .ok, nonMember: .noWorkspace),
        MatrixRow(.myWorkspaces, admin: .hidden, instructor: .ok, moderator: .ok, learner: .ok, nonMember: .hidden),
        MatrixRow(.workspaceEvents, admin: .ok, instructor: .ok, moderator: .ok, learner: .ok,
                  nonMember: .noWorkspace),
    ]

    /// `ch-chat`: every member role is in it, the admin is not.
    static let publicRows: [MatrixRow] = [
        MatrixRow(.publicChannel(.read), admin: .ok, instructor: .ok, moderator: .ok, learner: .ok,
                  nonMember: .noWorkspace),
        MatrixRow(.publicChannel(.members), admin: .ok, instructor: .ok, moderator: .ok, learner: .ok,
                  nonMember: .noWorkspace),
        MatrixRow(.publicChannel(.history), admin: .ok, instructor: .ok, moderator: .ok, learner: .ok,
                  nonMember: .noWorkspace),
        MatrixRow(.publicChannel(.thread), admin: .ok, instructor: .ok, moderator: .ok, learner: .ok,
                  nonMember: .noWorkspace),
        MatrixRow(.publicChannel(.pins), admin: .ok, instructor: .ok, moderator: .ok, learner: .ok,
                  nonMember: .noWorkspace),
        MatrixRow(.publicChannel(.message), admin: .ok, instructor: .ok, moderator: .ok, learner: .ok,
                  nonMember: .noWorkspace),
        MatrixRow(.publicChannel(.events), admin: .ok, instructor: .ok, moderator: .ok, learner: .ok,
                  nonMember: .noWorkspace),
        MatrixRow(.publicChannel(.update), admin: .ok, instructor: .ok, moderator: .ok, learner: .forbidden,
                  nonMember: .noWorkspace),
        MatrixRow(.publicChannel(.archive), admin: .ok, instructor: .ok, moderator: .ok, learner: .forbidden,
                  nonMember: .noWorkspace),
        MatrixRow(.publicChannel(.join), admin: .forbidden, instructor: .ok, moderator: .ok, learner: .ok,
                  nonMember: .noWorkspace),
        MatrixRow(.publicChannel(.addMembers), admin: .ok, instructor: .ok, moderator: .ok, learner: .forbidden,
                  nonMember: .noWorkspace),
        MatrixRow(.publicChannel(.removeOther), admin: .ok, instructor: .ok, moderator: .ok, learner: .forbidden,
                  nonMember: .noWorkspace),
        MatrixRow(.publicChannel(.leave), admin: .noMember, instructor: .ok, moderator: .ok, learner: .ok,
                  nonMember: .noWorkspace),
        MatrixRow(.publicChannel(.post), admin: .forbidden, instructor: .ok, moderator: .ok, learner: .ok,
                  nonMember: .noWorkspace),
        MatrixRow(.publicChannel(.postAnnouncement), admin: .forbidden, instructor: .ok, moderator: .ok,
                  learner: .forbidden, nonMember: .noWorkspace),
        MatrixRow(.publicChannel(.replyAnnouncement), admin: .forbidden, instructor: .ok, moderator: .ok,
                  learner: .ok, nonMember: .noWorkspace),
        MatrixRow(.publicChannel(.editOwn), admin: .notApplicable, instructor: .ok, moderator: .ok, learner: .ok,
                  nonMember: .noWorkspace),
        MatrixRow(.publicChannel(.editOthers), admin: .forbidden, instructor: .forbidden, moderator: .forbidden,
                  learner: .forbidden, nonMember: .noWorkspace),
        MatrixRow(.publicChannel(.deleteOwn), admin: .notApplicable, instructor: .ok, moderator: .ok, learner: .ok,
                  nonMember: .noWorkspace),
        MatrixRow(.publicChannel(.deleteOthers), admin: .ok, instructor: .ok, moderator: .ok, learner: .forbidden,
                  nonMember: .noWorkspace),
        MatrixRow(.publicChannel(.react), admin: .forbidden, instructor: .ok, moderator: .ok, learner: .ok,
                  nonMember: .noWorkspace),
        MatrixRow(.publicChannel(.pin), admin: .forbidden, instructor: .ok, moderator: .ok, learner: .ok,
                  nonMember: .noWorkspace),
        MatrixRow(.publicChannel(.markRead), admin: .forbidden, instructor: .ok, moderator: .ok, learner: .ok,
                  nonMember: .noWorkspace),
    ]

    /// `ch-secret`: only `leo` is in it. Admins see it; staff outside it do not (404, never 403).
    static let privateRows: [MatrixRow] = [
        MatrixRow(.privateChannel(.listed), admin: .ok, instructor: .hidden, moderator: .hidden, learner: .hidden,
                  nonMember: .noWorkspace),
        MatrixRow(.privateChannel(.read), admin: .ok, instructor: .noChannel, moderator: .noChannel,
                  learner: .noChannel, nonMember: .noWorkspace),
        MatrixRow(.privateChannel(.members), admin: .ok, instructor: .noChannel, moderator: .noChannel,
                  learner: .noChannel, nonMember: .noWorkspace),
        MatrixRow(.privateChannel(.history), admin: .ok, instructor: .noChannel, moderator: .noChannel,
                  learner: .noChannel, nonMember: .noWorkspace),
        MatrixRow(.privateChannel(.thread), admin: .ok, instructor: .noChannel, moderator: .noChannel,
                  learner: .noChannel, nonMember: .noWorkspace),
        MatrixRow(.privateChannel(.pins), admin: .ok, instructor: .noChannel, moderator: .noChannel,
                  learner: .noChannel, nonMember: .noWorkspace),
        MatrixRow(.privateChannel(.message), admin: .ok, instructor: .noChannel, moderator: .noChannel,
                  learner: .noChannel, nonMember: .noWorkspace),
        MatrixRow(.privateChannel(.events), admin: .ok, instructor: .noChannel, moderator: .noChannel,
                  learner: .noChannel, nonMember: .noWorkspace),
        MatrixRow(.privateChannel(.update), admin: .ok, instructor: .noChannel, moderator: .noChannel,
                  learner: .noChannel, nonMember: .noWorkspace),
        MatrixRow(.privateChannel(.join), admin: .forbidden, instructor: .noChannel, moderator: .noChannel,
                  learner: .noChannel, nonMember: .noWorkspace),
        MatrixRow(.privateChannel(.addMembers), admin: .ok, instructor: .noChannel, moderator: .noChannel,
                  learner: .noChannel, nonMember: .noWorkspace),
        MatrixRow(.privateChannel(.removeOther), admin: .ok, instructor: .noChannel, moderator: .noChannel,
                  learner: .noChannel, nonMember: .noWorkspace),
        MatrixRow(.privateChannel(.post), admin: .forbidden, instructor: .noChannel, moderator: .noChannel,
                  learner: .noChannel, nonMember: .noWorkspace),
        MatrixRow(.privateChannel(.editOthers), admin: .forbidden, instructor: .noChannel, moderator: .noChannel,
                  learner: .noChannel, nonMember: .noWorkspace),
        MatrixRow(.privateChannel(.deleteOthers), admin: .ok, instructor: .noChannel, moderator: .noChannel,
                  learner: .noChannel, nonMember: .noWorkspace),
        MatrixRow(.privateChannel(.react), admin: .forbidden, instructor: .noChannel, moderator: .noChannel,
                  learner: .noChannel, nonMember: .noWorkspace),
        MatrixRow(.privateChannel(.pin), admin: .forbidden, instructor: .noChannel, moderator: .noChannel,
                  learner: .noChannel, nonMember: .noWorkspace),
        MatrixRow(.privateChannel(.markRead), admin: .forbidden, instructor: .noChannel, moderator: .noChannel,
                  learner: .noChannel, nonMember: .noWorkspace),
    ]

    /// `ch-secret` again, after the admin added the caller: members read and take part; only staff
    /// manage it. The admin, outside the workspace, cannot be added and keeps the admin's rights.
    static let joinedPrivateRows: [MatrixRow] = [
        MatrixRow(.joinedPrivateChannel(.listed), admin: .ok, instructor: .ok, moderator: .ok,
                  learner: .ok, nonMember: .noWorkspace),
        MatrixRow(.joinedPrivateChannel(.read), admin: .ok, instructor: .ok, moderator: .ok,
                  learner: .ok, nonMember: .noWorkspace),
        MatrixRow(.joinedPrivateChannel(.members), admin: .ok, instructor: .ok, moderator: .ok,
                  learner: .ok, nonMember: .noWorkspace),
        MatrixRow(.joinedPrivateChannel(.history), admin: .ok, instructor: .ok, moderator: .ok,
                  learner: .ok, nonMember: .noWorkspace),
        MatrixRow(.joinedPrivateChannel(.thread), admin: .ok, instructor: .ok, moderator: .ok,
                  learner: .ok, nonMember: .noWorkspace),
        MatrixRow(.joinedPrivateChannel(.pins), admin: .ok, instructor: .ok, moderator: .ok,
                  learner: .ok, nonMember: .noWorkspace),
        MatrixRow(.joinedPrivateChannel(.message), admin: .ok, instructor: .ok, moderator: .ok,
                  learner: .ok, nonMember: .noWorkspace),
        MatrixRow(.joinedPrivateChannel(.events), admin: .ok, instructor: .ok, moderator: .ok,
                  learner: .ok, nonMember: .noWorkspace),
        MatrixRow(.joinedPrivateChannel(.update), admin: .ok, instructor: .ok, moderator: .ok,
                  learner: .forbidden, nonMember: .noWorkspace),
        MatrixRow(.joinedPrivateChannel(.addMembers), admin: .ok, instructor: .ok, moderator: .ok,
                  learner: .forbidden, nonMember: .noWorkspace),
        MatrixRow(.joinedPrivateChannel(.removeOther), admin: .ok, instructor: .ok, moderator: .ok,
                  learner: .forbidden, nonMember: .noWorkspace),
        MatrixRow(.joinedPrivateChannel(.leave), admin: .noMember, instructor: .ok, moderator: .ok,
                  learner: .ok, nonMember: .noWorkspace),
        MatrixRow(.joinedPrivateChannel(.post), admin: .forbidden, instructor: .ok, moderator: .ok,
                  learner: .ok, nonMember: .noWorkspace),
        MatrixRow(.joinedPrivateChannel(.editOthers), admin: .forbidden, instructor: .forbidden, moderator: .forbidden,
                  learner: .forbidden, nonMember: .noWorkspace),
        MatrixRow(.joinedPrivateChannel(.deleteOthers), admin: .ok, instructor: .ok, moderator: .ok,
                  learner: .forbidden, nonMember: .noWorkspace),
        MatrixRow(.joinedPrivateChannel(.react), admin: .forbidden, instructor: .ok, moderator: .ok,
                  learner: .ok, nonMember: .noWorkspace),
        MatrixRow(.joinedPrivateChannel(.pin), admin: .forbidden, instructor: .ok, moderator: .ok,
                  learner: .ok, nonMember: .noWorkspace),
        MatrixRow(.joinedPrivateChannel(.markRead), admin: .forbidden, instructor: .ok, moderator: .ok,
                  learner: .ok, nonMember: .noWorkspace),
    ]

    /// The DM between `leo` and `lia`: nobody else may know it exists, admins included.
    static let directRows: [MatrixRow] = [
        MatrixRow(.directChannel(.listed), admin: .hidden, instructor: .hidden, moderator: .hidden, learner: .hidden,
                  nonMember: .noWorkspace),
        MatrixRow(.directChannel(.read), admin: .noChannel, instructor: .noChannel, moderator: .noChannel,
                  learner: .noChannel, nonMember: .noWorkspace),
        MatrixRow(.directChannel(.members), admin: .noChannel, instructor: .noChannel, moderator: .noChannel,
                  learner: .noChannel, nonMember: .noWorkspace),
        MatrixRow(.directChannel(.history), admin: .noChannel, instructor: .noChannel, moderator: .noChannel,
                  learner: .noChannel, nonMember: .noWorkspace),
        MatrixRow(.directChannel(.thread), admin: .noChannel, instructor: .noChannel, moderator: .noChannel,
                  learner: .noChannel, nonMember: .noWorkspace),
        MatrixRow(.directChannel(.pins), admin: .noChannel, instructor: .noChannel, moderator: .noChannel,
                  learner: .noChannel, nonMember: .noWorkspace),
        MatrixRow(.directChannel(.message), admin: .noChannel, instructor: .noChannel, moderator: .noChannel,
                  learner: .noChannel, nonMember: .noWorkspace),
        MatrixRow(.directChannel(.events), admin: .noChannel, instructor: .noChannel, moderator: .noChannel,
                  learner: .noChannel, nonMember: .noWorkspace),
        MatrixRow(.directChannel(.update), admin: .noChannel, instructor: .noChannel, moderator: .noChannel,
                  learner: .noChannel, nonMember: .noWorkspace),
        MatrixRow(.directChannel(.join), admin: .noChannel, instructor: .noChannel, moderator: .noChannel,
                  learner: .noChannel, nonMember: .noWorkspace),
        MatrixRow(.directChannel(.addMembers), admin: .noChannel, instructor: .noChannel, moderator: .noChannel,
                  learner: .noChannel, nonMember: .noWorkspace),
        MatrixRow(.directChannel(.removeOther), admin: .noChannel, instructor: .noChannel, moderator: .noChannel,
                  learner: .noChannel, nonMember: .noWorkspace),
        MatrixRow(.directChannel(.post), admin: .noChannel, instructor: .noChannel, moderator: .noChannel,
                  learner: .noChannel, nonMember: .noWorkspace),
        MatrixRow(.directChannel(.editOthers), admin: .noChannel, instructor: .noChannel, moderator: .noChannel,
                  learner: .noChannel, nonMember: .noWorkspace),
        MatrixRow(.directChannel(.deleteOthers), admin: .noChannel, instructor: .noChannel, moderator: .noChannel,
                  learner: .noChannel, nonMember: .noWorkspace),
        MatrixRow(.directChannel(.react), admin: .noChannel, instructor: .noChannel, moderator: .noChannel,
                  learner: .noChannel, nonMember: .noWorkspace),
        MatrixRow(.directChannel(.pin), admin: .noChannel, instructor: .noChannel, moderator: .noChannel,
                  learner: .noChannel, nonMember: .noWorkspace),
        MatrixRow(.directChannel(.markRead), admin: .noChannel, instructor: .noChannel, moderator: .noChannel,
                  learner: .noChannel, nonMember: .noWorkspace),
    ]

    /// A DM between the caller and `leo`. Admins cannot open one, so for them it does not exist.
    static let ownDirectRows: [MatrixRow] = [
        MatrixRow(.ownDirectChannel(.read), admin: .noChannel, instructor: .ok, moderator: .ok, learner: .ok,
                  nonMember: .noWorkspace),
        MatrixRow(.ownDirectChannel(.post), admin: .noChannel, instructor: .ok, moderator: .ok, learner: .ok,
                  nonMember: .noWorkspace),
        MatrixRow(.ownDirectChannel(.deleteOthers), admin: .noChannel, instructor: .forbidden, moderator: .forbidden,
                  learner: .forbidden, nonMember: .noWorkspace),
        MatrixRow(.ownDirectChannel(.update), admin: .noChannel, instructor: .forbidden, moderator: .forbidden,
                  learner: .forbidden, nonMember: .noWorkspace),
        MatrixRow(.ownDirectChannel(.addMembers), admin: .noChannel, instructor: .forbidden, moderator: .forbidden,
                  learner: .forbidden, nonMember: .noWorkspace),
        MatrixRow(.ownDirectChannel(.leave), admin: .noChannel, instructor: .directFixed, moderator: .directFixed,
                  learner: .directFixed, nonMember: .noWorkspace),
    ]

    static let rows = workspaceRows + publicRows + privateRows + joinedPrivateRows + directRows + ownDirectRows
    static let cells = rows.flatMap(\.cells)
}

@Suite struct PermissionMatrixTests {
    /// Proves one cell of the permission matrix: the role's attempt ends exactly as the table says.
    @Test(arguments: PermissionMatrix.cells)
    func cell(_ cell: MatrixCell) throws {
        var runner = try MatrixRunner(actor: cell.role.actor)
        let rowsBefore = runner.community.rows.values
        let verdict = try runner.perform(cell.action)
        #expect(verdict == cell.expected)
        if case .refused = verdict, case .publicChannel = cell.action {
            #expect(runner.community.rows.values == rowsBefore, "a refused action changed rows")
        }
    }

    /// Proves the table is complete: five verdicts per row, and no action listed twice.
    @Test func everyRowHasEveryRole() {
        #expect(PermissionMatrix.rows.allSatisfy { $0.verdicts.count == Role.allCases.count })
        #expect(Set(PermissionMatrix.rows.map(\.action)).count == PermissionMatrix.rows.count)
        #expect(PermissionMatrix.cells.count == PermissionMatrix.rows.count * 5)
    }

    /// Proves docs/permissions.md states exactly the tested table, row by row.
    @Test func documentMatchesTable() throws {
        let testFile = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        let document = testFile.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("docs/permissions.md")
        let text = try String(contentsOf: document, encoding: .utf8)
        let documented = text.split(separator: "\n").filter { $0.hasPrefix("| `") }.map(String.init)
        let tested = PermissionMatrix.rows.map(\.markdown)
        for line in tested where !documented.contains(line) {
            Issue.record("docs/permissions.md lacks: \(line)")
        }
        for line in documented where !tested.contains(line) {
            Issue.record("docs/permissions.md states an untested row: \(line)")
        }
    }
}

import Community
import Crypto
import Foundation
import Hummingbird
import Node
import QuadCore

/// The endpoints an LMS calls with a service key (`Authorization: Bearer <key_id>.<secret>`),
/// each scoped to the key's platform: the course's workspace is always derived from the
/// platform in the path and the course's external ID, so a key can reach no other platform.
extension IntegrationRoutes {
    func addServiceRoutes(to router: Router<QuadRequestContext>) {
        let service = router.group("v1/integrations/:platform")
        service.post("courses/:course/enrollments") { request, context in
            try await enroll(request, context).ok
        }
        service.post("courses/:course/unenrollments") { request, context in
            let (platform, actor) = try authenticateService(request, context)
            let body = try await request.decode(as: UnenrollmentRequest.self, context: context)
            guard !body.subjects.isEmpty, body.subjects.count <= Limits.batchMembersMax else {
                throw APIError(.unprocessableContent, "batch_too_large",
                               "Unenroll 1 to \(Limits.batchMembersMax) people per call.")
            }
            let issuer = try issuer(platform, named: body.issuer)
            let workspace = try courseWorkspace(platform, context)
            let users = try body.subjects.map { try user(issuer, subject: $0) }
            let none = UnenrollmentResponse(workspaceId: workspace, removedCount: 0)
            guard try await !workspaceMissing(workspace) else { return none.ok }
            let outcome: IdentityOutcome
            do {
                outcome = try await submit(.removeMembers(workspace: workspace, users: users), actor: actor)
            } catch let error as CommunityError where error.code == "workspace_not_found" {
                return none.ok
            }
            guard case .membersRemoved(let count) = outcome else { preconditionFailure("removeMembers answers with a count") }
            return UnenrollmentResponse(workspaceId: workspace, removedCount: count).ok
        }
        service.put("courses/:course/roster") { request, context in
            let (platform, actor) = try authenticateService(request, context)
            let body = try await request.decode(as: EnrollmentRequest.self, context: context)
            guard body.members.count <= IdentityLimits.rosterMembersMax else {
                throw APIError(.unprocessableContent, "roster_too_large",
                               "A roster holds at most \(IdentityLimits.rosterMembersMax) people.")
            }
            let issuer = try issuer(platform, named: body.issuer)
            let workspace = try await ensureCourse(platform, context, name: body.courseName, actor: actor)
            let specs = try body.members.map { try memberSpec($0, issuer: issuer) }
            guard case .roster(let diff) = try await submit(.reconcileRoster(workspace: workspace, members: specs),
                                                            actor: actor)
            else { preconditionFailure("reconcileRoster answers with a diff") }
            return RosterResponse(workspaceId: workspace, added: diff.added, removed: diff.removed,
                                  roleChanged: diff.roleChanged, unchangedCount: diff.unchangedCount).ok
        }
        service.put("courses/:course/groups/:group") { request, context in
            try await putGroup(request, context).ok
        }
        service.post("webhooks/openedx") { request, context in try await receiveWebhook(request, context).ok }
    }

    private func enroll(_ request: Request, _ context: QuadRequestContext) async throws -> EnrollmentResponse {
        let (platform, actor) = try authenticateService(request, context)
        let body = try await request.decode(as: EnrollmentRequest.self, context: context)
        guard !body.members.isEmpty, body.members.count <= Limits.batchMembersMax else {
            throw APIError(.unprocessableContent, "batch_too_large",
                           "Enroll 1 to \(Limits.batchMembersMax) people per call.")
        }
        let issuer = try issuer(platform, named: body.issuer)
        let specs = try body.members.map { try memberSpec($0, issuer: issuer) }
        let workspace = try await ensureCourse(platform, context, name: body.courseName, actor: actor)
        let outcome = try await node.submit(.putMembers(workspace: workspace, members: specs), actor: actor,
                                            timestampMilliseconds: Int64(Date().timeIntervalSince1970 * 1000)).get()
        guard case .members(let members) = outcome else { preconditionFailure("putMembers answers with members") }
        return EnrollmentResponse(workspaceId: workspace, members: members)
    }

    /// Makes an LMS group's private channel hold exactly the listed people (who must be enrolled).
    private func putGroup(_ request: Request, _ context: QuadRequestContext) async throws -> GroupResponse {
        let (platform, actor) = try authenticateService(request, context)
        let body = try await request.decode(as: GroupRequest.self, context: context)
        guard body.subjects.count <= IdentityLimits.rosterMembersMax else {
            throw APIError(.unprocessableContent, "group_too_large",
                           "A group holds at most \(IdentityLimits.rosterMembersMax) people.")
        }
        guard let raw = context.parameters.get("group"), let key = raw.removingPercentEncoding else {
            throw APIError.invalid("invalid_group", "Name the group in the path.")
        }
        let group = GroupSpec(key: key, name: body.name ?? String(key.prefix(Limits.nameCharactersMax)))
        try Validation.group(group)
        let issuer = try issuer(platform, named: body.issuer)
        let workspace = try courseWorkspace(platform, context)
        let users = try body.subjects.map { try user(issuer, subject: $0) }
        guard case .group(let diff) = try await submit(.putGroupMembers(workspace: workspace, group: group, users: users),
                                                       actor: actor)
        else { preconditionFailure("putGroupMembers answers with a group diff") }
        return GroupResponse(workspaceId: workspace, channelId: diff.channelID, added: diff.added,
                             removed: diff.removed, skipped: diff.skipped)
    }

    // MARK: Service authentication and naming

    /// Checks the service key against its stored hash (in constant time) and returns the
    /// platform and the actor the integration acts as.
    func authenticateService(_ request: Request, _ context: QuadRequestContext) throws -> (PlatformID, Actor) {
        let platform = try platformID(context)
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") else {
            throw APIError.unauthenticated("Send the platform's service key as 'Authorization: Bearer <key>'.")
        }
        let token = header.dropFirst("bearer ".count).trimmingCharacters(in: .whitespaces)
        let parts = token.split(separator: ".", maxSplits: 1)
        guard parts.count == 2, let key = ServiceKeyID(rawValue: String(parts[0])),
              let record = try identity(platform).serviceKey(platform: platform, key: key) else {
            throw APIError.unauthenticated(reason: "service_key_invalid", "The service key is unknown or revoked.")
        }
        let hash = Array(SHA256.hash(data: Data(parts[1].utf8)))
        guard ConstantTime.equal(hash, record.secretSHA256) else {
            throw APIError.unauthenticated(reason: "service_key_invalid", "The service key is unknown or revoked.")
        }
        return (platform, Self.serviceActor(key: key, name: record.name))
    }

    /// The integration acts as an administrator; its reach is bounded by the routes, which only
    /// ever name workspaces derived from its own platform.
    static func serviceActor(key: ServiceKeyID, name: String) -> Actor {
        Actor(userID: UserID(uncheckedRawValue: "svc:" + key.rawValue), displayName: name, isAdmin: true)
    }

    /// The issuer named in a request, or the platform's only one.
    func issuer(_ platform: PlatformID, named name: String?) throws -> IssuerConfiguration {
        let issuers = try identity(platform).issuers(platform: platform)
        if let name {
            guard let found = issuers.first(where: { $0.issuer == name }) else {
                throw APIError.invalid("issuer_not_found", "The platform has no issuer '\(name.prefix(100))'.")
            }
            return found
        }
        guard issuers.count == 1, let only = issuers.first else {
            throw APIError.invalid("issuer_required",
                                   "Name the issuer whose subjects these are (the platform has \(issuers.count)).")
        }
        return only
    }

    func user(_ issuer: IssuerConfiguration, subject: String) throws -> UserID {
        guard !subject.isEmpty, subject.utf8.count <= IdentityLimits.issuerBytesMax else {
            throw APIError.invalid("invalid_subject", "A subject is 1 to \(IdentityLimits.issuerBytesMax) bytes.")
        }
        return UserID.derived(issuer: issuer.issuer, subject: subject)
    }

    func memberSpec(_ input: EnrollmentInput, issuer: IssuerConfiguration) throws -> MemberSpec {
        let name = input.name.flatMap { $0.isEmpty ? nil : String($0.prefix(Limits.nameCharactersMax)) }
        return MemberSpec(userID: try user(issuer, subject: input.subject), role: input.role ?? .learner,
                          displayName: name ?? String(input.subject.prefix(Limits.nameCharactersMax)))
    }

    /// The course key in the path, percent-decoded (`course-v1:Org+CS101+2026` arrives with `%2B`).
    func courseKey(_ context: QuadRequestContext) throws -> String {
        guard let raw = context.parameters.get("course"), let course = raw.removingPercentEncoding else {
            throw APIError.invalid("invalid_course", "Name the course in the path.")
        }
        try Validation.externalID(course)
        return course
    }

    /// Whether `workspace` is known not to exist, read from this node's rows when it holds the
    /// workspace's partition. A node that does not (it holds the platform's, in a cluster of more
    /// nodes than replicas) cannot tell: false, and the write that follows finds out.
    func workspaceMissing(_ workspace: WorkspaceID) async throws -> Bool {
        guard await node.holderAPIAddress(forKey: workspace.rawValue) == nil else { return false }
        return try !identity(forKey: workspace.rawValue).workspaceExists(workspace)
    }

    func courseWorkspace(_ platform: PlatformID, _ context: QuadRequestContext) throws -> WorkspaceID {
        WorkspaceID.derived(platform: platform, externalID: try courseKey(context))
    }

    /// The course's workspace, created with the default channels on first use.
    func ensureCourse(_ platform: PlatformID, _ context: QuadRequestContext, name: String?, actor: Actor)
        async throws -> WorkspaceID {
        let workspace = try courseWorkspace(platform, context)
        return try await ensureCourse(platform, externalID: try courseKey(context), workspace: workspace, name: name,
                                      actor: actor)
    }

    func ensureCourse(_ platform: PlatformID, externalID: String, workspace: WorkspaceID, name: String?,
                      actor: Actor) async throws -> WorkspaceID {
        if try identity(forKey: workspace.rawValue).workspaceExists(workspace) { return workspace }
        var generator = SystemRandomNumberGenerator()
        let templates = ChannelTemplate.allCases
        let title = name.flatMap { $0.isEmpty ? nil : String($0.prefix(Limits.nameCharactersMax)) }
            ?? String(externalID.prefix(Limits.nameCharactersMax))
        let command = CommandBody.createWorkspace(
            workspace: workspace, platform: platform, kind: .course, name: title, externalID: externalID,
            templates: templates, templateChannelIDs: templates.map { _ in ChannelID.random(using: &generator) })
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        switch try await node.submit(command, actor: actor, timestampMilliseconds: now) {
        case .success: return workspace
        case .failure(let error) where error.code == "workspace_exists": return workspace
        case .failure(let error): throw error
        }
    }
}

import Community
import Hummingbird
import MeetingProviders
import QuadCore

/// Platform credentials for Zoom and Webex, and the provider calls around session commands.
/// Order of a provisioned create: check the caller may schedule, create the meeting at the
/// provider, log the command; if the command is refused or fails, delete the meeting again, so a
/// failure anywhere leaves neither a session without a meeting nor a meeting without a session.
extension CommunityRoutes {
    func addMeetingProviderRoutes(to group: RouterGroup<QuadRequestContext>) {
        let path = "platforms/:platform/meeting-providers/:provider"
        group.put(RouterPath(path)) { request, context in
            let (platform, provider) = try platformProvider(context)
            let body = try await request.decode(as: ProviderCredentialsBody.self, context: context)
            try body.validate(for: provider)
            let sealed = try requireProvisioning().seal(body, platform: platform, provider: provider)
            _ = try await submit(.setMeetingProviderCredentials(platform: platform, provider: provider, sealed: sealed),
                                 context)
            return NoContent()
        }
        group.delete(RouterPath(path)) { _, context in
            let (platform, provider) = try platformProvider(context)
            _ = try await submit(.setMeetingProviderCredentials(platform: platform, provider: provider, sealed: nil),
                                 context)
            return NoContent()
        }
    }

    func platformProvider(_ context: QuadRequestContext) throws -> (PlatformID, MeetingProvider) {
        let platform: PlatformID = try identifier(context, "platform", code: "invalid_platform_id")
        guard let raw = context.parameters.get("provider"),
              let provider = MeetingProvider.allCases.first(where: { $0.name == raw }), provider != .link else {
            throw APIError.invalid("invalid_provider", "The provider is zoom or webex.")
        }
        return (platform, provider)
    }

    func requireProvisioning() throws -> MeetingProvisioning {
        guard let provisioning else {
            throw APIError(.serviceUnavailable, "provisioning_unavailable", "This node does not provision meetings.")
        }
        return provisioning
    }

    /// The provider client of the workspace's platform, after checking the caller may schedule.
    /// `scheduling`: creating a session (staff only); edits and deletes were already allowed by the core.
    func providerClient(_ provider: MeetingProvider, workspace: WorkspaceID, scheduling: Bool = true,
                        _ context: QuadRequestContext) async throws -> any MeetingProviderClient {
        let (stored, access) = try await queries(workspace, context).workspace(workspace)
        guard access.canScheduleLiveSessions || !scheduling else {
            throw APIError(.forbidden, "forbidden", "Only instructors, moderators and administrators schedule live sessions.")
        }
        let platform = stored.platformID
        let sealed = try await node.sealedMeetingProviderCredentials(platform, provider, actor: try context.requireActor())
        return try requireProvisioning().client(sealed, platform: platform, provider: provider)
    }

    /// Creates the meeting at the provider, then runs `submit` with the spec completed by it; deletes
    /// the meeting again when `submit` throws.
    func provisioned(_ spec: LiveSessionSpec, workspace: WorkspaceID, _ context: QuadRequestContext,
                     submit: (LiveSessionSpec) async throws -> LiveSessionResponse) async throws -> LiveSessionResponse {
        let client = try await providerClient(spec.provider, workspace: workspace, context)
        let meeting: ProvisionedMeeting
        do throws(ProviderError) {
            meeting = try await client.createMeeting(MeetingRequest(spec))
        } catch {
            throw error.apiError
        }
        var completed = spec
        completed.meetingNumber = meeting.meetingNumber
        completed.joinURL = meeting.joinURL
        completed.hostStartURL = meeting.hostStartURL
        completed.password = meeting.password
        completed.providerMeetingID = meeting.providerMeetingID
        do {
            return try await submit(completed)
        } catch {
            do {
                try await client.deleteMeeting(id: meeting.providerMeetingID)
            } catch let cleanup {
                context.logger.error("provider meeting left behind after a refused session",
                                     metadata: ["meeting": "\(meeting.providerMeetingID)", "error": "\(cleanup)"])
            }
            throw error
        }
    }

    /// An edit of a provisioned session goes to the provider first (a refusal there changes
    /// nothing); the meeting's details carry over into the new spec.
    func followEdit(_ spec: LiveSessionSpec, workspace: WorkspaceID, session: LiveSessionID,
                    _ context: QuadRequestContext) async throws -> LiveSessionSpec {
        let stored = try await queries(workspace, context).liveSession(workspace, session, now: clock.nowMilliseconds())
        guard let meetingID = stored.session.spec.providerMeetingID, stored.session.spec.provider == spec.provider,
              stored.canManage else {
            throw APIError(.conflict, "not_provisioned",
                           "Only a session provisioned at the same provider follows edits there; you must manage it.")
        }
        let internalView = try node.queries(for: workspace, actor: try context.requireActor())
            .liveSessionSecrets(workspace, session)
        let client = try await providerClient(spec.provider, workspace: workspace, scheduling: false, context)
        var updated = spec
        updated.password = spec.password ?? internalView.password
        do throws(ProviderError) {
            try await client.updateMeeting(id: meetingID, MeetingRequest(updated))
        } catch {
            throw error.apiError
        }
        updated.meetingNumber = internalView.meetingNumber
        updated.joinURL = internalView.joinURL
        updated.hostStartURL = internalView.hostStartURL
        updated.providerMeetingID = meetingID
        return updated
    }

    /// After a session is deleted, its provisioned meeting goes too (logged when the provider fails:
    /// the session is gone either way).
    func deleteRemoteMeeting(of session: LiveSession, _ context: QuadRequestContext) async {
        guard let meetingID = session.spec.providerMeetingID else { return }
        do {
            let client = try await providerClient(session.spec.provider, workspace: session.workspaceID, scheduling: false,
                                            context)
            try await client.deleteMeeting(id: meetingID)
        } catch {
            context.logger.error("provider meeting not deleted", metadata: ["meeting": "\(meetingID)", "error": "\(error)"])
        }
    }
}

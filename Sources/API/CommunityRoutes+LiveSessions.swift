import Community
import Foundation
import Hummingbird
import QuadCore

extension CommunityRoutes {
    func addLiveSessionRoutes(to group: RouterGroup<QuadRequestContext>) {
        let sessions = "workspaces/:workspace/sessions"
        group.get(RouterPath(sessions)) { _, context in
            let workspace = try workspaceID(context)
            let now = clock.nowMilliseconds()
            let queries = try await queries(workspace, context)
            let views = try queries.liveSessions(workspace, now: now)
            return LiveSessionsResponse(serverTime: SessionTime.utcText(now),
                                        joinWindowMinutes: try queries.liveSessionJoinWindowMinutes(workspace),
                                        sessions: views.map(LiveSessionBody.init)).ok
        }
        group.post(RouterPath(sessions)) { request, context in
            let (spec, provision) = try await sessionSpec(request, context)
            var generator = SystemRandomNumberGenerator()
            let command = { (spec: LiveSessionSpec) in
                CommandBody.createLiveSession(workspace: try workspaceID(context),
                                              session: LiveSessionID.random(using: &generator), spec: spec)
            }
            guard provision else { return Created(body: try await sessionAnswer(try command(spec), context)) }
            return Created(body: try await provisioned(spec, workspace: try workspaceID(context), context) { spec in
                try await sessionAnswer(try command(spec), context)
            })
        }
        group.get(RouterPath(sessions + "/:session")) { _, context in
            try await currentView(try workspaceID(context), try sessionID(context), context).ok
        }
        group.put(RouterPath(sessions + "/:session")) { request, context in
            var (spec, provision) = try await sessionSpec(request, context)
            let workspace = try workspaceID(context)
            let session = try sessionID(context)
            if provision { spec = try await followEdit(spec, workspace: workspace, session: session, context) }
            return try await sessionAnswer(.updateLiveSession(workspace: workspace, session: session, spec: spec),
                                           context).ok
        }
        group.delete(RouterPath(sessions + "/:session")) { _, context in
            let workspace = try workspaceID(context)
            let stored = try await queries(workspace, context).liveSession(workspace, try sessionID(context),
                                                                     now: clock.nowMilliseconds()).session
            _ = try await submit(.deleteLiveSession(workspace: workspace, session: stored.id), context)
            await deleteRemoteMeeting(of: stored, context)
            return NoContent()
        }
        for (method, cancelled) in [(HTTPRequest.Method.put, true), (.delete, false)] {
            group.on(RouterPath(sessions + "/:session/cancellations/:occurrence"), method: method) { _, context in
                guard let raw = context.parameters.get("occurrence"), let occurrence = ICalendarTime.parseUTC(raw) else {
                    throw APIError.invalid("invalid_occurrence",
                                           "An occurrence is its UTC start as YYYYMMDDTHHMMSSZ (next_occurrence.id).")
                }
                return try await sessionAnswer(.setLiveSessionOccurrenceCancelled(
                    workspace: try workspaceID(context), session: try sessionID(context),
                    occurrenceMilliseconds: occurrence, cancelled: cancelled), context).ok
            }
        }
        group.get("workspaces/:workspace/session-settings") { _, context in
            let workspace = try workspaceID(context)
            return JoinWindowResponse(
                joinWindowMinutes: try await queries(workspace, context).liveSessionJoinWindowMinutes(workspace)).ok
        }
        group.put("workspaces/:workspace/session-settings") { request, context in
            let body = try await request.decode(as: JoinWindowRequest.self, context: context)
            guard case .liveSessionJoinWindow(let minutes) = try await submit(
                .setLiveSessionJoinWindow(workspace: try workspaceID(context), minutes: body.joinWindowMinutes), context)
            else { preconditionFailure("setLiveSessionJoinWindow answers with the window") }
            return JoinWindowResponse(joinWindowMinutes: minutes).ok
        }
    }

    func sessionID(_ context: QuadRequestContext) throws -> LiveSessionID {
        try identifier(context, "session", code: "invalid_session_id")
    }

    /// The request's spec (validated) and whether the meeting is to be provisioned at the provider.
    func sessionSpec(_ request: Request, _ context: QuadRequestContext) async throws -> (LiveSessionSpec, Bool) {
        let body = try await request.decode(as: LiveSessionRequest.self, context: context)
        let spec = try body.spec(caller: try context.requireActor().userID)
        let provision = body.provision ?? false
        if provision && spec.provider == .link {
            throw APIError.invalid("invalid_provider", "Only zoom and webex sessions are provisioned.")
        }
        try validate { () throws(CommunityError) in try Validation.liveSessionSpec(spec) }
        return (spec, provision)
    }

    /// Submits a session command, then answers with the session as the caller now sees it
    /// (the outcome itself holds every secret; the view decides what this caller gets).
    func sessionAnswer(_ command: CommandBody, _ context: QuadRequestContext) async throws -> LiveSessionResponse {
        guard case .liveSession(let session) = try await submit(command, context)
        else { preconditionFailure("live-session commands answer with a session") }
        return try await currentView(session.workspaceID, session.id, context)
    }

    func currentView(_ workspace: WorkspaceID, _ session: LiveSessionID, _ context: QuadRequestContext) async throws
        -> LiveSessionResponse {
        let now = clock.nowMilliseconds()
        let view = try await queries(workspace, context).liveSession(workspace, session, now: now)
        return LiveSessionResponse(serverTime: SessionTime.utcText(now), session: LiveSessionBody(view))
    }
}

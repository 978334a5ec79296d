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
            let queries = try queries(workspace, context)
            let views = try queries.liveSessions(workspace, now: now)
            return LiveSessionsResponse(serverTime: SessionTime.utcText(now),
                                        joinWindowMinutes: try queries.liveSessionJoinWindowMinutes(workspace),
                                        sessions: views.map(LiveSessionBody.init)).ok
        }
        group.post(RouterPath(sessions)) { request, context in
            let spec = try await sessionSpec(request, context)
            var generator = SystemRandomNumberGenerator()
            let id = LiveSessionID.random(using: &generator)
            let answer = try await sessionAnswer(.createLiveSession(workspace: try workspaceID(context), session: id,
                                                                    spec: spec), context)
            return Created(body: answer)
        }
        group.get(RouterPath(sessions + "/:session")) { _, context in
            try currentView(try workspaceID(context), try sessionID(context), context).ok
        }
        group.put(RouterPath(sessions + "/:session")) { request, context in
            let spec = try await sessionSpec(request, context)
            return try await sessionAnswer(.updateLiveSession(workspace: try workspaceID(context),
                                                              session: try sessionID(context), spec: spec), context).ok
        }
        group.delete(RouterPath(sessions + "/:session")) { _, context in
            _ = try await submit(.deleteLiveSession(workspace: try workspaceID(context), session: try sessionID(context)),
                                 context)
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
                joinWindowMinutes: try queries(workspace, context).liveSessionJoinWindowMinutes(workspace)).ok
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

    func sessionSpec(_ request: Request, _ context: QuadRequestContext) async throws -> LiveSessionSpec {
        let body = try await request.decode(as: LiveSessionRequest.self, context: context)
        let spec = try body.spec(caller: try context.requireActor().userID)
        try validate { () throws(CommunityError) in try Validation.liveSessionSpec(spec) }
        return spec
    }

    /// Submits a session command, then answers with the session as the caller now sees it
    /// (the outcome itself holds every secret; the view decides what this caller gets).
    func sessionAnswer(_ command: CommandBody, _ context: QuadRequestContext) async throws -> LiveSessionResponse {
        guard case .liveSession(let session) = try await submit(command, context)
        else { preconditionFailure("live-session commands answer with a session") }
        return try currentView(session.workspaceID, session.id, context)
    }

    func currentView(_ workspace: WorkspaceID, _ session: LiveSessionID, _ context: QuadRequestContext) throws
        -> LiveSessionResponse {
        let now = clock.nowMilliseconds()
        let view = try queries(workspace, context).liveSession(workspace, session, now: now)
        return LiveSessionResponse(serverTime: SessionTime.utcText(now), session: LiveSessionBody(view))
    }
}

import Community
import Foundation
import Hummingbird
import Node
import QuadCore

/// The Open edX webhook receiver: authenticated by the platform's webhook secret, each event
/// becomes one enrollment fact applied in the course's partition.
extension IntegrationRoutes {
    /// The issuer whose usernames webhook events carry: the platform's issuer that uses
    /// `preferred_username`, or its only issuer.
    func webhookIssuer(_ platform: PlatformID) throws -> IssuerConfiguration {
        let issuers = try identity(platform).issuers(platform: platform)
        if let byUsername = issuers.first(where: { $0.subjectClaim == .preferredUsername }) { return byUsername }
        guard issuers.count == 1, let only = issuers.first else {
            throw APIError(.conflict, "issuer_required",
                           "Configure one issuer with subject_claim 'preferred_username' to receive webhooks.")
        }
        return only
    }

    private func header(_ request: Request, _ name: String) -> String? {
        request.headers.first { $0.name.canonicalName == name.lowercased() }?.value
    }

    func receiveWebhook(_ request: Request, _ context: QuadRequestContext) async throws -> WebhookResponse {
        let platform = try platformID(context)
        guard let secret = try identity(platform).webhookSecret(platform: platform) else {
            throw APIError.unauthenticated(reason: "webhook_not_configured", "This platform has no webhook secret.")
        }
        let buffer = try await request.body.collect(upTo: Limits.requestBodyBytesMax)
        let body = Array(buffer.readableBytesView)
        try WebhookSignature.verify(
            secret: secret, timestamp: header(request, WebhookSignature.timestampHeader),
            signature: header(request, WebhookSignature.signatureHeader), body: body, now: Date())
        let event = try QuadJSON.decode(OpenEdxEvent.self, from: Data(body))
        if let cohort = try event.cohortFact() { return try await apply(cohort, event: event, platform: platform) }
        guard let fact = try event.fact() else { return WebhookResponse(eventType: event.eventType, result: "ignored") }
        try Validation.externalID(fact.courseKey)
        let issuer = try webhookIssuer(platform)
        let actor = Self.webhookActor
        let workspace = WorkspaceID.derived(platform: platform, externalID: fact.courseKey)
        let member = MemberSpec(userID: try user(issuer, subject: fact.username), role: fact.role,
                                displayName: String((fact.name.flatMap { $0.isEmpty ? nil : $0 } ?? fact.username)
                                    .prefix(Limits.nameCharactersMax)))
        if fact.enrolled {
            _ = try await ensureCourse(platform, externalID: fact.courseKey, workspace: workspace,
                                       name: fact.courseName, actor: actor)
        } else if try await workspaceMissing(workspace) {
            return WebhookResponse(eventType: event.eventType, result: "stale")
        }
        let command = IdentityCommand.enrollmentEvent(workspace: workspace, member: member, enrolled: fact.enrolled,
                                                      setsRole: fact.setsRole,
                                                      eventTimeMilliseconds: fact.eventTimeMilliseconds)
        let outcome: IdentityOutcome
        do {
            outcome = try await submit(command, actor: actor)
        } catch let error as CommunityError where !fact.enrolled && error.code == "workspace_not_found" {
            // Unenrolled from a course Quad never saw (checked by the write on a node without its partition).
            return WebhookResponse(eventType: event.eventType, result: "stale")
        }
        guard case .enrollment(let applied) = outcome else { preconditionFailure("enrollment events answer with enrollment") }
        return WebhookResponse(eventType: event.eventType, result: applied ? "applied" : "stale")
    }

    static let webhookActor = serviceActor(key: ServiceKeyID(uncheckedRawValue: "webhook"), name: "Open edX webhook")

    /// Moves the learner into the cohort's private channel (and out of their previous cohort's).
    private func apply(_ fact: OpenEdxEvent.CohortFact, event: OpenEdxEvent, platform: PlatformID)
        async throws -> WebhookResponse {
        try Validation.externalID(fact.courseKey)
        try Validation.group(fact.group)
        let issuer = try webhookIssuer(platform)
        let workspace = WorkspaceID.derived(platform: platform, externalID: fact.courseKey)
        _ = try await ensureCourse(platform, externalID: fact.courseKey, workspace: workspace, name: fact.courseName,
                                   actor: Self.webhookActor)
        let command = IdentityCommand.cohortEvent(workspace: workspace, user: try user(issuer, subject: fact.username),
                                                  group: fact.group, eventTimeMilliseconds: fact.eventTimeMilliseconds)
        guard case .enrollment(let applied) = try await submit(command, actor: Self.webhookActor) else {
            preconditionFailure("cohort events answer with enrollment")
        }
        return WebhookResponse(eventType: event.eventType, result: applied ? "applied" : "stale")
    }
}

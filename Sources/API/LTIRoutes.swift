import Community
import Foundation
import Hummingbird
import JWTKit
import Node
import QuadCore

/// LTI 1.3: Quad as a tool an LMS launches. OIDC third-party login initiation (`/lti/login`),
/// the launch (`/lti/launch`, form_post), the tool's JWKS, and platform registrations.
struct LTIRoutes: Sendable {
    let node: CommunityNode
    let singleSignOn: SingleSignOn
    /// Session tokens, login states and the tool key, the same on every node of the cluster.
    /// Nil only in routers built without sign-in (documentation tests): LTI then answers 503.
    let sessions: SessionKeys?
    let integrations: IntegrationRoutes

    func addRoutes(to router: Router<QuadRequestContext>, administration: RouterGroup<QuadRequestContext>) {
        router.get("lti/login") { request, _ in try await login(FormParameters.parse(request.uri.query ?? "")) }
        router.post("lti/login") { request, _ in try await login(try await form(request)) }
        router.post("lti/launch") { request, context in
            try LTIRoutes.answer(try await launch(try await form(request)), to: request, context: context)
        }
        router.get("lti/jwks") { _, _ in try jwks() }
        administration.put("platforms/:platform/lti-registrations") { request, context in
            let platform = try integrations.requireAdmin(context)
            let body = try await request.decode(as: LTIRegistrationBody.self, context: context)
            let registration = LTIRegistration(platform: platform, issuer: body.issuer, clientID: body.clientId,
                                               deploymentIDs: body.deploymentIds, authLoginURL: body.authLoginUrl,
                                               jwksURL: body.jwksUrl)
            _ = try await integrations.submit(.putLTIRegistration(registration), context)
            await singleSignOn.directory.invalidate()
            return body.ok
        }
    }

    private func form(_ request: Request) async throws -> [String: String] {
        let body = try await request.body.collect(upTo: Limits.requestBodyBytesMax)
        return FormParameters.parse(String(buffer: body))
    }

    private func keys() throws -> SessionKeys {
        guard let sessions else {
            throw APIError(.serviceUnavailable, "sessions_unavailable", "This node does not issue sessions.")
        }
        return sessions
    }

    /// Step 1: the LMS sends the browser here; Quad gives it a signed state naming a single-use
    /// nonce and sends it to the LMS's authorization endpoint.
    func login(_ parameters: [String: String]) async throws -> Response {
        guard let issuer = parameters["iss"], let loginHint = parameters["login_hint"],
              let target = parameters["target_link_uri"] else {
            throw APIError.invalid("lti_login_incomplete", "An LTI login needs iss, login_hint and target_link_uri.")
        }
        guard let registration = try await singleSignOn.directory
            .registrations(issuer: issuer, clientID: parameters["client_id"]).first else {
            throw APIError.unauthenticated(reason: "lti_platform_unknown", "No platform registration for this issuer and client.")
        }
        let (state, nonce) = try await keys().loginStates.begin(registration)
        var query = [("scope", "openid"), ("response_type", "id_token"), ("response_mode", "form_post"),
                     ("prompt", "none"), ("client_id", registration.clientID), ("redirect_uri", target),
                     ("login_hint", loginHint), ("state", state), ("nonce", nonce)]
        if let hint = parameters["lti_message_hint"] { query.append(("lti_message_hint", hint)) }
        guard var components = URLComponents(string: registration.authLoginURL) else {
            throw APIError(.internalServerError, "lti_bad_auth_url", "The registration's auth_login_url is not a URL.")
        }
        let existing = components.queryItems ?? []
        components.queryItems = existing + query.map { URLQueryItem(name: $0.0, value: $0.1) }
        guard let location = components.string else {
            throw APIError(.internalServerError, "lti_bad_auth_url", "The registration's auth_login_url is not a URL.")
        }
        return Response(status: .found, headers: [.location: location])
    }

    /// Step 2: the LMS posts the id_token; Quad verifies it, puts the person in the course's
    /// workspace with their LTI role, and signs them in.
    func launch(_ parameters: [String: String]) async throws -> LTILaunchResponse {
        guard let token = parameters["id_token"], let state = parameters["state"] else {
            throw APIError.invalid("lti_launch_incomplete", "An LTI launch posts id_token and state.")
        }
        let login = try await keys().loginStates.verify(state)
        guard let platform = PlatformID(rawValue: login.platform),
              let registration = try await singleSignOn.directory
                .registration(platform: platform, issuer: login.lms, clientID: login.clientID) else {
            throw APIError.unauthenticated(reason: "lti_platform_unknown", "The login's platform registration is gone.")
        }
        let launch: LTIClaims.Launch
        do {
            let inspection = try TokenInspection(token: token)
            guard inspection.issuer == registration.issuer else { throw TokenRejection.unknownIssuer }
            let claims = try await singleSignOn.verifiedClaims(token, inspection, registration.issuerConfiguration,
                                                               as: LTIClaims.self)
            launch = try claims.check(registration, nonce: login.nonce, now: Date())
        } catch let rejection as TokenRejection {
            throw rejection.apiError
        }
        try await relayUnlessHeld(WorkspaceID.derived(platform: platform, externalID: launch.contextID))
        try await spend(login, platform: platform)
        return try await signIn(launch, registration: registration)
    }

    /// Spends the login's nonce in the platform's partition: a second launch of the same login,
    /// on this node or any other, is refused.
    private func spend(_ login: LTILoginState, platform: PlatformID) async throws {
        let expires = Int64(login.exp.value.timeIntervalSince1970 * 1000)
        do {
            _ = try await integrations.submit(.consumeLTINonce(platform: platform, nonce: login.nonce,
                                                               expiresAtMilliseconds: expires),
                                              actor: Self.launchActor)
        } catch let error as CommunityError where error.code == "lti_nonce_used" || error.code == "lti_nonce_expired" {
            throw APIError.unauthenticated(reason: "lti_state_invalid", "The login state is unknown, used or expired.")
        }
    }

    static let launchActor = IntegrationRoutes.serviceActor(key: ServiceKeyID(uncheckedRawValue: "lti"),
                                                            name: "LTI launch")

    private func signIn(_ launch: LTIClaims.Launch, registration: LTIRegistration) async throws -> LTILaunchResponse {
        let user = UserID.derived(issuer: registration.issuer, subject: launch.subject)
        let name = String((launch.name.flatMap { $0.isEmpty ? nil : $0 } ?? launch.subject).prefix(Limits.nameCharactersMax))
        let service = Self.launchActor
        let workspace = WorkspaceID.derived(platform: registration.platform, externalID: launch.contextID)
        _ = try await integrations.ensureCourse(registration.platform, externalID: launch.contextID,
                                                workspace: workspace, name: launch.contextTitle, actor: service)
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        _ = try await node.submit(.putMembers(workspace: workspace,
                                              members: [MemberSpec(userID: user, role: launch.role, displayName: name)]),
                                  actor: service, timestampMilliseconds: now).get()
        let actor = Actor(userID: user, displayName: name, isAdmin: false)
        var channel: ChannelID?
        if let slug = launch.channelSlug {
            try await node.readBarrier(forKey: workspace.rawValue)
            channel = try node.queries(for: workspace, actor: actor).channel(workspace, slug: slug)?.channel.id
        }
        return LTILaunchResponse(token: try await keys().tokens.issue(for: actor), userId: user,
                                 workspaceId: workspace, channelId: channel, role: launch.role.name)
    }

    /// Serves the launch where the course's workspace lives: a node that holds no replica of it
    /// (a cluster of more nodes than replicas) refuses with `notHeld` before it writes anything,
    /// and `PartitionRoutingMiddleware` relays the whole launch to one that does. There the
    /// workspace check and the deep-linked channel read the course's own rows.
    private func relayUnlessHeld(_ workspace: WorkspaceID) async throws {
        guard await node.holderAPIAddress(forKey: workspace.rawValue) != nil else { return }
        let partition = node.placement.partition(ofKey: workspace.rawValue)
        throw NodeError(.notHeld, "This node holds no replica of \(partition).", partition: partition)
    }

    private func jwks() throws -> Response {
        guard let parameters = try keys().toolKey.parameters else {
            throw APIError(.internalServerError, "tool_key_unavailable", "The tool key has no public parameters.")
        }
        let document = #"{"keys":[{"kty":"EC","crv":"P-256","alg":"ES256","use":"sig","kid":"quad-tool","x":"\#(parameters.x)","y":"\#(parameters.y)"}]}"#
        return Response(status: .ok, headers: [.contentType: "application/json"],
                        body: .init(byteBuffer: ByteBuffer(string: document)))
    }
}

/// `PUT /v1/platforms/{platform}/lti-registrations`, answered with what was stored.
struct LTIRegistrationBody: Codable, Sendable {
    var issuer: String
    var clientId: String
    var deploymentIds: [String]
    var authLoginUrl: String
    var jwksUrl: String
}

/// A signed-in learner after a launch: the session token and where to land.
struct LTILaunchResponse: Encodable, Sendable {
    /// Send as `Authorization: Bearer <token>`; valid for eight hours on every node.
    var token: String
    var userId: UserID
    var workspaceId: WorkspaceID
    /// The deep-linked channel (the launch's custom `channel` slug), when it exists and the
    /// person may see it; otherwise the client lands in the workspace.
    var channelId: ChannelID?
    var role: String
}

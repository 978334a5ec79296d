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
    /// Nil only in routers built without sign-in (documentation tests): launches then answer 503.
    let sessions: SessionTokens?
    let integrations: IntegrationRoutes
    let states = LTILaunchStates()
    /// The tool's own signing key, made when the node starts (Quad signs no LTI messages yet:
    /// the key set is published so platforms can register it).
    let toolKey = ES256PrivateKey()
    /// Registrations read per partition when a login names an issuer.
    static let registrationsPerPartitionMax = 1024

    func addRoutes(to router: Router<QuadRequestContext>, administration: RouterGroup<QuadRequestContext>) {
        router.get("lti/login") { request, _ in try await login(FormParameters.parse(request.uri.query ?? "")) }
        router.post("lti/login") { request, _ in try await login(try await form(request)) }
        router.post("lti/launch") { request, _ in try await launch(try await form(request)).ok }
        router.get("lti/jwks") { _, _ in try jwks() }
        administration.put("platforms/:platform/lti-registrations") { request, context in
            let platform = try integrations.requireAdmin(context)
            let body = try await request.decode(as: LTIRegistrationBody.self, context: context)
            let registration = LTIRegistration(platform: platform, issuer: body.issuer, clientID: body.clientId,
                                               deploymentIDs: body.deploymentIds, authLoginURL: body.authLoginUrl,
                                               jwksURL: body.jwksUrl)
            _ = try await integrations.submit(.putLTIRegistration(registration), context)
            return body.ok
        }
    }

    private func form(_ request: Request) async throws -> [String: String] {
        let body = try await request.body.collect(upTo: Limits.requestBodyBytesMax)
        return FormParameters.parse(String(buffer: body))
    }

    /// Step 1: the LMS sends the browser here; Quad remembers a state and a single-use nonce and
    /// sends the browser to the LMS's authorization endpoint.
    func login(_ parameters: [String: String]) async throws -> Response {
        guard let issuer = parameters["iss"], let loginHint = parameters["login_hint"],
              let target = parameters["target_link_uri"] else {
            throw APIError.invalid("lti_login_incomplete", "An LTI login needs iss, login_hint and target_link_uri.")
        }
        let clientID = parameters["client_id"]
        guard let registration = try registrations(issuer: issuer).first(where: { clientID == nil || $0.clientID == clientID })
        else {
            throw APIError.unauthenticated(reason: "lti_platform_unknown", "No platform registration for this issuer and client.")
        }
        let (state, nonce) = try await states.begin(registration)
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
        guard let pending = await states.take(state) else {
            throw APIError.unauthenticated(reason: "lti_state_invalid", "The login state is unknown, used or expired.")
        }
        let registration = pending.registration
        let launch: LTIClaims.Launch
        do {
            let inspection = try TokenInspection(token: token)
            guard inspection.issuer == registration.issuer else { throw TokenRejection.unknownIssuer }
            let claims = try await singleSignOn.verifiedClaims(token, inspection, registration.issuerConfiguration,
                                                               as: LTIClaims.self)
            launch = try claims.check(registration, nonce: pending.nonce, now: Date())
        } catch let rejection as TokenRejection {
            throw rejection.apiError
        }
        return try await signIn(launch, registration: registration)
    }

    private func signIn(_ launch: LTIClaims.Launch, registration: LTIRegistration) async throws -> LTILaunchResponse {
        let user = UserID.derived(issuer: registration.issuer, subject: launch.subject)
        let name = String((launch.name.flatMap { $0.isEmpty ? nil : $0 } ?? launch.subject).prefix(Limits.nameCharactersMax))
        let service = IntegrationRoutes.serviceActor(key: ServiceKeyID(uncheckedRawValue: "lti"), name: "LTI launch")
        let workspace = WorkspaceID.derived(platform: registration.platform, externalID: launch.contextID)
        _ = try await integrations.ensureCourse(registration.platform, externalID: launch.contextID,
                                                workspace: workspace, name: launch.contextTitle, actor: service)
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        _ = try await node.submit(.putMembers(workspace: workspace,
                                              members: [MemberSpec(userID: user, role: launch.role, displayName: name)]),
                                  actor: service, timestampMilliseconds: now).get()
        let actor = Actor(userID: user, displayName: name, isAdmin: false)
        guard let sessions else {
            throw APIError(.serviceUnavailable, "sessions_unavailable", "This node does not issue sessions.")
        }
        return LTILaunchResponse(token: try await sessions.issue(for: actor), userId: user, workspaceId: workspace,
                                 role: launch.role.name)
    }

    /// Registrations whose issuer is `issuer`, from every partition.
    private func registrations(issuer: String) throws -> [LTIRegistration] {
        var found: [LTIRegistration] = []
        for raw in 0..<node.placement.partitionCount {
            let reader = PartitionRowReader(database: node.database, partition: PartitionID(raw))
            found += try IdentityQueries(reader: reader).allLTIRegistrations(limit: Self.registrationsPerPartitionMax)
                .filter { $0.issuer == issuer }
        }
        return found
    }

    private func jwks() throws -> Response {
        guard let parameters = toolKey.parameters else {
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
    /// Send as `Authorization: Bearer <token>`; valid for eight hours on this node.
    var token: String
    var userId: UserID
    var workspaceId: WorkspaceID
    var role: String
}

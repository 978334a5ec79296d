public import Hummingbird
public import Logging
public import Node
import Foundation
import HummingbirdWebSocket
import MeetingProviders
import QuadCore
import WebClient

/// How the HTTP API of one node is served.
public struct APIConfiguration: Sendable {
    public var host: String
    public var port: Int
    /// Accept development tokens signed with the data directory's `dev-signin.key`.
    /// Off unless asked for: it lets anyone who can read the data directory sign in as anyone.
    public var developmentSignin: Bool
    /// Key-set caching and refresh of single sign-on.
    public var singleSignOn: SingleSignOnOptions
    /// The node's metrics in Prometheus text format, served at `/metrics` (nil: 404).
    public var metricsExposition: (@Sendable () -> String)?

    public init(host: String = "127.0.0.1", port: Int = 8080, developmentSignin: Bool = false,
                singleSignOn: SingleSignOnOptions = SingleSignOnOptions(),
                metricsExposition: (@Sendable () -> String)? = nil) {
        self.host = host
        self.port = port
        self.developmentSignin = developmentSignin
        self.singleSignOn = singleSignOn
        self.metricsExposition = metricsExposition
    }
}

/// Builds the node's HTTP application: REST under `/v1`, the event WebSocket, `/health`
/// and the OpenAPI document.
public enum QuadAPI {
    /// Frames larger than this are refused by the WebSocket layer: clients only send pings.
    static let webSocketFrameBytesMax = 64 * 1024

    public static func makeApplication(
        node: CommunityNode, configuration: APIConfiguration, logger: Logger,
        clock: any WallClock = SystemWallClock(),
        meetingProviders: MeetingProviderFactory = .live,
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) async throws -> some ApplicationProtocol {
        let singleSignOn = SingleSignOn(node: node, options: configuration.singleSignOn, logger: logger)
        var verifier = TokenVerifier.singleSignOn(singleSignOn)
        if configuration.developmentSignin {
            let key = try NodeKeyFile.developmentSignin.loadOrCreate(dataDirectory: node.configuration.dataDirectory)
            verifier = await TokenVerifier.development(key: key, singleSignOn: singleSignOn)
            logger.warning("development sign-in is ON: tokens from `quadctl dev-token` are accepted")
        }
        let dataDirectory = node.configuration.dataDirectory
        let sessions = try await SessionKeys.derive(from: try NodeKeyFile.sessions.loadOrCreate(dataDirectory: dataDirectory))
        verifier.sessions = sessions.tokens
        let key = try NodeKeyFile.providerCredentials.loadOrCreate(dataDirectory: dataDirectory)
        let provisioning = MeetingProvisioning(sealer: CredentialSealer(key: key), factory: meetingProviders)

        return Application(
            router: makeRouter(node: node, verifier: verifier, sessions: sessions, clock: clock,
                               provisioning: provisioning, metrics: configuration.metricsExposition, logger: logger),
            server: .http1WebSocketUpgrade(
                webSocketRouter: makeWebSocketRouter(node: node, verifier: verifier),
                configuration: .init(ws: .init(maxFrameSize: webSocketFrameBytesMax))),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port),
                                 serverName: "quad"),
            services: [LiveSessionReminders(node: node, clock: clock, logger: logger)],
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? configuration.port) },
            logger: logger)
    }

    /// The routes that upgrade to a WebSocket: the event stream.
    static func makeWebSocketRouter(node: CommunityNode, verifier: TokenVerifier?) -> Router<QuadRequestContext> {
        let router = Router(context: QuadRequestContext.self)
        router.middlewares.add(ErrorMiddleware())
        router.middlewares.add(AuthenticationMiddleware(verifier: verifier))
        let socket = EventSocket(node: node)
        // hummingbird-websocket 2.8.1 keeps the upgrade handler in a box inside the request context
        // that the box's own value holds: a reference cycle that outlives the connection. The handler
        // it keeps therefore holds the node weakly, or every connection would keep the node (and its
        // database) alive after it stopped.
        router.ws("/v1/workspaces/:workspace/events") { request, context in
            try await socket.shouldUpgrade(request, context)
        } onUpgrade: { [weak node] inbound, outbound, context in
            guard let node else { return }
            try await EventSocket(node: node).run(inbound: inbound, outbound: outbound, context: context)
        }
        return router
    }

    /// The plain HTTP routes: REST under `/v1`, `/health` and the OpenAPI document.
    static func makeRouter(node: CommunityNode, verifier: TokenVerifier?, sessions: SessionKeys? = nil,
                           clock: any WallClock = SystemWallClock(),
                           provisioning: MeetingProvisioning? = nil,
                           metrics: (@Sendable () -> String)? = nil,
                           logger: Logger = Logger(label: "quad")) -> Router<QuadRequestContext> {

        let router = Router(context: QuadRequestContext.self)
        router.middlewares.add(ErrorMiddleware())
        router.middlewares.add(PartitionRoutingMiddleware(node: node))
        router.get("health") { _, _ in HealthResponse(status: "ok", node: node.configuration.nodeID.rawValue).ok }
        router.get("v1/openapi.yaml") { _, _ in try OpenAPIDocument.response() }
        // The browser client at `/` (docs/web-client.md); its assets are part of the build.
        switch WebClient.bundled {
        case .success(let client): client.addRoutes(to: router, logger: logger)
        case .failure(let error): preconditionFailure("\(error)")
        }
        DevelopmentSigninRoutes(keys: verifier?.keys).add(to: router)
        // Unauthenticated, like /health: Prometheus scrapes it from the operators' network.
        router.get("metrics") { _, _ in
            guard let metrics else { throw APIError(.notFound, "metrics_disabled", "This node does not export metrics.") }
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: metrics())))
        }
        let routes = CommunityRoutes(node: node, clock: clock, provisioning: provisioning)
        let v1 = router.group("v1").add(middleware: AuthenticationMiddleware(verifier: verifier))
        routes.addWorkspaceRoutes(to: v1)
        routes.addChannelRoutes(to: v1)
        routes.addMessageRoutes(to: v1)
        AdminRoutes(node: node).add(to: v1)
        let integrations = IntegrationRoutes(node: node, singleSignOn: verifier?.singleSignOn)
        integrations.addAdministrationRoutes(to: v1)
        integrations.addServiceRoutes(to: router)
        let singleSignOn = verifier?.singleSignOn ?? SingleSignOn(node: node, logger: Logger(label: "quad.sso"))
        LTIRoutes(node: node, singleSignOn: singleSignOn, sessions: sessions, integrations: integrations)
            .addRoutes(to: router, administration: v1)
        routes.addLiveSessionRoutes(to: v1)
        routes.addCalendarFeedRoutes(to: v1)
        routes.addMeetingProviderRoutes(to: v1)
        routes.addPublicCalendarFeedRoute(to: router)

        return router
    }
}

struct HealthResponse: Encodable, Sendable {
    var status: String
    var node: UInt64
}

/// The OpenAPI 3.1 description of this API, shipped as a resource and served as is.
enum OpenAPIDocument {
    static func text() throws -> String {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "yaml") else {
            throw APIError(.internalServerError, "missing_openapi", "The OpenAPI document is not bundled.")
        }
        return try String(contentsOf: url, encoding: .utf8)
    }

    static func response() throws -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/yaml; charset=utf-8"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: try text())))
    }
}

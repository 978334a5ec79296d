import AsyncHTTPClient
import Foundation
import Hummingbird
import HummingbirdCore
import HTTPTypes
import NIOCore
import NIOPosix
import Node
import QuadCore

/// Sends a request about a workspace or platform whose partition this node holds no replica of
/// to a node that does (in a cluster of more nodes than replicas), and relays the answer: so
/// every endpoint works against any node. One hop: a forwarded request is never sent on again.
///
/// The request goes over HTTP to the holder's API address from the member table, with every
/// header (the caller's token included: every node verifies the same tokens) and the body.
struct PartitionRoutingMiddleware: RouterMiddleware {
    typealias Context = QuadRequestContext
    let node: CommunityNode

    /// Marks a forwarded request; its value is the forwarding node's ID.
    static let forwardedHeader = HTTPField.Name("Quad-Forwarded-By")!
    /// How long the holder may take to answer.
    static let timeout: TimeAmount = .seconds(15)
    /// How long connecting to a holder may take before the next one is tried.
    static let connectTimeout: TimeAmount = .seconds(1)
    /// Holders tried per request: every replica at the largest replication factor.
    static let relayAttemptsMax = 5
    /// The relays' own client: unlike the shared one, it does not keep retrying a holder it cannot
    /// connect to until the request's deadline (15 s for a node that was just killed), it fails at
    /// once, so the next holder is tried. Lives as long as the process, like `HTTPClient.shared`.
    static let client: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: connectTimeout)
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: configuration)
    }()
    /// Largest body relayed either way: the API's own request bound, and 16 MiB for answers
    /// (a history page or roster is far smaller).
    static let requestBytesMax = 1 << 20
    static let responseBytesMax = 16 << 20
    /// Headers that belong to one connection, not to the request (RFC 9110 §7.6.1).
    static let hopByHop: Set<HTTPField.Name> = [.connection, .transferEncoding, .contentLength, .te, .upgrade,
                                                .proxyAuthorization, .proxyAuthenticate]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response {
        // A single node holds every partition; a relayed request is never relayed again.
        guard node.replicas != nil, request.headers[Self.forwardedHeader] == nil else {
            return try await next(request, context)
        }
        if let key = Self.placementKey(request.uri) {
            let holders = await node.holderAPIAddresses(of: node.placement.partition(ofKey: key))
            if !holders.isEmpty {
                return try await relay(request, body: try await request.body.collect(upTo: Self.requestBytesMax), to: holders)
            }
        }
        // Other requests name their partition in the body or reach several (an LMS creating a
        // workspace of a platform held elsewhere): served here, unless a read finds its partition
        // held elsewhere. Handlers read before they write, so relaying then repeats no write.
        let body = try await request.body.collect(upTo: Self.requestBytesMax)
        var buffered = request
        buffered.body = .init(buffer: body)
        do {
            return try await next(buffered, context)
        } catch let error as NodeError where error.code == .notHeld {
            guard let partition = error.partition else { throw error }
            let holders = await node.holderAPIAddresses(of: partition)
            guard !holders.isEmpty else { throw error }
            return try await relay(request, body: body, to: holders)
        }
    }

    /// The workspace, platform or (for a calendar feed) user a request is about, from its path
    /// (nil: not partition-scoped).
    static func placementKey(_ uri: HummingbirdCore.URI) -> String? {
        let parts = uri.path.split(separator: "/", omittingEmptySubsequences: true)
        guard parts.count >= 3, parts[0] == "v1" else { return nil }
        switch parts[1] {
        case "workspaces" where parts[2] == "lookup":
            guard let platform = uri.queryParameters.get("platform_id").flatMap(PlatformID.init(rawValue:)),
                  let external = uri.queryParameters.get("external_id") else { return nil }
            return WorkspaceID.derived(platform: platform, externalID: external).rawValue
        case "workspaces": return WorkspaceID(rawValue: String(parts[2]))?.rawValue
        case "platforms", "integrations": return PlatformID(rawValue: String(parts[2]))?.rawValue
        // A per-user calendar feed: its token digest is in the user's partition.
        case "calendar-feeds": return UserID(rawValue: String(parts[2]))?.rawValue
        default: return nil
        }
    }

    /// Relays to the first of `holders` (live ones come first) that accepts a connection. A holder
    /// that refused or did not accept one was sent nothing, so trying the next repeats nothing; any
    /// other failure (the request may have reached the holder) ends the relay with a 503.
    private func relay(_ request: Request, body: ByteBuffer, to holders: [String]) async throws -> Response {
        for holder in holders.prefix(Self.relayAttemptsMax) {
            do {
                return try await forward(request, body: body, to: holder)
            } catch let failure as RelayFailure {
                guard failure.notConnected else { break }
            }
        }
        var refusal = APIError(.serviceUnavailable, "unavailable",
                               "The node that holds this workspace cannot be reached right now; retry shortly.")
        refusal.retryAfterSeconds = 1
        throw refusal
    }

    /// Why a relay to one holder failed: `notConnected` when no connection was made.
    private struct RelayFailure: Error {
        let notConnected: Bool

        init(_ error: any Error) {
            switch error {
            case is NIOConnectionError: notConnected = true
            case let error as HTTPClientError: notConnected = error == .connectTimeout
            case let error as IOError: notConnected = error.errnoCode == ECONNREFUSED
            case ChannelError.connectTimeout: notConnected = true
            default: notConnected = false
            }
        }
    }

    private func forward(_ request: Request, body: ByteBuffer, to holder: String) async throws -> Response {
        var outbound = HTTPClientRequest(url: holder + (request.uri.description.hasPrefix("/") ? "" : "/") + request.uri.description)
        outbound.method = .init(rawValue: request.method.rawValue)
        for field in request.headers where !Self.hopByHop.contains(field.name) {
            outbound.headers.add(name: field.name.rawName, value: field.value)
        }
        outbound.headers.add(name: Self.forwardedHeader.rawName, value: "\(node.configuration.nodeID.rawValue)")
        if body.readableBytes > 0 { outbound.body = .bytes(body) }
        let answer: HTTPClientResponse
        let bytes: ByteBuffer
        do {
            answer = try await Self.client.execute(outbound, timeout: Self.timeout)
            bytes = try await answer.body.collect(upTo: Self.responseBytesMax)
        } catch {
            throw RelayFailure(error)
        }
        var headers = HTTPFields()
        for header in answer.headers {
            guard let name = HTTPField.Name(header.name), !Self.hopByHop.contains(name) else { continue }
            headers.append(HTTPField(name: name, value: header.value))
        }
        return Response(status: .init(code: Int(answer.status.code), reasonPhrase: answer.status.reasonPhrase),
                        headers: headers, body: .init(byteBuffer: bytes))
    }
}

import AsyncHTTPClient
import Foundation
import JWTKit
import Logging
import NIOCore
import QuadCore

/// Tuning of key-set fetching.
public struct SingleSignOnOptions: Sendable {
    /// How long a fetched key set is used before it is fetched again (unless a token names an
    /// unknown kid first). An hour is what OIDC providers announce in their cache headers.
    public var keySetLifetime: Duration = .seconds(3600)
    /// Least time between two fetches of one key set: a stream of tokens with made-up kids must
    /// not turn Quad into a load generator against the LMS. Ten seconds still picks up a key
    /// rotation at once for real clients.
    public var refreshIntervalMinimum: Duration = .seconds(10)
    /// How long one fetch may take before the request that needed it is refused.
    public var fetchTimeout: Duration = .seconds(5)
    /// Least time between two re-reads of the issuer settings for an unknown `iss`.
    public var issuerReloadIntervalMinimum: Duration = .seconds(5)
    /// How long gathered issuers and LTI registrations are used before they are gathered again:
    /// the longest a change made through another node takes to reach sign-in here. A minute
    /// costs one request per peer per minute while tokens keep arriving.
    public var signInSettingsLifetime: Duration = .seconds(60)

    public init() {}
}

/// The keys of one issuer's key set that may verify tokens, by kid.
struct KeySet: Sendable {
    let keys: [String: JWK]
    let fetchedAt: ContinuousClock.Instant

    /// 64 KiB: a JWKS of a dozen RSA-4096 keys is under 12 KiB.
    static let documentBytesMax = 64 * 1024
    /// Keys kept from one document; a real set holds two or three (current, next, previous).
    static let keysMax = 32

    /// Parses a JWKS document, keeping keys that have a kid and whose type Quad accepts.
    init(document: String, fetchedAt: ContinuousClock.Instant) throws {
        let parsed = try JSONDecoder().decode(JWKS.self, from: Data(document.utf8))
        var keys: [String: JWK] = [:]
        for key in parsed.keys.prefix(Self.keysMax) {
            guard let kid = key.keyIdentifier?.string, [.rsa, .ecdsa, .octetKeyPair].contains(key.keyType),
                  key.privateExponent == nil else { continue }
            keys[kid] = key
        }
        self.keys = keys
        self.fetchedAt = fetchedAt
    }
}

/// Fetches, caches and refreshes issuers' key sets. Refreshes on an unknown kid, at most once
/// per `refreshIntervalMinimum` per set, so a rotated key works without restart.
actor JWKSCache {
    private var sets: [String: KeySet] = [:]
    private var lastFetchStarted: [String: ContinuousClock.Instant] = [:]
    private let options: SingleSignOnOptions
    private let logger: Logger
    private let clock = ContinuousClock()

    init(options: SingleSignOnOptions, logger: Logger) {
        self.options = options
        self.logger = logger
    }

    /// The key `kid` of the issuer, fetching or refreshing its set as needed.
    func key(_ kid: String, for configuration: IssuerConfiguration) async throws(TokenRejection) -> JWK {
        if let jwks = configuration.staticJWKS {
            guard let set = try? KeySet(document: jwks, fetchedAt: clock.now), let key = set.keys[kid] else {
                throw .unknownKey
            }
            return key
        }
        guard let url = configuration.jwksURL else { throw .keysUnavailable }
        if let set = sets[url], clock.now - set.fetchedAt < options.keySetLifetime, let key = set.keys[kid] {
            return key
        }
        let mayFetch = lastFetchStarted[url].map { clock.now - $0 >= options.refreshIntervalMinimum } ?? true
        if mayFetch {
            lastFetchStarted[url] = clock.now
            do {
                sets[url] = try await fetch(url)
            } catch {
                logger.warning("key set fetch failed", metadata: ["url": "\(url)", "error": "\(error)"])
                if sets[url] == nil { throw .keysUnavailable }
            }
        }
        // Re-read after the await: another request may have refreshed the set meanwhile.
        guard let key = sets[url]?.keys[kid] else { throw .unknownKey }
        return key
    }

    /// How many fetches have started per URL (for tests and logs).
    func fetchCount(_ url: String) -> Int { fetches[url, default: 0] }
    private var fetches: [String: Int] = [:]

    private func fetch(_ url: String) async throws -> KeySet {
        fetches[url, default: 0] += 1
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Accept", value: "application/json")
        let timeout = TimeAmount.nanoseconds(Int64(options.fetchTimeout.components.seconds) * 1_000_000_000
            + options.fetchTimeout.components.attoseconds / 1_000_000_000)
        let response = try await HTTPClient.shared.execute(request, timeout: timeout)
        guard response.status == .ok else {
            throw APIError(.badGateway, "jwks_fetch_failed", "The key set answered \(response.status.code).")
        }
        let body = try await response.body.collect(upTo: KeySet.documentBytesMax)
        return try KeySet(document: String(buffer: body), fetchedAt: clock.now)
    }
}

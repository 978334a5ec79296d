public import MeetingProviders
import Community
import Foundation
import Hummingbird
import QuadCore

/// A platform's credentials for one provider as the admin gives them and as they are sealed.
public struct ProviderCredentialsBody: Codable, Sendable, Equatable {
    /// Zoom server-to-server OAuth app.
    public var accountId: String?
    public var clientId: String?
    public var clientSecret: String?
    /// Webex access token.
    public var accessToken: String?
    /// Zoom: `https://zoom.us` and `https://api.zoom.us/v2` unless given.
    public var oauthBaseUrl: String?
    public var apiBaseUrl: String?
    /// Webex: `https://webexapis.com/v1` unless given.
    public var baseUrl: String?

    public init(accountId: String? = nil, clientId: String? = nil, clientSecret: String? = nil,
                accessToken: String? = nil, oauthBaseUrl: String? = nil, apiBaseUrl: String? = nil,
                baseUrl: String? = nil) {
        self.accountId = accountId
        self.clientId = clientId
        self.clientSecret = clientSecret
        self.accessToken = accessToken
        self.oauthBaseUrl = oauthBaseUrl
        self.apiBaseUrl = apiBaseUrl
        self.baseUrl = baseUrl
    }

    func validate(for provider: MeetingProvider) throws {
        let missing: Bool = switch provider {
        case .zoom: [accountId, clientId, clientSecret].contains { ($0 ?? "").isEmpty }
        case .webex: (accessToken ?? "").isEmpty
        case .link: true
        }
        guard !missing else {
            throw APIError.invalid("invalid_credentials", provider == .link ? "Plain links need no credentials."
                : "Zoom needs account_id, client_id and client_secret; Webex needs access_token.")
        }
    }
}

/// Makes a provider client from a platform's (opened) credentials. Tests pass their own.
public struct MeetingProviderFactory: Sendable {
    let make: @Sendable (MeetingProvider, ProviderCredentialsBody) -> (any MeetingProviderClient)?

    public init(_ make: @escaping @Sendable (MeetingProvider, ProviderCredentialsBody) -> (any MeetingProviderClient)?) {
        self.make = make
    }

    /// The real Zoom and Webex APIs (or the base URLs stored with the credentials).
    public static let live = MeetingProviderFactory { provider, credentials in
        switch provider {
        case .zoom:
            ZoomClient(credentials: ZoomCredentials(accountID: credentials.accountId ?? "",
                                                    clientID: credentials.clientId ?? "",
                                                    clientSecret: credentials.clientSecret ?? ""),
                       oauthBaseURL: credentials.oauthBaseUrl ?? "https://zoom.us",
                       apiBaseURL: credentials.apiBaseUrl ?? "https://api.zoom.us/v2")
        case .webex:
            WebexClient(accessToken: credentials.accessToken ?? "",
                        baseURL: credentials.baseUrl ?? "https://webexapis.com/v1")
        case .link:
            nil
        }
    }
}

/// Provisioning: the node's sealing key, the factory, and the provider calls of the session routes.
struct MeetingProvisioning: Sendable {
    let sealer: CredentialSealer
    let factory: MeetingProviderFactory

    static func associatedData(_ platform: PlatformID, _ provider: MeetingProvider) -> String {
        platform.rawValue + "/" + provider.name
    }

    func seal(_ body: ProviderCredentialsBody, platform: PlatformID, provider: MeetingProvider) throws -> [UInt8] {
        let data = try JSONEncoder().encode(body)
        return try sealer.seal(Array(data), associatedData: Self.associatedData(platform, provider))
    }

    /// The client for a platform's provider; 409 when the platform has no credentials for it.
    func client(_ sealed: [UInt8]?, platform: PlatformID, provider: MeetingProvider) throws
        -> any MeetingProviderClient {
        guard let sealed else {
            throw APIError(.conflict, "provider_not_configured",
                           "This platform has no \(provider.name) credentials; an administrator sets them first.")
        }
        let opened = try sealer.open(sealed, associatedData: Self.associatedData(platform, provider))
        let credentials = try JSONDecoder().decode(ProviderCredentialsBody.self, from: Data(opened))
        guard let client = factory.make(provider, credentials) else {
            throw APIError.invalid("invalid_provider", "Plain links are not provisioned.")
        }
        return client
    }
}

extension ProviderError {
    /// The API's answer: 422 for what the provider cannot express, 502 for everything else.
    var apiError: APIError {
        APIError(code == .unsupported ? .unprocessableContent : .badGateway, code.rawValue, message)
    }
}

import QuadCore

/// What sign-in looks up by issuer in one partition: its platforms' SSO issuers and LTI 1.3
/// registrations. A token or an LTI login names only an `iss`, never a platform, so a node finds
/// the platform by gathering these from every partition (decision 0006).
public struct SignInSettings: Sendable, Equatable {
    public var issuers: [IssuerConfiguration]
    public var registrations: [LTIRegistration]

    /// Rows of each kind read from one partition: `issuersPerPlatformMax` issuers for 64
    /// platforms, which no partition approaches (a cluster has a few dozen platforms in all).
    public static let rowsPerPartitionMax = 1024

    public init(issuers: [IssuerConfiguration] = [], registrations: [LTIRegistration] = []) {
        self.issuers = issuers
        self.registrations = registrations
    }

    /// Encodes the settings for a peer.
    public func encode(into writer: inout BinaryWriter) {
        writer.writeCount(issuers.count)
        for issuer in issuers { issuer.encode(into: &writer) }
        writer.writeCount(registrations.count)
        for registration in registrations { registration.encode(into: &writer) }
    }

    /// Decodes what `encode(into:)` wrote; refuses more rows than one partition is read for.
    public init(from reader: inout BinaryReader) throws(DecodingError) {
        let issuerCount = try reader.readElementCount()
        guard issuerCount <= Self.rowsPerPartitionMax else { throw DecodingError("\(issuerCount) issuers exceed the bound") }
        var issuers: [IssuerConfiguration] = []
        for _ in 0..<issuerCount { issuers.append(try IssuerConfiguration(from: &reader)) }
        let registrationCount = try reader.readElementCount()
        guard registrationCount <= Self.rowsPerPartitionMax else {
            throw DecodingError("\(registrationCount) LTI registrations exceed the bound")
        }
        var registrations: [LTIRegistration] = []
        for _ in 0..<registrationCount { registrations.append(try LTIRegistration(from: &reader)) }
        self.init(issuers: issuers, registrations: registrations)
    }
}

extension IdentityQueries {
    /// The partition's issuers and LTI registrations, up to `SignInSettings.rowsPerPartitionMax` each.
    public func signInSettings() throws -> SignInSettings {
        SignInSettings(issuers: try allIssuers(limit: SignInSettings.rowsPerPartitionMax),
                       registrations: try allLTIRegistrations(limit: SignInSettings.rowsPerPartitionMax))
    }
}

import QuadCore

/// Reads of identity settings from one partition's rows. Settings are not secret from the
/// node itself, so these take no actor: the API decides who may see what.
public struct IdentityQueries<Reader: RowReader> {
    public let reader: Reader

    public init(reader: Reader) { self.reader = reader }

    private var transaction: Transaction<Reader> {
        Transaction(base: reader, changes: ChangeSet(), now: 0,
                    actor: Actor(userID: UserID(uncheckedRawValue: "system"), displayName: "system", isAdmin: true))
    }

    /// The issuers configured for `platform`, by issuer.
    public func issuers(platform: PlatformID) throws -> [IssuerConfiguration] {
        try decodeAll(IssuerConfiguration.self, prefix: RowKey(.issuer).adding(platform),
                      limit: IdentityLimits.issuersPerPlatformMax)
    }

    /// Every issuer configured in this partition, up to `limit`.
    public func allIssuers(limit: Int) throws -> [IssuerConfiguration] {
        try decodeAll(IssuerConfiguration.self, prefix: RowKey(.issuer), limit: limit)
    }

    /// Every LTI registration in this partition, up to `limit`.
    public func allLTIRegistrations(limit: Int) throws -> [LTIRegistration] {
        try decodeAll(LTIRegistration.self, prefix: RowKey(.ltiRegistration), limit: limit)
    }

    /// The platform's registration of the LMS `issuer` with `clientID`, or nil.
    public func ltiRegistration(platform: PlatformID, issuer: String, clientID: String) throws -> LTIRegistration? {
        try unwrap { () throws(ApplyFailure) in
            try transaction.load(LTIRegistration.self, RowKey.ltiRegistration(platform, issuer, clientID))
        }
    }

    /// The service keys of `platform`.
    public func serviceKeys(platform: PlatformID) throws -> [ServiceKeyRecord] {
        try decodeAll(ServiceKeyRecord.self, prefix: RowKey(.serviceKey).adding(platform),
                      limit: IdentityLimits.serviceKeysPerPlatformMax)
    }

    /// One service key, or nil.
    public func serviceKey(platform: PlatformID, key: ServiceKeyID) throws -> ServiceKeyRecord? {
        try unwrap { () throws(ApplyFailure) in
            try transaction.load(ServiceKeyRecord.self, RowKey.serviceKey(platform, key))
        }
    }

    /// The platform's webhook secret, or nil when none is set.
    public func webhookSecret(platform: PlatformID) throws -> [UInt8]? {
        try unwrap { () throws(ApplyFailure) in
            try transaction.load(WebhookSecretRow.self, RowKey.webhookSecret(platform))?.secret
        }
    }

    /// Whether `workspace` exists (read from the workspace's partition).
    public func workspaceExists(_ workspace: WorkspaceID) throws -> Bool {
        try unwrap { () throws(ApplyFailure) in try transaction.exists(RowKey.workspace(workspace)) }
    }

    /// Whether `platform` exists.
    public func platformExists(_ platform: PlatformID) throws -> Bool {
        try unwrap { () throws(ApplyFailure) in try transaction.exists(RowKey.platform(platform)) }
    }

    private func decodeAll<Row: RowCodable>(_ type: Row.Type, prefix: RowKey, limit: Int) throws -> [Row] {
        let pairs = try unwrap { () throws(ApplyFailure) in try transaction.scan(prefix: prefix, limit: limit) }
        return try pairs.map { pair in
            do { return try Row(row: pair.value) } catch { throw RowReadFailure("corrupt \(Row.self) row: \(error)") }
        }
    }

    private func unwrap<T>(_ body: () throws(ApplyFailure) -> T) throws -> T {
        do {
            return try body()
        } catch {
            switch error {
            case .refused(let reason): throw reason
            case .storage(let failure): throw failure
            }
        }
    }
}

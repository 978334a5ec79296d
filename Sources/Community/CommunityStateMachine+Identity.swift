import QuadCore

/// Sign-in settings and LMS enrollment. Settings live in the platform's partition and only
/// administrators change them; enrollment facts live in the workspace's partition.
extension CommunityStateMachine {
    func applyIdentity<Base>(_ command: IdentityCommand, in transaction: inout Transaction<Base>)
        throws(ApplyFailure) -> IdentityOutcome {
        switch command {
        case let .putIssuer(configuration):
            return try putIssuer(configuration, in: &transaction)
        case let .removeIssuer(platform, issuer):
            try requirePlatformAdmin(platform, transaction)
            guard try transaction.exists(RowKey.issuer(platform, issuer)) else {
                throw .refused(.notFound("issuer_not_found", "No such issuer on this platform."))
            }
            transaction.delete(RowKey.issuer(platform, issuer))
            return .issuerRemoved
        case let .putServiceKey(platform, key, name, hash):
            return try putServiceKey(platform, key, name: name, hash: hash, in: &transaction)
        case let .revokeServiceKey(platform, key):
            try requirePlatformAdmin(platform, transaction)
            guard try transaction.exists(RowKey.serviceKey(platform, key)) else {
                throw .refused(.notFound("service_key_not_found", "No such service key on this platform."))
            }
            transaction.delete(RowKey.serviceKey(platform, key))
            return .serviceKeyRevoked
        case let .putWebhookSecret(platform, secret):
            try requirePlatformAdmin(platform, transaction)
            guard (IdentityLimits.webhookSecretBytesMin...IdentityLimits.webhookSecretBytesMax).contains(secret.count)
            else {
                throw .refused(.invalid("invalid_webhook_secret", "A webhook secret is 16 to 128 bytes."))
            }
            transaction.store(WebhookSecretRow(secret: secret), at: RowKey.webhookSecret(platform))
            return .webhookSecretSet
        case let .enrollmentEvent(workspace, member, enrolled, setsRole, time):
            return try enrollmentEvent(workspace, member, enrolled: enrolled, setsRole: setsRole, at: time,
                                       in: &transaction)
        case let .removeMembers(workspace, users):
            return try removeMembers(workspace, users, in: &transaction)
        case let .reconcileRoster(workspace, members):
            return .roster(try reconcileRoster(workspace, members, in: &transaction))
        case let .putLTIRegistration(registration):
            try requirePlatformAdmin(registration.platform, transaction)
            try check { () throws(CommunityError) in try IdentityValidation.ltiRegistration(registration) }
            transaction.store(registration, at: RowKey.ltiRegistration(registration.platform, registration.issuer,
                                                                       registration.clientID))
            return .ltiRegistration(registration)
        case let .putGroupMembers(workspace, group, users):
            return .group(try putGroupMembers(workspace, group, users, in: &transaction))
        case let .cohortEvent(workspace, user, group, time):
            return try cohortEvent(workspace, user, group, at: time, in: &transaction)
        case let .consumeLTINonce(platform, nonce, expires):
            return try consumeLTINonce(platform, nonce, expiresAt: expires, in: &transaction)
        }
    }

    /// Spends a login nonce once, refusing it when spent or expired, and deletes a few nonces
    /// that expired (they are kept by expiry, so the oldest come first).
    private func consumeLTINonce<Base>(_ platform: PlatformID, _ nonce: String, expiresAt: Int64,
                                       in transaction: inout Transaction<Base>) throws(ApplyFailure) -> IdentityOutcome {
        guard transaction.actor.isAdmin else { throw .refused(.forbidden("Only LTI launches spend nonces.")) }
        guard try transaction.exists(RowKey.platform(platform)) else { throw .refused(.platformNotFound) }
        guard !nonce.isEmpty, nonce.utf8.count <= IdentityLimits.ltiNonceBytesMax, !nonce.utf8.contains(0) else {
            throw .refused(.invalid("invalid_nonce", "An LTI nonce is 1 to \(IdentityLimits.ltiNonceBytesMax) bytes."))
        }
        guard expiresAt > transaction.now else {
            throw .refused(.conflict("lti_nonce_expired", "The LTI login has expired."))
        }
        let expired = try transaction.scan(prefix: RowKey(.ltiNonce).adding(platform),
                                           limit: IdentityLimits.ltiNoncesPrunedPerLaunch)
        for pair in expired {
            var reader = BinaryReader(pair.value)
            guard let expiry = try? reader.readInt64() else { throw .storage(RowReadFailure("corrupt ltiNonce row")) }
            guard expiry <= transaction.now else { break }
            transaction.delete(pair.key)
        }
        let key = RowKey.ltiNonce(platform, expiresAt: expiresAt, nonce)
        guard try !transaction.exists(key) else {
            throw .refused(.conflict("lti_nonce_used", "The LTI login was used already."))
        }
        var value = BinaryWriter()
        value.write(expiresAt)
        transaction.putRaw(key, value.bytes)
        return .ltiNonceConsumed
    }

    private func requirePlatformAdmin<Base>(_ platform: PlatformID, _ transaction: Transaction<Base>)
        throws(ApplyFailure) {
        guard transaction.actor.isAdmin else {
            throw .refused(.forbidden("Only administrators manage a platform's sign-in and integrations."))
        }
        guard try transaction.exists(RowKey.platform(platform)) else { throw .refused(.platformNotFound) }
    }

    private func putIssuer<Base>(_ configuration: IssuerConfiguration, in transaction: inout Transaction<Base>)
        throws(ApplyFailure) -> IdentityOutcome {
        try requirePlatformAdmin(configuration.platform, transaction)
        try check { () throws(CommunityError) in try IdentityValidation.issuer(configuration) }
        let key = RowKey.issuer(configuration.platform, configuration.issuer)
        if try !transaction.exists(key) {
            let existing = try transaction.scan(prefix: RowKey(.issuer).adding(configuration.platform),
                                                limit: IdentityLimits.issuersPerPlatformMax)
            guard existing.count < IdentityLimits.issuersPerPlatformMax else {
                throw .refused(.init(.limitExceeded, "too_many_issuers",
                                     "A platform has at most \(IdentityLimits.issuersPerPlatformMax) issuers."))
            }
        }
        transaction.store(configuration, at: key)
        return .issuer(configuration)
    }

    private func putServiceKey<Base>(_ platform: PlatformID, _ key: ServiceKeyID, name: String, hash: [UInt8],
                                     in transaction: inout Transaction<Base>) throws(ApplyFailure) -> IdentityOutcome {
        try requirePlatformAdmin(platform, transaction)
        try check { () throws(CommunityError) in try Validation.name(name) }
        guard hash.count == 32 else {
            throw .refused(.invalid("invalid_secret_hash", "A service key is stored as a 32-byte SHA-256."))
        }
        guard try !transaction.exists(RowKey.serviceKey(platform, key)) else {
            throw .refused(.conflict("service_key_exists", "A service key with this ID already exists."))
        }
        let existing = try transaction.scan(prefix: RowKey(.serviceKey).adding(platform),
                                            limit: IdentityLimits.serviceKeysPerPlatformMax)
        guard existing.count < IdentityLimits.serviceKeysPerPlatformMax else {
            throw .refused(.init(.limitExceeded, "too_many_service_keys",
                                 "A platform has at most \(IdentityLimits.serviceKeysPerPlatformMax) service keys."))
        }
        let record = ServiceKeyRecord(platform: platform, key: key, name: name, secretSHA256: hash,
                                      createdAt: transaction.now)
        transaction.store(record, at: RowKey.serviceKey(platform, key))
        return .serviceKey(record)
    }

    /// Applies an LMS enrollment fact unless a fact at least as new was applied before.
    private func enrollmentEvent<Base>(_ workspaceID: WorkspaceID, _ member: MemberSpec, enrolled: Bool,
                                       setsRole: Bool, at time: Int64, in transaction: inout Transaction<Base>)
        throws(ApplyFailure) -> IdentityOutcome {
        guard transaction.actor.isAdmin else {
            throw .refused(.forbidden("Only the platform's service applies enrollment events."))
        }
        _ = try transaction.workspace(workspaceID)
        let clockKey = RowKey.enrollmentClock(workspaceID, member.userID)
        if let clock = try transaction.load(EnrollmentClock.self, clockKey), clock.eventTimeMilliseconds >= time {
            return .enrollment(applied: false)
        }
        if enrolled {
            var member = member
            if !setsRole, let current = try transaction.member(workspaceID, member.userID) { member.role = current.role }
            _ = try putMembers(workspaceID, [member], in: &transaction)
            try joinRecordedCohort(workspaceID, member.userID, in: &transaction)
        } else if try transaction.member(workspaceID, member.userID) != nil {
            _ = try removeMember(workspaceID, member.userID, in: &transaction)
        }
        transaction.store(EnrollmentClock(eventTimeMilliseconds: time, enrolled: enrolled), at: clockKey)
        return .enrollment(applied: true)
    }

    /// Removes the listed members; users who are not members are skipped.
    private func removeMembers<Base>(_ workspaceID: WorkspaceID, _ users: [UserID],
                                     in transaction: inout Transaction<Base>) throws(ApplyFailure) -> IdentityOutcome {
        let (_, access) = try transaction.access(workspaceID)
        guard access.canManageMembers else {
            throw .refused(.forbidden("Only instructors and administrators remove members."))
        }
        guard !users.isEmpty, users.count <= Limits.batchMembersMax else {
            throw .refused(.init(.limitExceeded, "batch_too_large",
                                 "Remove 1 to \(Limits.batchMembersMax) members per call."))
        }
        var removed = 0
        for user in Set(users).sorted() where try transaction.member(workspaceID, user) != nil {
            _ = try removeMember(workspaceID, user, in: &transaction)
            removed += 1
        }
        return .membersRemoved(count: removed)
    }

    /// Adds, re-roles and removes members so that the workspace holds exactly `members`.
    private func reconcileRoster<Base>(_ workspaceID: WorkspaceID, _ members: [MemberSpec],
                                       in transaction: inout Transaction<Base>) throws(ApplyFailure) -> RosterDiff {
        let (_, access) = try transaction.access(workspaceID)
        guard access.canManageMembers else {
            throw .refused(.forbidden("Only instructors and administrators reconcile a roster."))
        }
        let limit = IdentityLimits.rosterMembersMax
        guard members.count <= limit else {
            throw .refused(.init(.limitExceeded, "roster_too_large", "A roster holds at most \(limit) members."))
        }
        let rows = try transaction.scan(prefix: RowKey(.member).adding(workspaceID), limit: limit + 1)
        guard rows.count <= limit else {
            throw .refused(.init(.limitExceeded, "roster_too_large",
                                 "The workspace has more than \(limit) members; use enroll and unenroll batches."))
        }
        var current: [UserID: WorkspaceRole] = [:]
        for pair in rows {
            guard let member = try? Member(row: pair.value) else {
                throw .storage(RowReadFailure("corrupt Member row"))
            }
            current[member.userID] = member.role
        }
        var desired: [UserID: MemberSpec] = [:]
        for member in members where desired[member.userID] == nil { desired[member.userID] = member }
        var diff = RosterDiff(added: [], removed: [], roleChanged: [], unchangedCount: 0)
        var changes: [MemberSpec] = []
        for (user, spec) in desired.sorted(by: { $0.key < $1.key }) {
            if let role = current[user] {
                guard role != spec.role else {
                    diff.unchangedCount += 1
                    continue
                }
                diff.roleChanged.append(user)
            } else {
                diff.added.append(user)
            }
            changes.append(spec)
        }
        diff.removed = current.keys.filter { desired[$0] == nil }.sorted()
        for user in diff.removed { _ = try removeMember(workspaceID, user, in: &transaction) }
        var start = 0
        while start < changes.count {
            let end = min(start + Limits.batchMembersMax, changes.count)
            _ = try putMembers(workspaceID, Array(changes[start..<end]), in: &transaction)
            start = end
        }
        return diff
    }
}

/// Checks of identity settings shared by the API (early answers) and the state machine.
public enum IdentityValidation {
    /// An issuer configuration: bounded fields and exactly one source of keys.
    public static func issuer(_ configuration: IssuerConfiguration) throws(CommunityError) {
        try text(configuration.issuer, field: "issuer", bytesMax: IdentityLimits.issuerBytesMax)
        try text(configuration.audience, field: "audience", bytesMax: IdentityLimits.issuerBytesMax)
        switch (configuration.jwksURL, configuration.staticJWKS) {
        case (let url?, nil):
            try text(url, field: "jwks_url", bytesMax: IdentityLimits.jwksURLBytesMax)
            guard isAllowedKeyURL(url) else {
                throw .invalid("invalid_jwks_url", "jwks_url must be https (http only on loopback).")
            }
        case (nil, let jwks?):
            try text(jwks, field: "jwks", bytesMax: IdentityLimits.staticJWKSBytesMax)
        default:
            throw .invalid("invalid_key_source", "Give exactly one of jwks_url and jwks.")
        }
    }

    /// An LTI registration: bounded fields, https endpoints, 1 to 64 deployments.
    public static func ltiRegistration(_ registration: LTIRegistration) throws(CommunityError) {
        try text(registration.issuer, field: "issuer", bytesMax: IdentityLimits.issuerBytesMax)
        try text(registration.clientID, field: "client_id", bytesMax: IdentityLimits.issuerBytesMax)
        for (url, field) in [(registration.authLoginURL, "auth_login_url"), (registration.jwksURL, "jwks_url")] {
            try text(url, field: field, bytesMax: IdentityLimits.jwksURLBytesMax)
            guard isAllowedKeyURL(url) else {
                throw .invalid("invalid_\(field)", "\(field) must be https (http only on loopback).")
            }
        }
        guard !registration.deploymentIDs.isEmpty,
              registration.deploymentIDs.count <= IdentityLimits.ltiDeploymentsMax else {
            throw .invalid("invalid_deployment_ids", "Give 1 to \(IdentityLimits.ltiDeploymentsMax) deployment IDs.")
        }
        for deployment in registration.deploymentIDs {
            try text(deployment, field: "deployment_id", bytesMax: IdentityLimits.issuerBytesMax)
        }
    }

    /// https anywhere; plain http only to the loopback interface (tests, sidecars).
    public static func isAllowedKeyURL(_ url: String) -> Bool {
        if url.hasPrefix("https://") { return true }
        return ["http://127.0.0.1:", "http://127.0.0.1/", "http://localhost:", "http://localhost/", "http://[::1]:"]
            .contains { url.hasPrefix($0) }
    }

    private static func text(_ value: String, field: String, bytesMax: Int) throws(CommunityError) {
        guard !value.isEmpty, value.utf8.count <= bytesMax, !value.utf8.contains(0) else {
            throw .invalid("invalid_\(field)", "\(field) must be 1 to \(bytesMax) bytes.")
        }
    }
}

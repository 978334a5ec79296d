import Community
import Node
import QuadCore

/// Every platform's SSO issuers and LTI 1.3 registrations, by `iss`, gathered from every
/// partition: read here for the partitions this node holds and asked of their holders for the
/// others (`CommunityNode.signInSettings()`, decision 0006), so a token or an LTI login from any
/// platform signs in through any node.
///
/// Gathered again when an administrator changes a setting through this node, when a gathering
/// is older than `signInSettingsLifetime` (which bounds how long a change made through another
/// node takes to be seen here), and for an unknown `iss` at most once per
/// `issuerReloadIntervalMinimum` (so made-up issuers cannot make every node scatter requests).
/// Concurrent lookups share one gathering.
actor IdentityDirectory {
    private let node: CommunityNode
    private let options: SingleSignOnOptions
    private let clock = ContinuousClock()
    private var byPartition: [PartitionID: SignInSettings] = [:]
    private var issuers: [String: [IssuerConfiguration]] = [:]
    private var registrations: [String: [LTIRegistration]] = [:]
    /// Partitions the last gathering could not read; what they held before is kept.
    private var unreached: Set<PartitionID> = []
    private var loadedAt: ContinuousClock.Instant?
    private var loading: Task<GatheredSignInSettings, Never>?

    init(node: CommunityNode, options: SingleSignOnOptions) {
        self.node = node
        self.options = options
    }

    /// The configurations that trust `issuer` (one per platform that does).
    /// Throws 503-class `NodeError` when it is unknown and some partition could not be read.
    func configurations(issuer: String) async throws -> [IssuerConfiguration] {
        try await refresh(forcedWhenMissing: false) { issuers[issuer] != nil }
        return issuers[issuer] ?? []
    }

    /// The LTI registrations of the LMS `issuer`, of `clientID` when given.
    func registrations(issuer: String, clientID: String?) async throws -> [LTIRegistration] {
        func matching() -> [LTIRegistration] {
            (registrations[issuer] ?? []).filter { clientID == nil || $0.clientID == clientID }
        }
        try await refresh(forcedWhenMissing: false) { !matching().isEmpty }
        return matching()
    }

    /// The registration a launch's login state names. Gathered again when it is missing
    /// whatever the interval: the state is signed by the cluster, so only a real login (through
    /// a node that saw the registration) gets here, and a registration is never removed.
    func registration(platform: PlatformID, issuer: String, clientID: String) async throws -> LTIRegistration? {
        func matching() -> LTIRegistration? {
            registrations[issuer]?.first { $0.platform == platform && $0.clientID == clientID }
        }
        try await refresh(forcedWhenMissing: true) { matching() != nil }
        return matching()
    }

    /// Forgets when the settings were gathered (and any gathering under way, which may predate a
    /// change), so the next lookup gathers them again.
    func invalidate() {
        loadedAt = nil
        loading = nil
    }

    /// Gathers the settings when they are missing or old, then again when `isFound` fails and
    /// the interval allows; throws when still not found and some partition was unreachable.
    private func refresh(forcedWhenMissing: Bool, _ isFound: () -> Bool) async throws {
        if let loadedAt, clock.now - loadedAt < options.signInSettingsLifetime {
            if isFound() { return }
            if forcedWhenMissing || clock.now - loadedAt >= options.issuerReloadIntervalMinimum { await reload() }
        } else {
            await reload()
        }
        guard !isFound(), !unreached.isEmpty else { return }
        throw NodeError(.unavailable, "Sign-in settings of \(unreached.count) partitions cannot be read right now; retry shortly.")
    }

    /// Gathers every partition's settings, or waits for the gathering under way.
    private func reload() async {
        let task: Task<GatheredSignInSettings, Never>
        if let loading {
            task = loading
        } else {
            let node = self.node
            task = Task { await node.signInSettings() }
            loading = task
        }
        let gathered = await task.value
        // The first lookup back applies it; a gathering dropped by `invalidate()` is not applied.
        guard loading == task else { return }
        loading = nil
        apply(gathered)
    }

    private func apply(_ gathered: GatheredSignInSettings) {
        byPartition.merge(gathered.answered) { _, new in new }
        unreached = Set(gathered.unreached)
        issuers = [:]
        registrations = [:]
        for partition in byPartition.keys.sorted() {
            guard let settings = byPartition[partition] else { continue }
            for issuer in settings.issuers { issuers[issuer.issuer, default: []].append(issuer) }
            for registration in settings.registrations {
                registrations[registration.issuer, default: []].append(registration)
            }
        }
        loadedAt = clock.now
    }
}

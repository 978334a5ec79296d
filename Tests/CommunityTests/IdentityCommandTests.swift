import Community
import QuadCore
import Testing

@Suite struct IdentityCommandTests {
    static let issuer = IssuerConfiguration(platform: Course.platform, issuer: "https://lms.example.edu/oauth2",
                                            audience: "quad", jwksURL: "https://lms.example.edu/jwks", staticJWKS: nil)

    func roles(_ community: TestCommunity) throws -> [UserID: WorkspaceRole] {
        let page = try community.queries(as: Course.admin).members(Course.workspace, after: nil, limit: 200)
        return Dictionary(uniqueKeysWithValues: page.items.map { ($0.userID, $0.role) })
    }

    func event(_ user: Actor, enrolled: Bool, role: WorkspaceRole = .learner, setsRole: Bool = false,
               at time: Int64) -> CommandBody {
        .identity(.enrollmentEvent(workspace: Course.workspace,
                                   member: MemberSpec(userID: user.userID, role: role, displayName: user.displayName),
                                   enrolled: enrolled, setsRole: setsRole, eventTimeMilliseconds: time))
    }

    /// Proves enrollment facts converge whatever the delivery order: older or repeated facts change nothing.
    @Test func enrollmentFactsAreIdempotentAndOrderIndependent() throws {
        var community = try Course.bare()
        let nina = Course.nina
        #expect(try community.succeed(event(nina, enrolled: true, at: 100), as: Course.admin)
            == .identity(.enrollment(applied: true)))
        #expect(try community.succeed(event(nina, enrolled: true, at: 100), as: Course.admin)
            == .identity(.enrollment(applied: false)))
        #expect(try community.succeed(event(nina, enrolled: false, at: 300), as: Course.admin)
            == .identity(.enrollment(applied: true)))
        // The enrollment from t=200 arrives after the unenrollment from t=300: it must not re-enroll.
        #expect(try community.succeed(event(nina, enrolled: true, at: 200), as: Course.admin)
            == .identity(.enrollment(applied: false)))
        #expect(try roles(community)[nina.userID] == nil)
        try community.succeed(event(nina, enrolled: true, at: 400), as: Course.admin)
        #expect(try roles(community)[nina.userID] == .learner)
    }

    /// Proves enrollment facts keep a staff role while role facts set it.
    @Test func enrollmentKeepsStaffRoles() throws {
        var community = try Course.bare()
        try community.succeed(event(Course.lea, enrolled: true, role: .moderator, setsRole: true, at: 10),
                              as: Course.admin)
        try community.succeed(event(Course.lea, enrolled: true, at: 20), as: Course.admin)
        #expect(try roles(community)[Course.lea.userID] == .moderator)
        try community.succeed(event(Course.lea, enrolled: true, role: .learner, setsRole: true, at: 30),
                              as: Course.admin)
        #expect(try roles(community)[Course.lea.userID] == .learner)
    }

    /// Proves only the platform's service (an administrator) applies enrollment facts.
    @Test func enrollmentFactsNeedTheService() throws {
        var community = try Course.bare()
        let error = try community.refusal(event(Course.nina, enrolled: true, at: 1), as: Course.ines)
        #expect(error?.kind == .forbidden)
    }

    /// Proves a full-roster reconcile adds, re-roles and removes to match the list, reports the diff,
    /// and that running it again changes nothing.
    @Test func reconcileMatchesTheRoster() throws {
        var community = try Course.world()
        let roster = [
            MemberSpec(userID: Course.ines.userID, role: .instructor),
            MemberSpec(userID: Course.moe.userID, role: .learner),
            MemberSpec(userID: Course.lea.userID, role: .learner),
            MemberSpec(userID: Course.nina.userID, role: .learner, displayName: "Nina"),
        ]
        let outcome = try community.succeed(.identity(.reconcileRoster(workspace: Course.workspace, members: roster)),
                                            as: Course.admin)
        #expect(outcome == .identity(.roster(RosterDiff(added: [Course.nina.userID],
                                                        removed: [Course.leo.userID, Course.lia.userID],
                                                        roleChanged: [Course.moe.userID], unchangedCount: 2))))
        #expect(try roles(community) == [Course.ines.userID: .instructor, Course.moe.userID: .learner,
                                         Course.lea.userID: .learner, Course.nina.userID: .learner])
        // Leo was removed: his private channel is gone for him at once.
        #expect(queryError { try community.queries(as: Course.leo).channel(Course.workspace, Course.secret) }
            != nil)
        let again = try community.succeed(.identity(.reconcileRoster(workspace: Course.workspace, members: roster)),
                                          as: Course.admin)
        #expect(again == .identity(.roster(RosterDiff(added: [], removed: [], roleChanged: [], unchangedCount: 4))))
    }

    /// Proves batch removal skips people who are not members and counts those removed.
    @Test func removeMembersIsIdempotent() throws {
        var community = try Course.bare()
        let users = [Course.lea.userID, Course.nina.userID]
        #expect(try community.succeed(.identity(.removeMembers(workspace: Course.workspace, users: users)),
                                      as: Course.admin) == .identity(.membersRemoved(count: 1)))
        #expect(try community.succeed(.identity(.removeMembers(workspace: Course.workspace, users: users)),
                                      as: Course.admin) == .identity(.membersRemoved(count: 0)))
    }

    /// Proves issuer settings are admin-only, validated, bounded per platform and removable.
    @Test func issuerSettings() throws {
        var community = try Course.bare()
        #expect(try community.refusal(.identity(.putIssuer(Self.issuer)), as: Course.ines)?.kind == .forbidden)
        var noKeys = Self.issuer
        noKeys.jwksURL = nil
        #expect(try community.refusal(.identity(.putIssuer(noKeys)), as: Course.admin)?.code == "invalid_key_source")
        var plainHTTP = Self.issuer
        plainHTTP.jwksURL = "http://lms.example.edu/jwks"
        #expect(try community.refusal(.identity(.putIssuer(plainHTTP)), as: Course.admin)?.code == "invalid_jwks_url")
        for index in 0..<IdentityLimits.issuersPerPlatformMax {
            var configuration = Self.issuer
            configuration.issuer = "https://idp-\(index).example"
            try community.succeed(.identity(.putIssuer(configuration)), as: Course.admin)
        }
        #expect(try community.refusal(.identity(.putIssuer(Self.issuer)), as: Course.admin)?.code
            == "too_many_issuers")
        #expect(try IdentityQueries(reader: community.rows).issuers(platform: Course.platform).count
            == IdentityLimits.issuersPerPlatformMax)
        try community.succeed(.identity(.removeIssuer(platform: Course.platform, issuer: "https://idp-0.example")),
                              as: Course.admin)
        try community.succeed(.identity(.putIssuer(Self.issuer)), as: Course.admin)
        var unknownPlatform = Self.issuer
        unknownPlatform.platform = PlatformID(rawValue: "pl-nowhere")!
        #expect(try community.refusal(.identity(.putIssuer(unknownPlatform)), as: Course.admin)?.code
            == "platform_not_found")
    }

    /// Proves service keys keep only a 32-byte hash and can be revoked.
    @Test func serviceKeys() throws {
        var community = try Course.bare()
        let key = ServiceKeyID(rawValue: "sk_one")!
        let hash = [UInt8](repeating: 9, count: 32)
        try community.succeed(.identity(.putServiceKey(platform: Course.platform, key: key, name: "LMS",
                                                       secretSHA256: hash)), as: Course.admin)
        #expect(try IdentityQueries(reader: community.rows).serviceKey(platform: Course.platform, key: key)?
            .secretSHA256 == hash)
        #expect(try community.refusal(.identity(.putServiceKey(platform: Course.platform, key: key, name: "LMS",
                                                               secretSHA256: hash)), as: Course.admin)?.kind
            == .conflict)
        try community.succeed(.identity(.revokeServiceKey(platform: Course.platform, key: key)), as: Course.admin)
        #expect(try IdentityQueries(reader: community.rows).serviceKey(platform: Course.platform, key: key) == nil)
    }
}

@Suite struct GroupCommandTests {
    static let section = GroupSpec(key: "section-a", name: "Section A")

    func canRead(_ community: TestCommunity, _ person: Actor, _ channel: ChannelID) -> Bool {
        (try? community.queries(as: person).channel(Course.workspace, channel)) != nil
    }

    /// Proves a group's channel is created once, private, and holds exactly the listed members.
    @Test func groupMembersAreReconciled() throws {
        var community = try Course.world()
        let channel = ChannelID.derived(workspace: Course.workspace, groupKey: Self.section.key)
        let first = try community.succeed(.identity(.putGroupMembers(
            workspace: Course.workspace, group: Self.section,
            users: [Course.lea.userID, Course.leo.userID, Course.nina.userID])), as: Course.admin)
        #expect(first == .identity(.group(GroupDiff(channelID: channel,
                                                    added: [Course.lea.userID, Course.leo.userID].sorted(),
                                                    removed: [], skipped: [Course.nina.userID]))))
        #expect(canRead(community, Course.lea, channel))
        #expect(!canRead(community, Course.lia, channel))
        let view = try community.queries(as: Course.lea).channel(Course.workspace, channel)
        #expect(view.channel.visibility == .private)
        #expect(view.channel.slug == "section-a")
        let second = try community.succeed(.identity(.putGroupMembers(
            workspace: Course.workspace, group: Self.section, users: [Course.lia.userID, Course.leo.userID])),
            as: Course.admin)
        #expect(second == .identity(.group(GroupDiff(channelID: channel, added: [Course.lia.userID],
                                                     removed: [Course.lea.userID], skipped: []))))
        #expect(!canRead(community, Course.lea, channel))
        #expect(try community.refusal(.identity(.putGroupMembers(workspace: Course.workspace, group: Self.section,
                                                                 users: [])), as: Course.lea)?.kind == .forbidden)
        // A group whose name makes a taken slug gets the slug and a digest.
        let clash = GroupSpec(key: "other", name: "Section A")
        try community.succeed(.identity(.putGroupMembers(workspace: Course.workspace, group: clash,
                                                         users: [Course.lea.userID])), as: Course.admin)
        let other = ChannelID.derived(workspace: Course.workspace, groupKey: "other")
        #expect(try community.queries(as: Course.lea).channel(Course.workspace, other).channel.slug
            == "section-a-" + other.rawValue.suffix(8))
    }

    /// Proves cohort facts keep a learner in one cohort channel, order-independently, and that a
    /// cohort fact for someone not yet enrolled takes effect when they enroll.
    @Test func cohortFactsMoveLearnersAndWaitForEnrollment() throws {
        var community = try Course.world()
        func cohort(_ name: String, _ person: Actor, at time: Int64) -> CommandBody {
            .identity(.cohortEvent(workspace: Course.workspace, user: person.userID,
                                   group: GroupSpec(key: "cohort:" + name, name: name), eventTimeMilliseconds: time))
        }
        let groupA = ChannelID.derived(workspace: Course.workspace, groupKey: "cohort:A")
        let groupB = ChannelID.derived(workspace: Course.workspace, groupKey: "cohort:B")
        #expect(try community.succeed(cohort("A", Course.lea, at: 10), as: Course.admin)
            == .identity(.enrollment(applied: true)))
        #expect(canRead(community, Course.lea, groupA))
        try community.succeed(cohort("B", Course.lea, at: 30), as: Course.admin)
        #expect(try community.succeed(cohort("A", Course.lea, at: 20), as: Course.admin)
            == .identity(.enrollment(applied: false)))
        #expect(canRead(community, Course.lea, groupB))
        #expect(!canRead(community, Course.lea, groupA))
        #expect(try community.refusal(cohort("A", Course.lea, at: 40), as: Course.ines)?.kind == .forbidden)

        try community.succeed(cohort("A", Course.nina, at: 50), as: Course.admin)
        #expect(!canRead(community, Course.nina, groupA))
        try community.succeed(.identity(.enrollmentEvent(
            workspace: Course.workspace, member: MemberSpec(userID: Course.nina.userID, role: .learner),
            enrolled: true, setsRole: false, eventTimeMilliseconds: 5)), as: Course.admin)
        #expect(canRead(community, Course.nina, groupA))
    }

    /// Proves an LTI nonce is spent once, an expired one is refused, and spent nonces that expired
    /// are deleted as later launches come.
    @Test func ltiNoncesAreSpentOnceAndForgotten() throws {
        var community = try Course.bare()
        func spend(_ nonce: String, expiresIn seconds: Int64) -> CommandBody {
            .identity(.consumeLTINonce(platform: Course.platform, nonce: nonce,
                                       expiresAtMilliseconds: community.nowMilliseconds + seconds * 1000))
        }
        #expect(try community.succeed(spend("n1", expiresIn: 600), as: Course.admin) == .identity(.ltiNonceConsumed))
        #expect(RowKeyProbe.nonceCount(community) == 1)
        #expect(try community.refusal(.identity(.consumeLTINonce(
            platform: Course.platform, nonce: "n1", expiresAtMilliseconds: community.nowMilliseconds + 600_000 - 1000)),
            as: Course.admin)?.code == "lti_nonce_used")
        #expect(try community.refusal(spend("n2", expiresIn: -1), as: Course.admin)?.code == "lti_nonce_expired")
        #expect(try community.refusal(spend("n3", expiresIn: 600), as: Course.lea)?.kind == .forbidden)
        // Ten minutes later n1 has expired: the next launch deletes it.
        community.nowMilliseconds += 700_000
        try community.succeed(spend("n4", expiresIn: 600), as: Course.admin)
        #expect(RowKeyProbe.nonceCount(community) == 1)
    }
}

/// Counts rows by table in a test community.
enum RowKeyProbe {
    /// Spent LTI nonces stored (table 25).
    static func nonceCount(_ community: TestCommunity) -> Int {
        community.rows.keys(withPrefix: [25]).count
    }
}

@Suite struct IdentityOutcomeCodecTests {
    /// Proves every identity outcome survives the forwarded-outcome encoding unchanged.
    @Test func identityOutcomesRoundTrip() throws {
        let registration = LTIRegistration(platform: Course.platform, issuer: "https://lms", clientID: "quad",
                                           deploymentIDs: ["1"], authLoginURL: "https://lms/auth",
                                           jwksURL: "https://lms/jwks")
        let record = ServiceKeyRecord(platform: Course.platform, key: ServiceKeyID(rawValue: "sk_1")!, name: "LMS",
                                      secretSHA256: Array(repeating: 3, count: 32), createdAt: 5)
        let outcomes: [IdentityOutcome] = [
            .issuer(IdentityCommandTests.issuer), .issuerRemoved, .serviceKey(record), .serviceKeyRevoked,
            .webhookSecretSet, .enrollment(applied: true), .enrollment(applied: false), .membersRemoved(count: 7),
            .roster(RosterDiff(added: [Course.lea.userID], removed: [Course.leo.userID, Course.lia.userID],
                               roleChanged: [], unchangedCount: 3)),
            .ltiRegistration(registration),
            .group(GroupDiff(channelID: Course.secret, added: [Course.lea.userID], removed: [],
                             skipped: [Course.nina.userID])),
            .ltiNonceConsumed,
        ]
        for outcome in outcomes {
            let result = Result<Outcome, CommunityError>.success(.identity(outcome))
            let decoded = try Result<Outcome, CommunityError>(decodingOutcome: result.encodedOutcome())
            #expect(decoded == result)
        }
    }
}

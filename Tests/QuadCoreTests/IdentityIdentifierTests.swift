import QuadCore
import Testing

@Suite struct IdentityIdentifierTests {
    /// Proves derived user IDs are pinned (they are stored everywhere), valid, and distinct per issuer and subject.
    @Test func derivedUserIDs() throws {
        let id = UserID.derived(issuer: "https://lms.example.edu/oauth2", subject: "ann")
        #expect(id.rawValue == "us_ifng1xrax4rfaygaymwfysjyq0g")
        #expect(UserID(rawValue: id.rawValue) == id)
        #expect(UserID.derived(issuer: "https://lms.example.edu/oauth2", subject: "ann") == id)
        #expect(UserID.derived(issuer: "https://other.example", subject: "ann") != id)
        #expect(UserID.derived(issuer: "https://lms.example.edu/oauth2", subject: "bob") != id)
        // The separator keeps ("a", "bc") and ("ab", "c") apart.
        #expect(UserID.derived(issuer: "a", subject: "bc") != UserID.derived(issuer: "ab", subject: "c"))
    }
}

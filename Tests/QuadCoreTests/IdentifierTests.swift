import Foundation
import QuadCore
import Testing

@Suite struct IdentifierTests {
    /// Proves the identifier rules admit LMS-style IDs and refuse everything unsafe in paths or keys.
    @Test func validation() {
        for valid in ["a", "jane.doe@example.edu", "u:1234", "course-v1:Org+CS101+2026", "A_z-0.9",
                      String(repeating: "x", count: 64)] {
            #expect(IdentifierRules.isValid(valid), "\(valid)")
            #expect(UserID(rawValue: valid)?.rawValue == valid)
        }
        for invalid in ["", String(repeating: "x", count: 65), "a b", "a/b", "a\u{0}b", "é", "a?b", "a#b",
                        "a%20", "👋", "a\nb"] {
            #expect(!IdentifierRules.isValid(invalid), "\(invalid.debugDescription)")
            #expect(ChannelID(rawValue: invalid) == nil)
        }
    }

    /// Proves decoding JSON validates identifiers too, so bad IDs cannot enter through the API.
    @Test func codableValidates() throws {
        let decoded = try JSONDecoder().decode([UserID].self, from: Data(#"["u:1"]"#.utf8))
        #expect(decoded == [UserID(rawValue: "u:1")])
        #expect(throws: Swift.DecodingError.self) {
            try JSONDecoder().decode([UserID].self, from: Data(#"["a/b"]"#.utf8))
        }
        let encoded = try JSONEncoder().encode(ChannelSequence(42))
        #expect(String(decoding: encoded, as: UTF8.self) == "42")
    }

    /// Proves generated IDs carry their kind's prefix, are valid, and differ from each other.
    @Test func randomIdentifiers() {
        var generator = SeededGenerator(seed: 7)
        var seen = Set<String>()
        for _ in 0..<1000 {
            let channel = ChannelID.random(using: &generator)
            #expect(channel.rawValue.hasPrefix("ch_") && channel.rawValue.utf8.count == 29)
            #expect(ChannelID(rawValue: channel.rawValue) == channel)
            seen.insert(channel.rawValue)
        }
        #expect(seen.count == 1000)
        #expect(WorkspaceID.random(using: &generator).rawValue.hasPrefix("ws_"))
        #expect(UserID.random(using: &generator).rawValue.hasPrefix("us_"))
        #expect(PlatformID.random(using: &generator).rawValue.hasPrefix("pl_"))
    }

    /// Pins base32: 128 bits as 26 characters of Crockford's lower-case alphabet, most significant first.
    @Test func base32() {
        #expect(IdentifierRules.base32(high: 0, low: 0) == String(repeating: "0", count: 26))
        #expect(IdentifierRules.base32(high: .max, low: .max) == String(repeating: "z", count: 25) + "w")
        #expect(IdentifierRules.base32(high: 1 << 63, low: 0) == "g" + String(repeating: "0", count: 25))
        #expect(IdentifierRules.base32(high: 0, low: 1) == String(repeating: "0", count: 25) + "4")
        #expect(IdentifierRules.base32(high: 0x0123_4567_89ab_cdef, low: 0xfedc_ba98_7654_3210)
            == "04hmasw9nf6yzzpwqac7cn1j20")
        let alphabet = Set("0123456789abcdefghjkmnpqrstvwxyz")
        var generator = SeededGenerator(seed: 1)
        for _ in 0..<100 {
            let text = IdentifierRules.base32(high: generator.next(), low: generator.next())
            #expect(text.count == 26 && text.allSatisfy(alphabet.contains))
        }
    }

    /// Proves derived workspace IDs are stable (pinned), valid, and distinct per platform and external ID.
    @Test func derivedWorkspaceIDs() throws {
        let edx = try #require(PlatformID(rawValue: "pl-edx"))
        let other = try #require(PlatformID(rawValue: "pl-other"))
        let id = WorkspaceID.derived(platform: edx, externalID: "course-v1:Org+CS101+2026")
        #expect(id.rawValue == "ws_xzhktb0qc8bv6a1c3wqvadcx34m")
        #expect(WorkspaceID(rawValue: id.rawValue) == id)
        #expect(WorkspaceID.derived(platform: edx, externalID: "course-v1:Org+CS101+2026") == id)
        #expect(WorkspaceID.derived(platform: other, externalID: "course-v1:Org+CS101+2026") != id)
        // The separator keeps (platform, external ID) pairs apart even when their concatenations agree.
        let left = WorkspaceID.derived(platform: try #require(PlatformID(rawValue: "ab")), externalID: "c")
        let right = WorkspaceID.derived(platform: try #require(PlatformID(rawValue: "a")), externalID: "bc")
        #expect(left != right)
        var seen = Set<WorkspaceID>()
        for index in 0..<5000 { seen.insert(WorkspaceID.derived(platform: edx, externalID: "course-\(index)")) }
        #expect(seen.count == 5000)
        // External IDs are not identifiers: spaces and non-ASCII still give a valid workspace ID.
        #expect(WorkspaceID(rawValue: WorkspaceID.derived(platform: edx, externalID: "Cours d'été 🌞").rawValue) != nil)
    }

    /// Proves enums travel in JSON by name and unknown names are refused.
    @Test func enumNamesInJSON() throws {
        let data = try JSONEncoder().encode([WorkspaceRole.instructor, .learner])
        #expect(String(decoding: data, as: UTF8.self) == #"["instructor","learner"]"#)
        #expect(try JSONDecoder().decode(ChannelTemplate.self, from: Data(#""q-a""#.utf8)) == .questionsAndAnswers)
        #expect(throws: Swift.DecodingError.self) {
            try JSONDecoder().decode(WorkspaceRole.self, from: Data(#""admin""#.utf8))
        }
        for role in WorkspaceRole.allCases { #expect(WorkspaceRole(name: role.name) == role) }
        #expect(WorkspaceRole.moderator.isStaff && WorkspaceRole.instructor.isStaff && !WorkspaceRole.learner.isStaff)
    }
}

import QuadCore

/// Input rules shared by the API (early, for a clear error before anything is logged)
/// and the state machine (authoritative, since a command may come from any node).
public enum Validation {
    public static func name(_ value: String, field: String = "name") throws(CommunityError) {
        let trimmed = value.trimmingWhitespace
        guard !trimmed.isEmpty else { throw .invalid("invalid_\(field)", "The \(field) must not be empty.") }
        guard value.count <= Limits.nameCharactersMax else {
            throw .init(.limitExceeded, "\(field)_too_long",
                        "The \(field) is longer than \(Limits.nameCharactersMax) characters.")
        }
        guard !value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw .invalid("invalid_\(field)", "The \(field) must not contain control characters.")
        }
    }

    /// Slugs: lower-case letters, digits and dashes, starting with a letter or digit.
    public static func slug(_ value: String) throws(CommunityError) {
        let bytes = Array(value.utf8)
        let allowed = bytes.allSatisfy { byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "-")
        }
        guard allowed, bytes.count >= Limits.slugCharactersMin, bytes.count <= Limits.slugCharactersMax,
              let first = bytes.first, first != UInt8(ascii: "-")
        else {
            throw .invalid("invalid_slug",
                           "A slug is \(Limits.slugCharactersMin) to \(Limits.slugCharactersMax) of a-z, 0-9 and '-', not starting with '-'.")
        }
    }

    public static func text(_ value: String, field: String, maximum: Int) throws(CommunityError) {
        guard value.utf8.count <= maximum else {
            throw .init(.limitExceeded, "\(field)_too_long", "The \(field) is longer than \(maximum) bytes.")
        }
    }

    public static func messageText(_ value: String) throws(CommunityError) {
        guard !value.trimmingWhitespace.isEmpty else {
            throw .invalid("empty_message", "A message needs some text.")
        }
        try text(value, field: "text", maximum: Limits.messageTextBytesMax)
    }

    public static func clientMessageID(_ value: String) throws(CommunityError) {
        guard !value.isEmpty, value.utf8.count <= Limits.clientMessageIDBytesMax, !value.utf8.contains(0) else {
            throw .invalid("invalid_client_msg_id",
                           "client_msg_id must be 1 to \(Limits.clientMessageIDBytesMax) bytes.")
        }
    }

    public static func emoji(_ value: String) throws(CommunityError) {
        let bytes = Array(value.utf8)
        let allowed = bytes.allSatisfy { byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-")
        }
        guard allowed, !bytes.isEmpty, bytes.count <= Limits.emojiNameBytesMax else {
            throw .invalid("invalid_emoji", "An emoji is a name such as 'thumbsup' (a-z, 0-9, '_', '+', '-').")
        }
    }

    public static func externalID(_ value: String) throws(CommunityError) {
        guard !value.isEmpty, value.utf8.count <= Limits.externalIDBytesMax, !value.utf8.contains(0) else {
            throw .invalid("invalid_external_id", "external_id must be 1 to \(Limits.externalIDBytesMax) bytes.")
        }
    }

    /// An LMS group: a bounded key without NUL and a channel name.
    public static func group(_ group: GroupSpec) throws(CommunityError) {
        guard !group.key.isEmpty, group.key.utf8.count <= IdentityLimits.groupKeyBytesMax,
              !group.key.utf8.contains(0) else {
            throw .invalid("invalid_group", "A group key is 1 to \(IdentityLimits.groupKeyBytesMax) bytes.")
        }
        try name(group.name)
    }

    public static func channelSpec(_ spec: ChannelSpec) throws(CommunityError) {
        try name(spec.name)
        try slug(spec.slug)
        try text(spec.purpose, field: "purpose", maximum: Limits.purposeCharactersMax)
        try text(spec.header, field: "header", maximum: Limits.headerCharactersMax)
    }

    public static func channelPatch(_ patch: ChannelPatch) throws(CommunityError) {
        if let value = patch.name { try name(value) }
        if let value = patch.slug { try slug(value) }
        if let value = patch.purpose { try text(value, field: "purpose", maximum: Limits.purposeCharactersMax) }
        if let value = patch.header { try text(value, field: "header", maximum: Limits.headerCharactersMax) }
    }

    /// A slug made from a display name, for clients that give none.
    public static func slug(fromName value: String) -> String {
        var slug = ""
        for scalar in value.lowercased().unicodeScalars {
            if (scalar >= "a" && scalar <= "z") || (scalar >= "0" && scalar <= "9") {
                slug.unicodeScalars.append(scalar)
            } else if !slug.isEmpty && !slug.hasSuffix("-") {
                slug.append("-")
            }
        }
        while slug.hasSuffix("-") { slug.removeLast() }
        if slug.count < Limits.slugCharactersMin { slug = "channel-" + slug }
        return String(slug.prefix(Limits.slugCharactersMax))
    }

    /// `@user` mentions in a text: identifiers after `@`, deduplicated, in order, bounded.
    public static func mentions(in text: String) -> [UserID] {
        var found: [UserID] = []
        var seen = Set<UserID>()
        let scalars = Array(text.unicodeScalars)
        var position = 0
        while position < scalars.count, found.count < Limits.mentionsPerMessageMax {
            defer { position += 1 }
            guard scalars[position] == "@", position == 0 || !isIdentifierScalar(scalars[position - 1]) else { continue }
            var end = position + 1
            // An '@' inside the name belongs to it: "@jane.doe@example.edu" mentions that whole ID.
            while end < scalars.count, isIdentifierScalar(scalars[end]) || (scalars[end] == "@" && end > position + 1) {
                end += 1
            }
            var candidate = String(String.UnicodeScalarView(scalars[(position + 1)..<end]))
            while candidate.hasSuffix(".") || candidate.hasSuffix("@") { candidate.removeLast() }  // "thanks @ana."
            if let user = UserID(rawValue: candidate), seen.insert(user).inserted { found.append(user) }
            position = end - 1
        }
        return found
    }

    private static func isIdentifierScalar(_ scalar: Unicode.Scalar) -> Bool {
        scalar.isASCII && IdentifierRules.isValid(String(scalar)) && scalar != "@"
    }
}

extension String {
    var trimmingWhitespace: Substring {
        let start = firstIndex { !$0.isWhitespace } ?? endIndex
        let end = lastIndex { !$0.isWhitespace }.map { index(after: $0) } ?? start
        return self[start..<max(start, end)]
    }
}

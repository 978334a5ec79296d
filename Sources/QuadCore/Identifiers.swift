/// Rules shared by every string identifier: 1 to 64 bytes of `[A-Za-z0-9._@:+-]`.
///
/// The character set keeps identifiers safe in URL paths and in RocksDB keys (no NUL,
/// no `/`), while admitting what LMSs use for users (`jane.doe@example.edu`, `u:1234`).
public enum IdentifierRules {
    /// 64 bytes: long enough for an email address or an LMS's opaque ID, short enough
    /// that keys made of several identifiers stay small.
    public static let lengthMax = 64

    /// Whether `value` is a well-formed identifier.
    public static func isValid(_ value: String) -> Bool {
        let utf8 = value.utf8
        guard !utf8.isEmpty, utf8.count <= lengthMax else { return false }
        return utf8.allSatisfy(isAllowed)
    }

    static func isAllowed(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        case UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "@"), UInt8(ascii: ":"),
             UInt8(ascii: "+"), UInt8(ascii: "-"):
            return true
        default:
            return false
        }
    }

    /// Lower-case base32 without look-alike letters (Crockford's alphabet), for generated IDs.
    static let base32Alphabet = Array("0123456789abcdefghjkmnpqrstvwxyz".utf8)

    /// 26 base32 characters of a 128-bit stable hash of `first`, a NUL and `second`: the suffix
    /// of identifiers derived from names another system chose.
    public static func stableDigest(_ first: String, _ second: String) -> String {
        var bytes = Array(first.utf8)
        bytes.append(0)
        bytes.append(contentsOf: second.utf8)
        let high = StableHash.hash64(bytes)
        bytes.append(1)
        let low = StableHash.hash64(bytes)
        return base32(high: high, low: low)
    }

    /// Encodes 128 bits as 26 base32 characters.
    public static func base32(high: UInt64, low: UInt64) -> String {
        var characters: [UInt8] = []
        characters.reserveCapacity(26)
        // 128 bits = 25 full 5-bit groups + 3 bits; read from the top.
        for position in 0..<26 {
            let bitOffset = position * 5
            var chunk: UInt64 = 0
            for bit in 0..<5 {
                let absolute = bitOffset + bit
                let value: UInt64
                if absolute < 64 {
                    value = (high >> UInt64(63 - absolute)) & 1
                } else if absolute < 128 {
                    value = (low >> UInt64(127 - absolute)) & 1
                } else {
                    value = 0
                }
                chunk = chunk << 1 | value
            }
            characters.append(base32Alphabet[Int(chunk)])
        }
        return String(decoding: characters, as: UTF8.self)
    }
}

/// A validated string identifier. Each kind is its own type so that a user ID can
/// never be passed where a channel ID is expected.
public protocol StringIdentifier: RawRepresentable, Hashable, Comparable, Sendable, Codable,
    CustomStringConvertible where RawValue == String {
    init(uncheckedRawValue: String)
    /// Prefix of generated identifiers of this kind (`ws_`, `ch_`, ...).
    static var generatedPrefix: String { get }
}

extension StringIdentifier {
    /// Validates `rawValue`; nil when it breaks `IdentifierRules`.
    public init?(rawValue: String) {
        guard IdentifierRules.isValid(rawValue) else { return nil }
        self.init(uncheckedRawValue: rawValue)
    }

    /// A fresh random identifier: the prefix and 128 random bits in base32.
    public static func random(using generator: inout some RandomNumberGenerator) -> Self {
        let high = generator.next()
        let low = generator.next()
        return Self(uncheckedRawValue: generatedPrefix + IdentifierRules.base32(high: high, low: low))
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { rawValue }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let raw = try container.decode(String.self)
        guard let value = Self(rawValue: raw) else {
            throw Swift.DecodingError.dataCorruptedError(
                in: container, debugDescription: "invalid identifier '\(raw.prefix(80))'")
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// An LMS deployment or tenant.
public struct PlatformID: StringIdentifier {
    public let rawValue: String
    public init(uncheckedRawValue: String) { rawValue = uncheckedRawValue }
    public static let generatedPrefix = "pl_"
}

/// A workspace: a course, a platform-wide space or a student segment.
public struct WorkspaceID: StringIdentifier {
    public let rawValue: String
    public init(uncheckedRawValue: String) { rawValue = uncheckedRawValue }
    public static let generatedPrefix = "ws_"

    /// The identifier of the workspace with `externalID` on `platform`: a 128-bit stable hash
    /// of both, so that uniqueness of external IDs per platform holds by construction, inside
    /// one partition, with no cross-partition check (docs/decisions/0001-single-node-design.md).
    public static func derived(platform: PlatformID, externalID: String) -> WorkspaceID {
        WorkspaceID(uncheckedRawValue: "ws_x" + IdentifierRules.stableDigest(platform.rawValue, externalID))
    }
}

/// A channel (public, private or direct) inside one workspace.
public struct ChannelID: StringIdentifier {
    public let rawValue: String
    public init(uncheckedRawValue: String) { rawValue = uncheckedRawValue }
    public static let generatedPrefix = "ch_"
}

/// A person, as identified by the LMS that signs them in.
public struct UserID: StringIdentifier {
    public let rawValue: String
    public init(uncheckedRawValue: String) { rawValue = uncheckedRawValue }
    public static let generatedPrefix = "us_"
}

/// A message's gapless position in its channel, starting at 1.
public struct ChannelSequence: RawRepresentable, Hashable, Comparable, Sendable, Codable,
    CustomStringConvertible {
    public var rawValue: UInt64
    public init(rawValue: UInt64) { self.rawValue = rawValue }
    public init(_ value: UInt64) { self.rawValue = value }
    public static let zero = ChannelSequence(0)
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { String(rawValue) }
    public var next: ChannelSequence { ChannelSequence(rawValue + 1) }
    public init(from decoder: any Decoder) throws { rawValue = try UInt64(from: decoder) }
    public func encode(to encoder: any Encoder) throws { try rawValue.encode(to: encoder) }
}

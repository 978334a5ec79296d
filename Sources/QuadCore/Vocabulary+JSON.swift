/// Enums travel in JSON by name (`"instructor"`), never by their stored byte.
///
/// Each conformance states `init(from:)` and `encode(to:)` itself: for an enum the compiler's
/// synthesized Codable (`{"instructor":{}}`) wins over a protocol extension's default, so
/// defaults here would silently never run.
public protocol NamedEnumeration: CaseIterable, Codable {
    var name: String { get }
}

extension NamedEnumeration {
    /// The case called `name`, or nil.
    public init?(name: String) {
        guard let value = Self.allCases.first(where: { $0.name == name }) else { return nil }
        self = value
    }

    /// Decodes a case from its name; the conformance's `init(from:)` calls this.
    public init(nameFrom decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let raw = try container.decode(String.self)
        guard let value = Self(name: raw) else {
            let allowed = Self.allCases.map(\.name).joined(separator: ", ")
            throw Swift.DecodingError.dataCorruptedError(
                in: container, debugDescription: "'\(raw.prefix(64))' is not one of: \(allowed)")
        }
        self = value
    }

    /// Encodes the case's name; the conformance's `encode(to:)` calls this.
    public func encodeName(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(name)
    }
}

extension WorkspaceKind: NamedEnumeration {
    public init(from decoder: any Decoder) throws { try self.init(nameFrom: decoder) }
    public func encode(to encoder: any Encoder) throws { try encodeName(to: encoder) }
}

extension WorkspaceRole: NamedEnumeration {
    public init(from decoder: any Decoder) throws { try self.init(nameFrom: decoder) }
    public func encode(to encoder: any Encoder) throws { try encodeName(to: encoder) }
}

extension ChannelTemplate: NamedEnumeration {
    public init(from decoder: any Decoder) throws { try self.init(nameFrom: decoder) }
    public func encode(to encoder: any Encoder) throws { try encodeName(to: encoder) }
}

extension ChannelVisibility: NamedEnumeration {
    public init(from decoder: any Decoder) throws { try self.init(nameFrom: decoder) }
    public func encode(to encoder: any Encoder) throws { try encodeName(to: encoder) }
}

extension PostingPolicy: NamedEnumeration {
    public init(from decoder: any Decoder) throws { try self.init(nameFrom: decoder) }
    public func encode(to encoder: any Encoder) throws { try encodeName(to: encoder) }
}

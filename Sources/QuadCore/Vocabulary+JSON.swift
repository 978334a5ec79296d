/// Enums travel in JSON by name (`"instructor"`), never by their stored byte.
public protocol NamedEnumeration: CaseIterable, Codable {
    var name: String { get }
}

extension NamedEnumeration {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let raw = try container.decode(String.self)
        guard let value = Self.allCases.first(where: { $0.name == raw }) else {
            let allowed = Self.allCases.map(\.name).joined(separator: ", ")
            throw Swift.DecodingError.dataCorruptedError(
                in: container, debugDescription: "'\(raw.prefix(64))' is not one of: \(allowed)")
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(name)
    }
}

extension WorkspaceKind: NamedEnumeration {}
extension WorkspaceRole: NamedEnumeration {}
extension ChannelTemplate: NamedEnumeration {}
extension ChannelVisibility: NamedEnumeration {}
extension PostingPolicy: NamedEnumeration {}

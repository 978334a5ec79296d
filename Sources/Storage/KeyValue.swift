/// A key and its value, as returned by scans.
public struct KeyValue: Sendable, Equatable {
    /// The full key, as stored.
    public let key: [UInt8]
    /// The value, as stored.
    public let value: [UInt8]

    /// Pairs a key with its value.
    public init(key: [UInt8], value: [UInt8]) {
        self.key = key
        self.value = value
    }
}

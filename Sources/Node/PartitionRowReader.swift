public import Community
public import QuadCore
public import Storage

/// One partition's community rows in the `data` column family: keys are the partition
/// (u32, big-endian) followed by the state machine's own key.
public struct PartitionRowReader: RowReader, Sendable {
    public let database: Database
    public let partition: PartitionID

    public init(database: Database, partition: PartitionID) {
        self.database = database
        self.partition = partition
    }

    /// The stored key for a state-machine key.
    public static func storedKey(_ partition: PartitionID, _ key: [UInt8]) -> [UInt8] {
        var writer = BinaryWriter(capacity: key.count + 4)
        writer.write(partition.rawValue)
        writer.writeRaw(key)
        return writer.bytes
    }

    public func get(_ key: [UInt8]) throws -> [UInt8]? {
        try database.get(.data, Self.storedKey(partition, key))
    }

    public func scan(from lower: [UInt8], to upper: [UInt8], reverse: Bool, limit: Int) throws -> [RowPair] {
        let pairs = try database.scan(.data, from: Self.storedKey(partition, lower),
                                      to: Self.storedKey(partition, upper), reverse: reverse, limit: limit)
        return pairs.map { RowPair(key: Array($0.key.dropFirst(4)), value: $0.value) }
    }
}

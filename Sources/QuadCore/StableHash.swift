/// Platform-independent hashing for placement. Never Swift's `Hasher`, which is
/// seeded per process: every node, in every version, must compute the same values.
public enum StableHash {
    /// FNV-1a 64-bit over the bytes, followed by the SplitMix64 finalizer so that
    /// similar inputs (`course-1`, `course-2`) land far apart. Specified in docs/placement.md;
    /// changing it moves every workspace, so it is frozen.
    public static func hash64(_ bytes: some Sequence<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return mix64(hash)
    }

    /// Hashes a string's UTF-8 bytes.
    public static func hash64(_ string: String) -> UInt64 { hash64(string.utf8) }

    /// The SplitMix64 finalizer (Steele, Lea, Flood 2014): a bijection with full avalanche.
    public static func mix64(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9e37_79b9_7f4a_7c15
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }

    /// Jump consistent hash (Lamping and Veach, 2014): maps a key to one of
    /// `buckets` so that growing the bucket count moves only 1/n of the keys.
    public static func jumpConsistentHash(_ key: UInt64, buckets: Int32) -> Int32 {
        precondition(buckets > 0, "jump consistent hash needs at least one bucket")
        var key = key
        var bucket: Int64 = -1
        var next: Int64 = 0
        while next < Int64(buckets) {
            bucket = next
            key = key &* 2_862_933_555_777_941_757 &+ 1
            next = Int64(Double(bucket + 1) * (Double(Int64(1) << 31) / Double((key >> 33) + 1)))
        }
        return Int32(bucket)
    }
}

/// Maps objects to partitions: `partition = jumpConsistentHash(stableHash64(id), P)`.
public struct Placement: Sendable, Equatable {
    /// The cluster's fixed partition count P.
    public let partitionCount: UInt32

    /// Upper bound on P: each partition is a Raft group with its own log keys; 4,096
    /// keeps per-node group bookkeeping bounded while leaving room to grow past the default.
    public static let partitionCountMax: UInt32 = 4096
    /// The default P, chosen at cluster init (ARCHITECTURE.md).
    public static let partitionCountDefault: UInt32 = 64

    public init(partitionCount: UInt32) {
        precondition(partitionCount >= 1 && partitionCount <= Placement.partitionCountMax,
                     "partition count out of range")
        self.partitionCount = partitionCount
    }

    /// The partition that holds everything of `workspace`.
    public func partition(of workspace: WorkspaceID) -> PartitionID {
        partition(ofKey: workspace.rawValue)
    }

    /// The partition for any stably named object (users, platforms).
    public func partition(ofKey key: String) -> PartitionID {
        let bucket = StableHash.jumpConsistentHash(StableHash.hash64(key), buckets: Int32(partitionCount))
        return PartitionID(UInt32(bucket))
    }
}

extension Placement {
    /// The replicas of `partition`: the `count` members with the highest rendezvous
    /// (highest-random-weight) score `hash64(partition, member)`, so adding or removing a
    /// member moves only the replicas whose top-`count` set it enters or leaves (about 1/N).
    public static func replicas(of partition: PartitionID, members: [NodeID], count: Int) -> [NodeID] {
        precondition(count >= 1, "a partition needs at least one replica")
        func score(_ member: NodeID) -> UInt64 {
            var writer = BinaryWriter(capacity: 12)
            writer.write(partition.rawValue)
            writer.write(member.rawValue)
            return StableHash.hash64(writer.bytes)
        }
        let ranked = Set(members).sorted { (score($0), $0) > (score($1), $1) }
        return Array(ranked.prefix(count)).sorted()
    }

    /// Replicas per partition by default: three survive one failure with a quorum left.
    public static let replicationFactorDefault = 3
}

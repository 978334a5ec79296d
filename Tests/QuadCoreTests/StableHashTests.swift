import QuadCore
import Testing

@Suite struct StableHashTests {
    /// Proves the FNV-1a half matches the published FNV-1a 64 vectors (hash64 = mix64 of FNV-1a).
    @Test func fnv1aMatchesPublishedVectors() {
        #expect(StableHash.hash64("") == StableHash.mix64(0xcbf2_9ce4_8422_2325))
        #expect(StableHash.hash64("a") == StableHash.mix64(0xaf63_dc4c_8601_ec8c))
        #expect(StableHash.hash64("foobar") == StableHash.mix64(0x8594_4171_f739_67e8))
    }

    /// Proves the finalizer is SplitMix64's: its first output for seed 0 is the published 0xe220a8397b1dcdaf.
    @Test func mix64MatchesSplitMix64() {
        #expect(StableHash.mix64(0) == 0xe220_a839_7b1d_cdaf)
    }

    /// Pins hash64 on a few inputs: changing these values would move every workspace to another partition.
    @Test func hash64GoldenValues() {
        #expect(StableHash.hash64("") == 0xc381_7c01_6ba4_ff30)
        #expect(StableHash.hash64("a") == 0x5f29_c2aa_dd9b_8527)
        #expect(StableHash.hash64("ws_course-1") == 0x037f_a599_f492_cd5a)
        #expect(StableHash.hash64("course-v1:Org+CS101+2026") == 0x548f_0820_ed94_30fb)
        #expect(StableHash.hash64(Array("a".utf8)) == StableHash.hash64("a"))
    }

    /// Proves jump consistent hash gives the reference implementation's values (Lamping and Veach's C code,
    /// the vectors other ports test against).
    @Test(arguments: [
        (UInt64(0), Int32(1), Int32(0)), (1, 1, 0), (42, 57, 43), (0xDEAD_10CC, 1, 0), (0xDEAD_10CC, 666, 361),
        (256, 1024, 520), (0, 10, 0), (1, 10, 6), (UInt64.max, 1000, 313), (0xCAFE_BABE, 4096, 634), (12_345, 64, 29),
    ])
    func jumpKnownValues(key: UInt64, buckets: Int32, expected: Int32) {
        #expect(StableHash.jumpConsistentHash(key, buckets: buckets) == expected)
    }

    /// Proves every key lands in range, and growing from n to n+1 buckets moves keys only into the new bucket,
    /// and about 1/(n+1) of them.
    @Test(arguments: [1, 2, 7, 63, 64, 100])
    func jumpMovesOnlyToTheNewBucket(buckets: Int32) {
        var generator = SeededGenerator(seed: UInt64(buckets))
        let keyCount = 20_000
        var moved = 0
        for _ in 0..<keyCount {
            let key = generator.next()
            let before = StableHash.jumpConsistentHash(key, buckets: buckets)
            let after = StableHash.jumpConsistentHash(key, buckets: buckets + 1)
            #expect(before >= 0 && before < buckets)
            #expect(after >= 0 && after <= buckets)
            if after != before {
                #expect(after == buckets)
                moved += 1
            }
        }
        let expected = Double(keyCount) / Double(buckets + 1)
        // Binomial spread: 5 standard deviations plus a little keeps this deterministic test far from flaky.
        let tolerance = 5 * expected.squareRoot() + 10
        #expect(abs(Double(moved) - expected) < tolerance, "moved \(moved), expected about \(expected)")
    }
}

@Suite struct PlacementTests {
    /// Proves a workspace's partition is jump(hash64(id), P), in range, and the same on every call.
    @Test func partitionIsJumpOfStableHash() throws {
        let placement = Placement(partitionCount: 64)
        let workspace = try #require(WorkspaceID(rawValue: "ws_course-1"))
        let partition = placement.partition(of: workspace)
        #expect(partition.rawValue == UInt32(StableHash.jumpConsistentHash(0x037f_a599_f492_cd5a, buckets: 64)))
        #expect(partition == placement.partition(ofKey: "ws_course-1"))
        #expect(Placement(partitionCount: 1).partition(of: workspace) == PartitionID(0))
        #expect(Placement.partitionCountDefault == 64)
    }

    /// Proves 10,000 workspace IDs spread evenly over 64 partitions (chi-square well inside what chance allows).
    @Test func spreadOverSixtyFourPartitionsIsEven() {
        let placement = Placement(partitionCount: Placement.partitionCountDefault)
        var generator = SeededGenerator(seed: 2026)
        var counts = [Int](repeating: 0, count: 64)
        let workspaceCount = 10_000
        for index in 0..<workspaceCount {
            // Half random IDs, half derived from sequential course IDs (the LMS case: similar inputs).
            let workspace = index.isMultiple(of: 2)
                ? WorkspaceID.random(using: &generator)
                : WorkspaceID.derived(platform: PlatformID(rawValue: "pl-edx")!, externalID: "course-\(index)")
            counts[Int(placement.partition(of: workspace).rawValue)] += 1
        }
        let expected = Double(workspaceCount) / 64
        let chiSquare = counts.reduce(0.0) { sum, count in
            sum + (Double(count) - expected) * (Double(count) - expected) / expected
        }
        // 63 degrees of freedom: the 99.9th percentile is about 104.
        #expect(chiSquare < 104, "chi-square \(chiSquare), counts \(counts)")
        #expect(counts.min()! > 100 && counts.max()! < 215, "counts \(counts)")
    }
}

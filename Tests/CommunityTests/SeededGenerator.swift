import QuadCore

/// A deterministic random number generator for tests: SplitMix64's finalizer over a counter.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 1
        return StableHash.mix64(state)
    }
}

import Raft

/// The simulator's seeded generator: xoshiro256** (Blackman and Vigna), seeded through
/// SplitMix64 as its authors recommend. Every choice the simulator makes comes from one of
/// these, so a seed replays exactly.
public struct SimulationRandom: RandomNumberGenerator, Sendable {
    private var state: (UInt64, UInt64, UInt64, UInt64)

    /// Makes a generator whose sequence is fixed by `seed`.
    public init(seed: UInt64) {
        var seeder = SplitMix64(seed: seed)
        state = (seeder.next(), seeder.next(), seeder.next(), seeder.next())
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        let result = rotateLeft(state.1 &* 5, 7) &* 9
        let shifted = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= shifted
        state.3 = rotateLeft(state.3, 45)
        return result
    }

    /// True with probability `percent` / 100.
    public mutating func chance(_ percent: Double) -> Bool {
        Double(next() >> 11) / Double(1 << 53) * 100 < percent
    }

    /// A uniform integer in `range`.
    public mutating func int(in range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &self) }

    private func rotateLeft(_ value: UInt64, _ count: UInt64) -> UInt64 { (value << count) | (value >> (64 - count)) }
}

/// A logical clock the simulator advances by hand; time in the simulation is ticks.
public struct ManualClock: Sendable {
    /// Ticks elapsed since the simulation started.
    public private(set) var now: UInt64 = 0
    /// Makes a clock at tick 0.
    public init() {}
    /// Moves time forward by `ticks`.
    public mutating func advance(by ticks: UInt64 = 1) { now += ticks }
}

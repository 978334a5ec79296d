/// Fixed-width big-endian integers in byte arrays, so that encoded keys sort numerically.
enum BigEndian {
    static func append(_ value: UInt32, to bytes: inout [UInt8]) {
        for shift in stride(from: 24, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
    }

    static func append(_ value: UInt64, to bytes: inout [UInt8]) {
        for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }

    /// The `width`-byte integer at `offset`, or `nil` when the bytes end first.
    static func read(_ bytes: ArraySlice<UInt8>, at offset: Int, width: Int) -> UInt64? {
        let start = bytes.startIndex + offset
        guard offset >= 0, width <= 8, start + width <= bytes.endIndex else { return nil }
        return bytes[start..<start + width].reduce(0) { $0 << 8 | UInt64($1) }
    }
}

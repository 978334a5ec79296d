/// Comparison of secrets (token digests, signatures) whose time does not depend on where the
/// bytes differ, so a caller cannot learn a secret byte by byte from response times.
public enum ConstantTime {
    /// Whether `left` and `right` hold the same bytes; only their lengths may leak.
    public static func equal(_ left: [UInt8], _ right: [UInt8]) -> Bool {
        guard left.count == right.count else { return false }
        var difference: UInt8 = 0
        for (a, b) in zip(left, right) { difference |= a ^ b }
        return difference == 0
    }
}

import QuadCore

/// One single-server membership change, carried in a `.configurationChange` entry together
/// with the configuration it produces (so a node that joins with an empty configuration
/// learns the whole membership from the entry alone).
public struct ConfigurationChange: Equatable, Sendable, CustomStringConvertible {
    /// What the change does.
    public enum Kind: UInt8, Sendable {
        /// Make `node` a voter (a new member, or the promotion of a learner).
        case addVoter = 0
        /// Add `node` as a learner that receives the log but does not vote.
        case addLearner = 1
        /// Remove `node`, voter or learner.
        case removeNode = 2
    }

    /// What the change does.
    public var kind: Kind
    /// The member it concerns.
    public var node: NodeID
    /// The configuration after the change; filled in by the leader when it appends the entry.
    public var resulting: ConfigurationState

    /// Makes a change; `resulting` is computed by the leader, leave it empty when proposing.
    public init(kind: Kind, node: NodeID, resulting: ConfigurationState = .empty) {
        self.kind = kind
        self.node = node
        self.resulting = resulting
    }

    /// Largest member count an encoded change may claim: 1,024, far above any sane group,
    /// so a corrupt length cannot make decoding allocate without bound.
    public static let encodedMembersMax = 1024

    /// The entry payload: kind, node, voter count, voters, learner count, learners (big-endian).
    public func encoded() -> [UInt8] {
        var bytes: [UInt8] = [kind.rawValue]
        func put64(_ value: UInt64) { for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) } }
        func put16(_ value: Int) { bytes.append(UInt8(value >> 8)); bytes.append(UInt8(value & 0xFF)) }
        put64(node.rawValue)
        put16(resulting.voters.count)
        resulting.voters.forEach { put64($0.rawValue) }
        put16(resulting.learners.count)
        resulting.learners.forEach { put64($0.rawValue) }
        return bytes
    }

    /// Decodes `encoded()`; throws `.malformed` on anything else.
    public init(decoding bytes: [UInt8]) throws(RaftError) {
        var position = 0
        func fail() -> RaftError { RaftError(code: .malformed, message: "bad configuration change at byte \(position)") }
        func take(_ count: Int) throws(RaftError) -> ArraySlice<UInt8> {
            guard position + count <= bytes.count else { throw fail() }
            defer { position += count }
            return bytes[position..<(position + count)]
        }
        func get64() throws(RaftError) -> UInt64 { try take(8).reduce(0) { $0 << 8 | UInt64($1) } }
        func get16() throws(RaftError) -> Int {
            let value = try take(2).reduce(0) { $0 << 8 | Int($1) }
            guard value <= Self.encodedMembersMax else { throw fail() }
            return value
        }
        guard let kind = Kind(rawValue: try take(1)[position - 1]) else { throw fail() }
        let node = NodeID(try get64())
        var voters: [NodeID] = []
        for _ in 0..<(try get16()) { voters.append(NodeID(try get64())) }
        var learners: [NodeID] = []
        for _ in 0..<(try get16()) { learners.append(NodeID(try get64())) }
        guard position == bytes.count else { throw fail() }
        self.init(kind: kind, node: node, resulting: ConfigurationState(voters: voters, learners: learners))
    }

    public var description: String { "\(kind) \(node) -> \(resulting)" }
}

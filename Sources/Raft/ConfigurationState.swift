import QuadCore

/// The membership of a group: who votes and who only learns. Kept as sorted arrays so that
/// every iteration order is deterministic.
public struct ConfigurationState: Equatable, Sendable, CustomStringConvertible {
    /// Members that vote and count toward quorums, sorted.
    public private(set) var voters: [NodeID]
    /// Members that receive the log but never vote, sorted; disjoint from `voters`.
    public private(set) var learners: [NodeID]

    /// Makes a configuration; duplicates are removed and a node in both lists is a voter.
    public init(voters: [NodeID], learners: [NodeID] = []) {
        let voterSet = Set(voters)
        self.voters = voterSet.sorted()
        self.learners = Set(learners).subtracting(voterSet).sorted()
    }

    /// The empty configuration of a node that has not yet learned its group.
    public static let empty = ConfigurationState(voters: [])

    /// Voters then learners.
    public var members: [NodeID] { (voters + learners).sorted() }

    /// Whether `id` votes.
    public func isVoter(_ id: NodeID) -> Bool { voters.contains(id) }
    /// Whether `id` is a learner.
    public func isLearner(_ id: NodeID) -> Bool { learners.contains(id) }
    /// The number of voters that makes a majority.
    public var quorum: Int { voters.count / 2 + 1 }

    /// The configuration after `change`, or nil when the change makes no sense here (adding an
    /// existing voter, removing a stranger, removing the last voter).
    public func applying(_ change: ConfigurationChange) -> ConfigurationState? {
        switch change.kind {
        case .addVoter:
            guard !isVoter(change.node) else { return nil }
            return ConfigurationState(voters: voters + [change.node], learners: learners.filter { $0 != change.node })
        case .addLearner:
            guard !isVoter(change.node), !isLearner(change.node) else { return nil }
            return ConfigurationState(voters: voters, learners: learners + [change.node])
        case .removeNode:
            guard isVoter(change.node) || isLearner(change.node) else { return nil }
            let next = ConfigurationState(
                voters: voters.filter { $0 != change.node }, learners: learners.filter { $0 != change.node })
            return next.voters.isEmpty ? nil : next
        }
    }

    public var description: String {
        let learnerText = learners.isEmpty ? "" : " learners=\(learners.map(\.description).joined(separator: ","))"
        return "voters=\(voters.map(\.description).joined(separator: ","))\(learnerText)"
    }
}

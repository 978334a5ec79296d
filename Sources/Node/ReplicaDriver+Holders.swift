public import QuadCore

/// Values read from the nodes that hold their rows (and from this node's own rows): what
/// `ReplicaDriver.gather` collects.
public struct Gathered<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    /// Each answered key's value.
    public var answered: [Key: Value] = [:]
    /// Keys no holder answered for (down, unreachable, or a build that does not know the request).
    public var unreached: [Key] = []

    public init() {}
}

/// An answer of entries each whole, within `bytesMax` (the first entry always, so that no entry is
/// too large to be sent ever): a count, then the entries.
struct BoundedAnswer {
    let bytesMax: Int
    private var entries: [[UInt8]] = []
    private var bytes = 0

    init(bytesMax: Int) { self.bytesMax = bytesMax }

    /// Adds `entry` when it fits; a left-out entry is asked of another holder.
    mutating func add(_ entry: [UInt8]) {
        guard entries.isEmpty || bytes + entry.count <= bytesMax else { return }
        bytes += entry.count
        entries.append(entry)
    }

    /// The success answer carrying the entries.
    var answer: [UInt8] {
        var writer = BinaryWriter(capacity: 4 + bytes)
        writer.writeCount(entries.count)
        for entry in entries { writer.writeRaw(entry) }
        return ForwardAnswer.success(writer.bytes)
    }
}

extension ReplicaDriver {
    /// Rounds of asking: each round asks the next placement holder of every key still
    /// unanswered, so five covers every other replica at the largest replication factor (5) once.
    static let holderRoundsMax = 5

    /// The nodes other than this one that placement gives `partition`: whom to ask for its rows
    /// or relay its requests to. Live ones (heard from within the liveness window) first, in
    /// placement order; then the others, the most recently heard first, so that a relay or a
    /// question goes to a holder that is down only when no other could answer.
    func holders(of partition: PartitionID) -> [NodeID] {
        let others = desiredVoters(of: partition).filter { $0 != nodeID }
        let heard = lastHeard.withLock { $0 }
        let now = ContinuousClock.now
        let silences = others.enumerated().map { place, node in
            (node: node, place: place, silence: heard[node].map { now - $0 } ?? .seconds(Int64.max))
        }
        let live = silences.filter { $0.silence <= Self.livenessWindow }
        let rest = silences.filter { $0.silence > Self.livenessWindow }
            .sorted { ($0.silence, $0.place) < ($1.silence, $1.place) }
        return live.map(\.node) + rest.map(\.node)
    }

    /// Whether this node serves `partition`'s rows (it votes in the group; a learner is still catching up).
    func holdsRows(of partition: PartitionID) -> Bool {
        host.membership(of: partition)?.isVoter(nodeID) == true
    }

    /// `partitions` this node serves the rows of, and the others.
    public func splitHeld(_ partitions: [PartitionID]) -> (held: [PartitionID], elsewhere: [PartitionID]) {
        var held: [PartitionID] = []
        var elsewhere: [PartitionID] = []
        for partition in partitions {
            if holdsRows(of: partition) { held.append(partition) } else { elsewhere.append(partition) }
        }
        return (held, elsewhere)
    }

    /// Asks the holders of `keys` (each in partition `partition(key)`, none held here) for their
    /// values in parallel, one request per holder and round; a key a holder leaves out, or that
    /// a failed request carried, goes to its next holder in the next round. `ask` answers the keys
    /// the holder has values for. Never throws: what no holder answered is listed as unreached.
    func gather<Key: Hashable & Sendable, Value: Sendable>(
        _ keys: [Key], partition: (Key) -> PartitionID,
        ask: @escaping @Sendable (_ holder: NodeID, _ keys: [Key]) async throws -> [Key: Value]
    ) async -> Gathered<Key, Value> {
        var gathered = Gathered<Key, Value>()
        var tried: [Key: Set<NodeID>] = [:]
        var pending = keys
        for _ in 0..<Self.holderRoundsMax where !pending.isEmpty {
            var byHolder: [NodeID: [Key]] = [:]
            for key in pending {
                // The first holder not asked yet: live ones come first, and liveness may change between rounds.
                if let holder = holders(of: partition(key)).first(where: { tried[key]?.contains($0) != true }) {
                    tried[key, default: []].insert(holder)
                    byHolder[holder, default: []].append(key)
                } else {
                    gathered.unreached.append(key)
                }
            }
            let answers = await withTaskGroup(of: ([Key], [Key: Value]).self) { group in
                for (holder, asked) in byHolder {
                    group.addTask { (asked, (try? await ask(holder, asked)) ?? [:]) }
                }
                var all: [([Key], [Key: Value])] = []
                for await answer in group { all.append(answer) }
                return all
            }
            pending = []
            for (asked, answered) in answers {
                for key in asked {
                    if let value = answered[key] {
                        gathered.answered[key] = value
                    } else {
                        pending.append(key)
                    }
                }
            }
        }
        gathered.unreached += pending
        return gathered
    }
}

public import Community
public import QuadCore

/// The sign-in settings of partitions, gathered from the nodes that hold them: what
/// `ForwardKind.signInSettings` answers.
public struct GatheredSignInSettings: Sendable {
    /// Each answered partition's settings.
    public var byPartition: [PartitionID: SignInSettings] = [:]
    /// Partitions no holder answered for (down, unreachable, or a build that does not know the request).
    public var unreached: [PartitionID] = []

    public init() {}
}

extension ReplicaDriver {
    /// How long one holder may take to answer: sign-in waits for it.
    static let signInSettingsTimeout: Duration = .seconds(2)
    /// Rounds of asking: each round asks the next placement holder of every partition still
    /// unanswered, so five covers every other replica at the largest replication factor (5) once.
    static let signInRoundsMax = 5
    /// Largest answer: partitions past this many encoded bytes are left out (and asked of their
    /// next holder), so an answer stays under the 4 MiB transport frame. About 190 issuers with
    /// inline key sets at their 16 KiB bound, or some 10,000 with a JWKS URL.
    static let signInAnswerBytesMax = 3 << 20

    /// The nodes other than this one that placement gives `partition`, in placement order:
    /// whom to ask for its rows.
    func holders(of partition: PartitionID) -> [NodeID] {
        desiredVoters(of: partition).filter { $0 != nodeID }
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

    /// The sign-in settings of `partitions` (none of them held here), asked of their holders in
    /// parallel, one request per holder; a partition a holder leaves out goes to its next holder
    /// in the next round. Never throws: what no holder answered is listed as unreached.
    public func gatherSignInSettings(of partitions: [PartitionID]) async -> GatheredSignInSettings {
        var gathered = GatheredSignInSettings()
        var attempts: [PartitionID: Int] = [:]
        var pending = partitions
        for _ in 0..<Self.signInRoundsMax where !pending.isEmpty {
            var byHolder: [NodeID: [PartitionID]] = [:]
            for partition in pending {
                let candidates = holders(of: partition)
                let attempt = attempts[partition, default: 0]
                if attempt < candidates.count {
                    byHolder[candidates[attempt], default: []].append(partition)
                } else {
                    gathered.unreached.append(partition)
                }
            }
            let answers = await withTaskGroup(of: ([PartitionID], [PartitionID: SignInSettings]).self) { group in
                for (holder, asked) in byHolder {
                    group.addTask { (asked, (try? await self.askSignInSettings(in: asked, holder: holder)) ?? [:]) }
                }
                var all: [([PartitionID], [PartitionID: SignInSettings])] = []
                for await answer in group { all.append(answer) }
                return all
            }
            pending = []
            for (asked, answered) in answers {
                for partition in asked {
                    if let settings = answered[partition] {
                        gathered.byPartition[partition] = settings
                    } else {
                        attempts[partition, default: 0] += 1
                        pending.append(partition)
                    }
                }
            }
        }
        gathered.unreached += pending
        return gathered
    }

    /// Asks `holder` for the sign-in settings of `partitions` (`ForwardKind.signInSettings`);
    /// the answer covers those it holds, up to `signInAnswerBytesMax`.
    func askSignInSettings(in partitions: [PartitionID], holder: NodeID) async throws -> [PartitionID: SignInSettings] {
        var writer = BinaryWriter(capacity: 5 + partitions.count * 4)
        writer.write(ForwardKind.signInSettings.rawValue)
        writer.writeCount(partitions.count)
        for partition in partitions { writer.write(partition.rawValue) }
        let answer = try await messenger.forward(writer.bytes, to: holder, timeout: Self.signInSettingsTimeout)
        guard answer.first == 0 else { throw ForwardAnswer.error(in: answer, "\(holder) did not send sign-in settings") }
        var reader = BinaryReader(Array(answer.dropFirst()))
        let count = try reader.readElementCount()
        guard count <= partitions.count else { throw DecodingError("\(count) partitions answered, \(partitions.count) asked") }
        var found: [PartitionID: SignInSettings] = [:]
        for _ in 0..<count {
            let partition = PartitionID(try reader.readUInt32())
            found[partition] = try SignInSettings(from: &reader)
        }
        try reader.expectEnd()
        return found
    }

    /// Serves `ForwardKind.signInSettings` from this node's rows: the asked partitions it votes
    /// in, each whole, while the answer stays within `signInAnswerBytesMax`.
    func handleSignInSettingsRequest(_ request: [UInt8]) -> [UInt8] {
        var reader = BinaryReader(request)
        guard let count = try? reader.readUInt32(), count <= Placement.partitionCountMax else {
            return ForwardAnswer.failure(.unavailable)
        }
        var entries: [[UInt8]] = []
        var bytes = 0
        for _ in 0..<count {
            guard let value = try? reader.readUInt32() else { return ForwardAnswer.failure(.unavailable) }
            let partition = PartitionID(value)
            guard holdsRows(of: partition),
                  let settings = try? IdentityQueries(reader: PartitionRowReader(database: host.database, partition: partition))
                    .signInSettings() else { continue }
            var entry = BinaryWriter()
            entry.write(partition.rawValue)
            settings.encode(into: &entry)
            guard bytes + entry.bytes.count <= Self.signInAnswerBytesMax else { continue }
            bytes += entry.bytes.count
            entries.append(entry.bytes)
        }
        var writer = BinaryWriter(capacity: 4 + bytes)
        writer.writeCount(entries.count)
        for entry in entries { writer.writeRaw(entry) }
        return ForwardAnswer.success(writer.bytes)
    }
}

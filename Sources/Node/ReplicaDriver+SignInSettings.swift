public import Community
public import QuadCore

/// The sign-in settings of partitions, gathered from the nodes that hold them: what
/// `ForwardKind.signInSettings` answers. Partitions no holder answered for are unreached.
public typealias GatheredSignInSettings = Gathered<PartitionID, SignInSettings>

extension ReplicaDriver {
    /// How long one holder may take to answer: sign-in waits for it.
    static let signInSettingsTimeout: Duration = .seconds(2)
    /// Largest answer: partitions past this many encoded bytes are left out (and asked of their
    /// next holder; the first is always sent), so an answer stays under the 4 MiB transport frame. About 190 issuers with
    /// inline key sets at their 16 KiB bound, or some 10,000 with a JWKS URL.
    static let signInAnswerBytesMax = 3 << 20

    /// The sign-in settings of `partitions` (none of them held here), asked of their holders in
    /// parallel, one request per holder; a partition a holder leaves out goes to its next holder
    /// in the next round. Never throws: what no holder answered is listed as unreached.
    public func gatherSignInSettings(of partitions: [PartitionID]) async -> GatheredSignInSettings {
        await gather(partitions, partition: { $0 }) { holder, asked in
            try await self.askSignInSettings(in: asked, holder: holder)
        }
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
        var answer = BoundedAnswer(bytesMax: Self.signInAnswerBytesMax)
        for _ in 0..<count {
            guard let value = try? reader.readUInt32() else { return ForwardAnswer.failure(.unavailable) }
            let partition = PartitionID(value)
            guard holdsRows(of: partition),
                  let settings = try? IdentityQueries(reader: PartitionRowReader(database: host.database, partition: partition))
                    .signInSettings() else { continue }
            var entry = BinaryWriter()
            entry.write(partition.rawValue)
            settings.encode(into: &entry)
            answer.add(entry.bytes)
        }
        return answer.answer
    }
}

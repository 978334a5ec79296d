import Community
public import QuadCore

extension ReplicaDriver {
    /// Who reads the credentials row for a peer: the node itself (the query checks no access).
    static let credentialsReader = Actor(userID: UserID(uncheckedRawValue: "system"), displayName: "system", isAdmin: true)
    /// How long one holder may take to answer: scheduling waits for it.
    static let meetingCredentialsTimeout: Duration = .seconds(2)

    /// `platform`'s sealed credentials for `provider` (nil: none stored), asked of the nodes that
    /// hold the platform's partition, each in turn until one answers (`gather`). Throws
    /// `unavailable` when none did (down, cut off, catching up as a learner, or a build without
    /// the request).
    public func askMeetingCredentials(_ platform: PlatformID, _ provider: MeetingProvider) async throws -> [UInt8]? {
        let partition = placement.partition(ofKey: platform.rawValue)
        let gathered: Gathered<PartitionID, [UInt8]?> = await gather([partition], partition: { $0 }) { holder, _ in
            [partition: try await self.askMeetingCredentials(platform, provider, holder: holder)]
        }
        guard let sealed = gathered.answered[partition] else {
            throw NodeError(.unavailable, "no node holding \(partition) answered for \(platform)'s \(provider.name) credentials")
        }
        return sealed
    }

    /// Asks `holder` for `platform`'s sealed credentials for `provider` (`ForwardKind.meetingCredentials`).
    func askMeetingCredentials(_ platform: PlatformID, _ provider: MeetingProvider, holder: NodeID) async throws
        -> [UInt8]? {
        var writer = BinaryWriter(capacity: 2 + platform.rawValue.utf8.count + 4)
        writer.write(ForwardKind.meetingCredentials.rawValue)
        writer.write(platform.rawValue)
        writer.write(provider.rawValue)
        let answer = try await messenger.forward(writer.bytes, to: holder, timeout: Self.meetingCredentialsTimeout)
        guard answer.first == 0 else { throw ForwardAnswer.error(in: answer, "\(holder) did not send credentials") }
        var reader = BinaryReader(Array(answer.dropFirst()))
        let sealed = try reader.readUInt8() == 1 ? try reader.readBytes() : nil
        try reader.expectEnd()
        return sealed
    }

    /// Serves `ForwardKind.meetingCredentials` from this node's replica of the platform's partition;
    /// `notHeld` when this node does not vote in it.
    func handleMeetingCredentialsRequest(_ request: [UInt8]) -> [UInt8] {
        var reader = BinaryReader(request)
        guard let rawPlatform = try? reader.readString(), let platform = PlatformID(rawValue: rawPlatform),
              let rawProvider = try? reader.readUInt8(), let provider = MeetingProvider(rawValue: rawProvider) else {
            return ForwardAnswer.failure(.unavailable)
        }
        let partition = placement.partition(ofKey: platform.rawValue)
        guard holdsRows(of: partition) else { return ForwardAnswer.failure(.notHeld) }
        let queries = CommunityQueries(reader: PartitionRowReader(database: host.database, partition: partition),
                                       actor: Self.credentialsReader)
        let sealed: [UInt8]?
        do {
            sealed = try queries.sealedMeetingProviderCredentials(platform, provider)
        } catch {
            return ForwardAnswer.failure(.unavailable)
        }
        var writer = BinaryWriter()
        if let sealed {
            writer.write(UInt8(1))
            writer.writeBytes(sealed)
        } else {
            writer.write(UInt8(0))
        }
        return ForwardAnswer.success(writer.bytes)
    }
}

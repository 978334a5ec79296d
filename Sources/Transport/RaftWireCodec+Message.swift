import QuadCore
import Raft

extension RaftWireCodec {
    /// Encoded bytes of a message with no context, entries or snapshot: kind, from, to, term,
    /// logTerm, index, commit, reject, rejectHint, sentTick, context length, entry count and
    /// snapshot flag.
    static let messageMinimumBytes = 1 + 8 + 8 + 8 + 8 + 8 + 8 + 1 + 8 + 8 + 4 + 4 + 1
    /// Encoded bytes of an entry with an empty payload: term, index, kind, payload length.
    static let entryMinimumBytes = 8 + 8 + 1 + 4

    /// The exact number of bytes `write(_:into:)` produces for `message`, so batches can be split
    /// into frames before anything is encoded.
    public static func encodedByteCount(of message: Raft.Message) -> Int {
        var total = messageMinimumBytes + message.context.count
        for entry in message.entries { total += entryMinimumBytes + entry.payload.count }
        if let snapshot = message.snapshot {
            let configuration = snapshot.metadata.configuration
            total += 8 + 8 + 4 + 8 * configuration.voters.count + 4 + 8 * configuration.learners.count
            total += 4 + snapshot.data.count
        }
        return total
    }

    /// Writes every field of `message`, in declaration order.
    static func write(_ message: Raft.Message, into writer: inout BinaryWriter) {
        writer.write(message.kind.rawValue)
        writer.write(message.from.rawValue)
        writer.write(message.to.rawValue)
        writer.write(message.term.rawValue)
        writer.write(message.logTerm.rawValue)
        writer.write(message.index.rawValue)
        writer.write(message.commit.rawValue)
        writer.write(message.reject)
        writer.write(message.rejectHint.rawValue)
        writer.write(message.sentTick)
        writer.writeBytes(message.context)
        writer.write(UInt32(message.entries.count))
        for entry in message.entries {
            writer.write(entry.term.rawValue)
            writer.write(entry.index.rawValue)
            writer.write(entry.kind.rawValue)
            writer.writeBytes(entry.payload)
        }
        if let snapshot = message.snapshot {
            writer.write(true)
            write(snapshot, into: &writer)
        } else {
            writer.write(false)
        }
    }

    static func write(_ snapshot: Snapshot, into writer: inout BinaryWriter) {
        writer.write(snapshot.metadata.index.rawValue)
        writer.write(snapshot.metadata.term.rawValue)
        let configuration = snapshot.metadata.configuration
        writer.write(UInt32(configuration.voters.count))
        for voter in configuration.voters { writer.write(voter.rawValue) }
        writer.write(UInt32(configuration.learners.count))
        for learner in configuration.learners { writer.write(learner.rawValue) }
        writer.writeBytes(snapshot.data)
    }

    /// Reads what `write(_:into:)` wrote, checking every enum value and count.
    static func readMessage(_ reader: inout BinaryReader) throws(DecodingError) -> Raft.Message {
        let kindByte = try reader.readUInt8()
        guard let kind = MessageKind(rawValue: kindByte) else { throw DecodingError("unknown message kind \(kindByte)") }
        let from = NodeID(try reader.readUInt64())
        let to = NodeID(try reader.readUInt64())
        var message = Raft.Message(kind: kind, from: from, to: to, term: Term(try reader.readUInt64()))
        message.logTerm = Term(try reader.readUInt64())
        message.index = LogIndex(try reader.readUInt64())
        message.commit = LogIndex(try reader.readUInt64())
        message.reject = try reader.readBool()
        message.rejectHint = LogIndex(try reader.readUInt64())
        message.sentTick = try reader.readUInt64()
        message.context = try reader.readBytes()
        let entryCount = try readCount(&reader, max: TransportLimits.entriesPerMessageMax,
                                       minimumBytesEach: entryMinimumBytes, what: "entries")
        var entries: [Entry] = []
        entries.reserveCapacity(entryCount)
        for _ in 0..<entryCount {
            let term = Term(try reader.readUInt64())
            let index = LogIndex(try reader.readUInt64())
            let entryKindByte = try reader.readUInt8()
            guard let entryKind = EntryKind(rawValue: entryKindByte) else {
                throw DecodingError("unknown entry kind \(entryKindByte)")
            }
            entries.append(Entry(term: term, index: index, kind: entryKind, payload: try reader.readBytes()))
        }
        message.entries = entries
        message.snapshot = try reader.readBool() ? try readSnapshot(&reader) : nil
        return message
    }

    static func readSnapshot(_ reader: inout BinaryReader) throws(DecodingError) -> Snapshot {
        let index = LogIndex(try reader.readUInt64())
        let term = Term(try reader.readUInt64())
        let voters = try readMembers(&reader, what: "voters")
        let learners = try readMembers(&reader, what: "learners")
        let configuration = ConfigurationState(voters: voters, learners: learners)
        guard configuration.voters == voters, configuration.learners == learners else {
            throw DecodingError("snapshot membership is not sorted, unique and disjoint")
        }
        let metadata = SnapshotMetadata(index: index, term: term, configuration: configuration)
        return Snapshot(metadata: metadata, data: try reader.readBytes())
    }

    static func readMembers(_ reader: inout BinaryReader, what: String) throws(DecodingError) -> [NodeID] {
        let count = try readCount(&reader, max: TransportLimits.snapshotMembersMax, minimumBytesEach: 8, what: what)
        var members: [NodeID] = []
        members.reserveCapacity(count)
        for _ in 0..<count { members.append(NodeID(try reader.readUInt64())) }
        return members
    }
}

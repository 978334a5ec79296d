import QuadCore
import Testing

@Suite struct CommandCodecTests {
    /// Proves the samples hold every `CommandBody` case, so the round trip below covers them all.
    @Test func samplesCoverEveryCase() {
        let tags = Set(CommandSamples.bodies.map(CommandSamples.tag(of:)))
        #expect(tags == Set(1...25))

    }

    /// Proves every command decodes to itself and carries its documented tag at the documented offset.
    @Test(arguments: CommandSamples.commands)
    func roundTrip(_ command: Command) throws {
        let bytes = command.encoded()
        #expect(bytes.first == Command.formatVersion)
        #expect(bytes[CommandSamples.tagOffset(of: command)] == CommandSamples.tag(of: command.body))
        let decoded = try Command(decoding: bytes)
        #expect(decoded == command)
        #expect(decoded.body.placementKey == command.body.placementKey)
    }

    /// Proves every strict prefix of an encoding throws instead of crashing or decoding half a command.
    @Test(arguments: CommandSamples.commands)
    func truncatedBytesThrow(_ command: Command) {
        let bytes = command.encoded()
        for length in 0..<bytes.count {
            #expect(throws: DecodingError.self) { try Command(decoding: Array(bytes.prefix(length))) }
        }
    }

    /// Proves bytes after a complete command are refused: they would mean a codec mismatch.
    @Test(arguments: CommandSamples.commands)
    func trailingBytesThrow(_ command: Command) {
        #expect(throws: DecodingError("1 trailing bytes")) { try Command(decoding: command.encoded() + [0]) }
    }

    /// Proves a node refuses versions and tags it does not know rather than guessing.
    @Test func unknownVersionsAndTagsThrow() throws {
        let command = try #require(CommandSamples.commands.first)
        for version: UInt8 in [0, 2, 255] {
            var bytes = command.encoded()
            bytes[0] = version
            #expect(throws: DecodingError("unknown command format version \(version)")) {
                try Command(decoding: bytes)
            }
        }
        for tag: UInt8 in [0, 26, 200, 255] {

            var bytes = command.encoded()
            bytes[CommandSamples.tagOffset(of: command)] = tag
            #expect(throws: DecodingError("unknown command tag \(tag)")) { try Command(decoding: bytes) }
        }
    }

    /// Proves corrupted bytes never crash the decoder, and whatever still decodes re-encodes to the same
    /// bytes (the encoding is canonical, so replicas cannot disagree about what an entry says).
    @Test(arguments: CommandSamples.commands)
    func corruptedBytesNeverCrash(_ command: Command) {
        let bytes = command.encoded()
        for position in bytes.indices {
            for replacement: UInt8 in [0, 1, 2, 0x7f, 0x80, 0xff, bytes[position] ^ 0x01] {
                var corrupted = bytes
                corrupted[position] = replacement
                if let decoded = try? Command(decoding: corrupted) {
                    #expect(decoded.encoded() == corrupted)
                }
            }
        }
    }

    /// Proves lists over the business limits still round-trip: the command is logged before the state
    /// machine refuses it, and a log entry the codec cannot read back would stop the node replaying its log.
    @Test func listsOverBusinessLimitsRoundTrip() throws {
        let admin = Actor(userID: CommandSamples.ana, displayName: "Ana", isAdmin: true)
        let members = (0...Limits.batchMembersMax).map { index in
            MemberSpec(userID: UserID(rawValue: "u\(index)")!, role: .learner)
        }
        let users = (0...Limits.groupDirectMessageMembersMax).map { UserID(rawValue: "u\($0)")! }
        let templates = [ChannelTemplate](repeating: .chatter, count: 5)
        let channels = (0..<5).map { ChannelID(rawValue: "ch\($0)")! }
        for body: CommandBody in [
            .putMembers(workspace: CommandSamples.workspace, members: members),
            .addChannelMembers(workspace: CommandSamples.workspace, channel: CommandSamples.channel,
                               users: members.map(\.userID)),
            .openDirectChannel(workspace: CommandSamples.workspace, users: users),
            .createWorkspace(workspace: CommandSamples.workspace, platform: CommandSamples.platform, kind: .course,
                             name: "x", externalID: nil, templates: templates, templateChannelIDs: channels),
        ] {
            let command = Command(actor: admin, timestampMilliseconds: 0, body: body)
            #expect(try Command(decoding: command.encoded()) == command)
        }
    }

    /// Proves a count larger than the bytes left is refused before anything is allocated.
    @Test func dishonestCountsThrow() throws {
        let command = Command(actor: Actor(userID: CommandSamples.ana, displayName: "Ana", isAdmin: false),
                              timestampMilliseconds: 0,
                              body: .openDirectChannel(workspace: CommandSamples.workspace, users: []))
        var bytes = command.encoded()
        bytes.replaceSubrange((bytes.count - 4)..., with: [0xff, 0xff, 0xff, 0xff])
        #expect(throws: DecodingError("count 4294967295 exceeds the 0 bytes left")) { try Command(decoding: bytes) }
    }

    /// Proves an identifier that breaks the rules is refused when read back, not trusted.
    @Test func invalidIdentifierInBytesThrows() throws {
        var writer = BinaryWriter()
        writer.write(Command.formatVersion)
        writer.write(Int64(0))
        writer.write("has space")
        writer.write("Name")
        writer.write(false)
        #expect(throws: DecodingError("invalid identifier")) { try Command(decoding: writer.bytes) }
    }

    /// Proves the binary reader checks lengths, booleans and UTF-8 rather than trusting them.
    @Test func binaryReaderRejectsMalformedFields() {
        var oversized = BinaryReader([0, 0, 0, 9, 1, 2])
        #expect(throws: DecodingError("length 9 exceeds the 2 bytes left")) { try oversized.readBytes() }
        var badBool = BinaryReader([2])
        #expect(throws: DecodingError("invalid boolean byte 2")) { try badBool.readBool() }
        var badUTF8 = BinaryReader([0, 0, 0, 2, 0xc3, 0x28])
        #expect(throws: DecodingError("invalid UTF-8")) { try badUTF8.readString() }
        var unterminated = BinaryReader([0x61, 0x62])
        #expect(throws: DecodingError("unterminated key string")) { try unterminated.readKeyString() }
        var empty = BinaryReader([])
        #expect(throws: DecodingError.self) { try empty.readUInt64() }
    }

    /// Proves integers are big-endian so encoded keys sort in numeric order.
    @Test func integersAreBigEndianAndSortNumerically() throws {
        var writer = BinaryWriter()
        writer.write(UInt32(0x0102_0304))
        writer.write(Int64(-2))
        #expect(writer.bytes == [1, 2, 3, 4, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe])
        var reader = BinaryReader(writer.bytes)
        #expect(try reader.readUInt32() == 0x0102_0304)
        #expect(try reader.readInt64() == -2)
        try reader.expectEnd()

        let values: [UInt64] = [0, 1, 255, 256, 65_535, 1 << 40, UInt64.max]
        let encoded = values.map { value -> [UInt8] in
            var writer = BinaryWriter()
            writer.write(value)
            return writer.bytes
        }
        #expect(encoded == encoded.sorted { $0.lexicographicallyPrecedes($1) })
    }
}

public import QuadCore

/// Where a member stands in the cluster.
public enum MemberState: UInt8, Sendable, Codable {
    /// Holds replicas as placement says.
    case active = 0
    /// Being emptied: placement leaves it out, so its replicas move to the others.
    case draining = 1
}

/// One member of the cluster as the metadata group records it.
public struct MemberRecord: Sendable, Equatable {
    public var id: NodeID
    /// `host:port` of its peer listener.
    public var peerAddress: String
    public var state: MemberState
    /// Where it serves the API (`http://host:port`), as the node itself registered it; empty
    /// until then. Nodes send requests for partitions they do not hold there.
    public var apiAddress: String

    public init(id: NodeID, peerAddress: String, state: MemberState = .active, apiAddress: String = "") {
        self.id = id
        self.peerAddress = peerAddress
        self.state = state
        self.apiAddress = apiAddress
    }
}

/// A change to the member table, logged in the metadata group.
public enum MemberCommand: Sendable, Equatable {
    /// The cluster's first members and its partition count P; ignored once the table has any
    /// (every founding node may propose it, only the first applied counts).
    case seed([MemberRecord], partitionCount: UInt32, wireVersion: UInt8)
    /// A new member (`quadctl node add`); refused for a known ID.
    case add(MemberRecord)
    /// `quadctl node drain` (to `.draining`) or undoing it (to `.active`).
    case setState(NodeID, MemberState)
    /// `quadctl node remove`, once the member holds nothing; refused for an unknown ID.
    case remove(NodeID)
    /// A member registers where it serves the API (each node does so for itself).
    case setAPIAddress(NodeID, String)
}

/// The cluster's members: the replicated state of the metadata group (one row), the input of
/// placement, and the address book of the peer links. A pure value; `applying` is its state machine.
public struct MemberTable: Sendable, Equatable {
    public private(set) var members: [NodeID: MemberRecord] = [:]
    /// The cluster's fixed partition count P (0 until seeded).
    public private(set) var partitionCount: UInt32 = 0
    /// The peer wire version every member writes (the founders' native one; raised only once
    /// every member reads the next).
    public private(set) var wireVersion: UInt8 = 1

    /// Members at most: a cluster of 100 nodes is far beyond what Quad is built for today.
    public static let membersMax = 100
    /// The metadata group's voters at most; the other members follow it as learners.
    public static let metadataVotersMax = 5

    public init(members: [MemberRecord] = [], partitionCount: UInt32 = 0, wireVersion: UInt8 = 1) {
        for member in members { self.members[member.id] = member }
        self.partitionCount = partitionCount
        self.wireVersion = wireVersion
    }

    public var isEmpty: Bool { members.isEmpty }

    /// Members that hold replicas (placement's input), in ID order.
    public var active: [NodeID] { members.values.filter { $0.state == .active }.map(\.id).sorted() }

    /// The table after `command`, or why it does not apply.
    public func applying(_ command: MemberCommand) -> Result<MemberTable, MemberTableError> {
        var next = self
        switch command {
        case .seed(let founders, let count, let wireVersion):
            guard isEmpty else { return .success(self) }
            for member in founders { next.members[member.id] = member }
            next.partitionCount = count
            next.wireVersion = max(1, wireVersion)
        case .add(let member):
            guard members[member.id] == nil else { return .failure(.init("node \(member.id) is a member already")) }
            guard member.id != .none else { return .failure(.init("node IDs start at 1")) }
            guard members.count < Self.membersMax else { return .failure(.init("a cluster has at most \(Self.membersMax) members")) }
            next.members[member.id] = member
        case .setState(let id, let state):
            guard members[id] != nil else { return .failure(.init("node \(id) is not a member")) }
            if state == .draining, members[id]?.state == .active, active.count <= 1 {
                return .failure(.init("node \(id) is the last active member"))
            }
            next.members[id]?.state = state
        case .remove(let id):
            guard members[id] != nil else { return .failure(.init("node \(id) is not a member")) }
            guard active != [id] else { return .failure(.init("node \(id) is the last active member")) }
            next.members[id] = nil
        case .setAPIAddress(let id, let address):
            guard members[id] != nil else { return .failure(.init("node \(id) is not a member")) }
            next.members[id]?.apiAddress = address
        }
        return .success(next)
    }

    /// Voters and learners the metadata group should have: up to five voters by rendezvous over
    /// the active members, every other member a learner (so every node knows the table).
    public func metadataReplicas() -> (voters: [NodeID], learners: [NodeID]) {
        let candidates = active.isEmpty ? members.keys.sorted() : active
        let voters = Placement.replicas(of: .metadata, members: candidates,
                                        count: max(1, min(Self.metadataVotersMax, candidates.count)))
        return (voters, members.keys.filter { !voters.contains($0) }.sorted())
    }
}

/// Why a member-table change was refused.
public struct MemberTableError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

extension PartitionID {
    /// The metadata group's ID: above every data partition (P ≤ 4,096), below `UInt32.max`.
    public static let metadata = PartitionID(UInt32.max - 1)
    /// Whether this is the metadata group.
    public var isMetadata: Bool { self == .metadata }
}

// MARK: Codec

extension MemberTable {
    static let formatVersion: UInt8 = 1
    /// The one row of the metadata group's state.
    static let rowKey: [UInt8] = [0x01]

    func encoded() -> [UInt8] {
        var writer = BinaryWriter(capacity: 16 + members.count * 32)
        writer.write(Self.formatVersion)
        writer.write(partitionCount)
        writer.write(wireVersion)
        writer.write(UInt32(members.count))
        for member in members.values.sorted(by: { $0.id < $1.id }) { MemberCommand.write(member, into: &writer) }
        return writer.bytes
    }

    init(decoding bytes: [UInt8]) throws(DecodingError) {
        var reader = BinaryReader(bytes)
        guard try reader.readUInt8() == Self.formatVersion else { throw DecodingError("unknown member table version") }
        let partitionCount = try reader.readUInt32()
        let wireVersion = try reader.readUInt8()
        let count = Int(try reader.readUInt32())
        guard count <= Self.membersMax else { throw DecodingError("\(count) members exceed \(Self.membersMax)") }
        var records: [MemberRecord] = []
        for _ in 0..<count { records.append(try MemberCommand.readRecord(&reader)) }
        try reader.expectEnd()
        self.init(members: records, partitionCount: partitionCount, wireVersion: wireVersion)
    }
}

extension MemberCommand {
    static let formatVersion: UInt8 = 1

    /// The payload of a metadata-group entry: version, proposer, proposal ID, command.
    func encoded(proposer: NodeID, proposalID: UInt64) -> [UInt8] {
        var writer = BinaryWriter(capacity: 64)
        writer.write(Self.formatVersion)
        writer.write(proposer.rawValue)
        writer.write(proposalID)
        switch self {
        case .seed(let members, let partitionCount, let wireVersion):
            writer.write(UInt8(0))
            writer.write(partitionCount)
            writer.write(wireVersion)
            writer.write(UInt32(members.count))
            for member in members { Self.write(member, into: &writer) }
        case .add(let member):
            writer.write(UInt8(1))
            Self.write(member, into: &writer)
        case .setState(let id, let state):
            writer.write(UInt8(2))
            writer.write(id.rawValue)
            writer.write(state.rawValue)
        case .remove(let id):
            writer.write(UInt8(3))
            writer.write(id.rawValue)
        case .setAPIAddress(let id, let address):
            writer.write(UInt8(4))
            writer.write(id.rawValue)
            writer.write(address)
        }
        return writer.bytes
    }

    /// Decodes `encoded(proposer:proposalID:)`.
    static func decode(_ bytes: [UInt8]) throws(DecodingError) -> (proposer: NodeID, proposalID: UInt64, command: MemberCommand) {
        var reader = BinaryReader(bytes)
        guard try reader.readUInt8() == formatVersion else { throw DecodingError("unknown member command version") }
        let proposer = NodeID(try reader.readUInt64())
        let proposalID = try reader.readUInt64()
        let command: MemberCommand
        switch try reader.readUInt8() {
        case 0:
            let partitionCount = try reader.readUInt32()
            let wireVersion = try reader.readUInt8()
            let count = Int(try reader.readUInt32())
            guard count <= MemberTable.membersMax else { throw DecodingError("\(count) founders exceed the bound") }
            var members: [MemberRecord] = []
            for _ in 0..<count { members.append(try readRecord(&reader)) }
            command = .seed(members, partitionCount: partitionCount, wireVersion: wireVersion)
        case 1: command = .add(try readRecord(&reader))
        case 2:
            let id = NodeID(try reader.readUInt64())
            guard let state = MemberState(rawValue: try reader.readUInt8()) else { throw DecodingError("unknown member state") }
            command = .setState(id, state)
        case 3: command = .remove(NodeID(try reader.readUInt64()))
        case 4: command = .setAPIAddress(NodeID(try reader.readUInt64()), try reader.readString())
        case let tag: throw DecodingError("unknown member command \(tag)")
        }
        try reader.expectEnd()
        return (proposer, proposalID, command)
    }

    static func write(_ member: MemberRecord, into writer: inout BinaryWriter) {
        writer.write(member.id.rawValue)
        writer.write(member.peerAddress)
        writer.write(member.state.rawValue)
        writer.write(member.apiAddress)
    }

    static func readRecord(_ reader: inout BinaryReader) throws(DecodingError) -> MemberRecord {
        let id = NodeID(try reader.readUInt64())
        let address = try reader.readString()
        guard let state = MemberState(rawValue: try reader.readUInt8()) else { throw DecodingError("unknown member state") }
        return MemberRecord(id: id, peerAddress: address, state: state, apiAddress: try reader.readString())
    }
}

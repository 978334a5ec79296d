import Benchmark
import Community
import Foundation
import Node
import QuadCore
import Storage

/// Micro benchmarks of one post's path below the network: its command's encoding, the state
/// machine applying it over RocksDB rows, the log append with and without fsync, and a history
/// page read over a channel of 10,000 messages. Allocation counts are checked against
/// `Thresholds/` by `make bench-check`; times are for reading, not for checking.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        scalingFactor: .one,
        maxDuration: .seconds(3),
        maxIterations: 100_000,
        // Allocations: a rise of more than 5% fails. Relative only, because RocksDB's own
        // allocations on a read vary by a few percent with the shape of its LSM tree (the page of
        // 50 out of 10^6 took 578 and 589 in two runs), while one more allocation in a 9-allocation
        // encode is 11%.
        thresholds: [.mallocCountTotal: .init(relative: [.p90: 5.0])]
    )

    // Close the database before the process exits (RocksDB's threads must not race exit) and
    // remove its directory.
    Benchmark.teardown = { Fixture.release() }

    // A post no fixture holds (its client_msg_id is new), so apply takes the insert path, not
    // the duplicate answer; nothing is written, so every iteration inserts the same post.
    let post = Fixture.postCommand(sequence: -1)
    let encoded = post.encoded()

    Benchmark("Command encode (post, 256 B)") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(post.encoded()) }
    }

    Benchmark("Command decode (post, 256 B)") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(try Command(decoding: encoded)) }
    }

    // The same reads and writes over 10^4, 10^5 and 10^6 stored messages: their cost should not
    // grow with the data (RocksDB seeks, not scans). Loading 10^6 takes about a minute.
    for (messages, stored) in [(Fixture.messagesSmall, "10,000"), (100_000, "100,000"), (1_000_000, "1,000,000")] {
        let applyName = messages == Fixture.messagesSmall ? "State machine apply (post over RocksDB rows)"
            : "State machine apply (post over \(stored) messages)"
        Benchmark(applyName) { benchmark in
            let fixture = try Fixture.shared(messages: messages)
            let machine = CommunityStateMachine()
            let reader = PartitionRowReader(database: fixture.database, partition: Fixture.partition)
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations { blackHole(try machine.apply(post, over: reader)) }
        }

        Benchmark("History page read (50 newest of \(stored))") { benchmark in
            let fixture = try Fixture.shared(messages: messages)
            let queries = CommunityQueries(reader: PartitionRowReader(database: fixture.database,
                                                                      partition: Fixture.partition),
                                           actor: Fixture.author)
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                blackHole(try queries.history(Fixture.workspace, Fixture.channel, .before(nil), limit: 50))
            }
        }
    }

    for (name, sync, batch) in [("Log append, no sync (1 entry)", false, 1), ("Log append, fsync (1 entry)", true, 1),
                                ("Log append, fsync (64 entries)", true, 64)] {
        Benchmark(name, configuration: .init(maxDuration: .seconds(3), maxIterations: sync ? 2_000 : 100_000)) {
            benchmark in
            let fixture = try Fixture.shared(messages: Fixture.messagesSmall)
            let log = RaftLogStore(database: fixture.database)
            let payload = encoded
            var index = fixture.nextLogIndex(reserving: benchmark.scaledIterations.count * batch)
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                let writes = fixture.database.makeWriteBatch()
                let entries = (0..<batch).map { offset in
                    StoredEntry(index: LogIndex(index + UInt64(offset)), term: Term(1), payload: payload)
                }
                log.appendEntries(entries, group: Fixture.logPartition, into: writes)
                try fixture.database.write(writes, sync: sync)
                index += UInt64(batch)
            }
        }
    }
}

/// One RocksDB database in a temporary directory with a course, its chatter channel and a
/// number of messages, made once per benchmark process and size, and removed by the teardown hook.
final class Fixture: @unchecked Sendable {
    static let partition = PartitionID(0)
    /// Log appends go to another group, so they never touch the rows read above.
    static let logPartition = PartitionID(1)
    static let platform = PlatformID(rawValue: "pl-bench")!
    static let workspace = WorkspaceID(rawValue: "ws-bench")!
    static let channel = ChannelID(rawValue: "ch-chatter")!
    static let author = Actor(userID: UserID(rawValue: "author")!, displayName: "Author", isAdmin: true)
    static let messagesSmall = 10_000
    static let text = String(repeating: "m", count: 256)

    let directory: String
    let database: Database
    private let lock = NSLock()
    private var logIndex: UInt64 = 1

    private nonisolated(unsafe) static var instances: [Int: Fixture] = [:]
    private static let instanceLock = NSLock()

    static func shared(messages: Int) throws -> Fixture {
        try instanceLock.withLock {
            if let instance = instances[messages] { return instance }
            let made = try Fixture(messages: messages)
            instances[messages] = made
            return made
        }
    }

    /// Drops the shared fixtures (closing their databases) and removes their directories.
    static func release() {
        let directories = instanceLock.withLock {
            let directories = instances.values.map(\.directory)
            instances = [:]
            return directories
        }
        for directory in directories { try? FileManager.default.removeItem(atPath: directory) }
    }

    static func postCommand(sequence: Int) -> Command {
        Command(actor: author, timestampMilliseconds: 1_764_480_000_000 + Int64(sequence),
                body: .postMessage(workspace: workspace, channel: channel, text: text, threadRoot: nil,
                                   clientMessageID: "bench-\(sequence)"))
    }

    private init(messages: Int) throws {
        directory = NSTemporaryDirectory() + "quad-microbench-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        database = try Database(path: directory)
        let setup: [CommandBody] = [
            .createPlatform(platform: Self.platform, name: "Bench"),
            .createWorkspace(workspace: Self.workspace, platform: Self.platform, kind: .course, name: "Bench",
                             externalID: "bench", templates: [.chatter], templateChannelIDs: [Self.channel]),
            .putMembers(workspace: Self.workspace,
                        members: [MemberSpec(userID: Self.author.userID, role: .instructor, displayName: "Author")]),
            .joinChannel(workspace: Self.workspace, channel: Self.channel),
        ]
        for body in setup { try apply(Command(actor: Self.author, timestampMilliseconds: 1_764_480_000_000, body: body)) }
        for sequence in 0..<messages { try apply(Self.postCommand(sequence: sequence)) }
    }

    /// Applies a command as a node does and writes its rows (unsynced, like the node's row writes).
    private func apply(_ command: Command) throws {
        let reader = PartitionRowReader(database: database, partition: Self.partition)
        let applied = try CommunityStateMachine().apply(command, over: reader)
        if case .failure(let error) = applied.result { throw error }
        let batch = database.makeWriteBatch()
        for (key, value) in applied.changes.writes {
            let stored = PartitionRowReader.storedKey(Self.partition, key)
            if let value { batch.put(.data, stored, value) } else { batch.delete(.data, stored) }
        }
        try database.write(batch, sync: false)
    }

    /// The first of `count` fresh log indexes.
    func nextLogIndex(reserving count: Int) -> UInt64 {
        lock.withLock {
            let first = logIndex
            logIndex += UInt64(count)
            return first
        }
    }
}

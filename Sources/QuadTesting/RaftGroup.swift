import QuadCore
import Raft

/// A small in-memory Raft group driven synchronously, for paper tests, scripted scenarios
/// and benchmarks: no randomness in delivery, every message delivered in send order unless
/// a link is cut, and every `Ready` handled at once (persist, send, apply, advance).
public struct RaftGroup {
    /// The nodes, by identity.
    public private(set) var nodes: [NodeID: RaftNode<MemoryStorage>] = [:]
    /// Each node's storage.
    public private(set) var storages: [NodeID: MemoryStorage] = [:]
    /// Entries each node applied, in order.
    public private(set) var applied: [NodeID: [Entry]] = [:]
    /// Read states each node received.
    public private(set) var readStates: [NodeID: [ReadState]] = [:]
    /// Every message delivered, as text, while `tracing` is on.
    public var trace: [String] = []
    /// Whether to record delivered messages in `trace`.
    public var tracing = false
    /// Cut directed links (from, to); messages on them are dropped.
    public private(set) var cut: Set<SimulatedNetwork.Link> = []
    /// Messages sent and not yet delivered, in send order.
    public private(set) var pending: [Message] = []
    private let configure: @Sendable (inout RaftConfiguration) -> Void

    /// Makes a group of voters `1...voters`, each configured by `configure`.
    public init(voters: Int, configure: @escaping @Sendable (inout RaftConfiguration) -> Void = { _ in }) {
        self.configure = configure
        let ids = (1...UInt64(voters)).map { NodeID($0) }
        for id in ids { add(id, configuration: ConfigurationState(voters: ids)) }
    }

    /// Starts node `id` with an empty log and `configuration` (empty for a joining node).
    public mutating func add(_ id: NodeID, configuration: ConfigurationState) {
        let storage = MemoryStorage(configuration: configuration)
        storages[id] = storage
        applied[id] = []
        start(id)
    }

    /// (Re)starts node `id` from its storage, as after a crash with everything persisted.
    public mutating func start(_ id: NodeID) {
        guard let storage = storages[id] else { return }
        var configuration = RaftConfiguration(id: id, randomSeed: id.rawValue)
        configuration.electionTimeoutTicks = 10
        configuration.heartbeatIntervalTicks = 1
        configure(&configuration)
        do {
            nodes[id] = try RaftNode(configuration: configuration, storage: storage)
        } catch {
            preconditionFailure("test group configuration rejected: \(error)")
        }
    }

    /// Replaces node `id`'s storage with a log whose entry terms are `terms` (index 1 on) and a
    /// hard state at `currentTerm`, then restarts it: for the paper's figure scenarios.
    public mutating func preload(_ id: NodeID, terms: [UInt64], currentTerm: UInt64) {
        guard let storage = storages[id] else { return }
        let entries = terms.enumerated().map { offset, term in
            Entry(term: Term(term), index: LogIndex(UInt64(offset + 1)), payload: [UInt8(offset & 0xFF), UInt8(term & 0xFF)])
        }
        storage.state.append(entries)
        storage.state.hardState = HardState(term: Term(currentTerm), vote: .none, commit: .zero)
        start(id)
    }

    /// The terms of node `id`'s log from its first index on.
    public func logTerms(_ id: NodeID) -> [UInt64] {
        let node = node(id)
        guard node.lastIndex >= node.firstIndex else { return [] }
        return (node.firstIndex.rawValue...node.lastIndex.rawValue).map { node.term(at: LogIndex($0))?.rawValue ?? 0 }
    }

    /// Sorted member identities.
    public var ids: [NodeID] { nodes.keys.sorted() }

    /// The node `id`; traps if absent (a test bug).
    public func node(_ id: NodeID) -> RaftNode<MemoryStorage> {
        guard let node = nodes[id] else { preconditionFailure("no node \(id)") }
        return node
    }

    /// Runs `body` on node `id` and then handles its output.
    public mutating func with<T>(_ id: NodeID, _ body: (inout RaftNode<MemoryStorage>) throws -> T) rethrows -> T {
        // Take the node out while mutating it, so its arrays are not copied on write.
        guard var node = nodes.removeValue(forKey: id) else { preconditionFailure("no node \(id)") }
        defer { nodes[id] = node }
        let result = try body(&node)
        collect(&node, id)
        return result
    }

    /// Handles node `id`'s `Ready` values until it has none: persist, queue messages, apply.
    public mutating func collect(_ id: NodeID) {
        guard var node = nodes.removeValue(forKey: id) else { return }
        collect(&node, id)
        nodes[id] = node
    }

    private mutating func collect(_ node: inout RaftNode<MemoryStorage>, _ id: NodeID) {
        guard let storage = storages[id] else { return }
        while node.hasReady {
            let ready = node.ready()
            storage.persist(ready)
            pending.append(contentsOf: ready.messages)
            applied[id, default: []].append(contentsOf: ready.committedEntries)
            readStates[id, default: []].append(contentsOf: ready.readStates)
            node.advance(ready)
        }
    }

    /// Delivers queued messages (and those they cause) until none remain or `limit` were
    /// delivered. Returns how many were delivered.
    @discardableResult
    public mutating func deliverAll(limit: Int = 100_000) -> Int {
        var delivered = 0
        while !pending.isEmpty, delivered < limit {
            let message = pending.removeFirst()
            guard nodes[message.to] != nil, !cut.contains(SimulatedNetwork.Link(from: message.from, to: message.to)) else { continue }
            if tracing { trace.append(message.description) }
            with(message.to) { $0.step(message) }
            delivered += 1
        }
        return delivered
    }

    /// Delivers one message now, bypassing the queue (for reordering scenarios).
    public mutating func deliver(_ message: Message) {
        if tracing { trace.append(message.description) }
        with(message.to) { $0.step(message) }
    }

    /// Queues `message` for delivery (after taking it aside with `take(where:)`).
    public mutating func enqueue(_ message: Message) { pending.append(message) }

    /// Removes and returns the queued messages matching `predicate` (to reorder or drop them).
    public mutating func take(where predicate: (Message) -> Bool) -> [Message] {
        let taken = pending.filter(predicate)
        pending.removeAll(where: predicate)
        return taken
    }

    /// Ticks every node `count` times, delivering messages after each tick.
    public mutating func tickAll(_ count: Int = 1) {
        for _ in 0..<count {
            for id in ids { with(id) { $0.tick() } }
            deliverAll()
        }
    }

    /// Makes `id` campaign and delivers the election.
    public mutating func campaign(_ id: NodeID) {
        with(id) { $0.campaign() }
        deliverAll()
    }

    /// Proposes `payload` at `id` and delivers; returns whether it was accepted.
    @discardableResult
    public mutating func propose(_ id: NodeID, _ payload: [UInt8]) -> Bool {
        let accepted = with(id) { node -> Bool in (try? node.propose(payload)) != nil }
        deliverAll()
        return accepted
    }

    /// Cuts both directions between `id` and everyone else.
    public mutating func isolate(_ id: NodeID) {
        for other in ids where other != id { cutLink(from: id, to: other); cutLink(from: other, to: id) }
    }

    /// Cuts one direction.
    public mutating func cutLink(from: NodeID, to: NodeID) { cut.insert(SimulatedNetwork.Link(from: from, to: to)) }

    /// Restores every link.
    public mutating func heal() { cut.removeAll() }

    /// Takes a snapshot at `id`'s applied index and compacts its log.
    public mutating func compact(_ id: NodeID) {
        guard let node = nodes[id], let storage = storages[id] else { return }
        try? storage.state.createSnapshot(at: node.appliedIndex, configuration: node.membership, data: [])
    }

    /// The node that leads the highest term, if any.
    public var leader: NodeID? {
        ids.filter { node($0).role == .leader }.max { node($0).term < node($1).term }
    }

    /// One line per node: role, term, commit, last index.
    public var status: String {
        ids.map { id in
            let node = node(id)
            return "\(id) \(node.role.rawValue) term=\(node.term) lead=\(node.leader) commit=\(node.commitIndex) last=\(node.lastIndex)"
        }.joined(separator: "\n")
    }
}

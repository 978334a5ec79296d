import QuadCore
import Raft

/// A simulated network: messages wait in flight until delivered, in any order; the network
/// may drop, duplicate and delay them, and cut links in one or both directions.
public struct SimulatedNetwork: Sendable {
    /// One message on its way.
    public struct InFlight: Sendable {
        /// The message.
        public var message: Message
        /// The earliest tick it may arrive.
        public var deliverableAt: UInt64
    }

    /// Messages on their way, in no particular order.
    public private(set) var inFlight: [InFlight] = []
    /// Directed links that currently lose everything (from, to).
    public private(set) var cutLinks: Set<Link> = []
    /// Percent of messages lost when sent.
    public var dropPercent: Double = 0
    /// Percent of messages sent twice.
    public var duplicatePercent: Double = 0
    /// Percent of messages delayed by 1...`delayTicksMax` ticks.
    public var delayPercent: Double = 0
    /// Longest delay in ticks.
    public var delayTicksMax = 3
    /// Most messages in flight; past this, sends are dropped (a bounded network buffer).
    public static let inFlightMax = 20_000

    /// A directed link.
    public struct Link: Hashable, Sendable {
        /// Sender.
        public var from: NodeID
        /// Receiver.
        public var to: NodeID
    }

    /// Makes a perfect network.
    public init() {}

    /// Sends `message` at tick `now`; returns false when it was lost at once.
    public mutating func send(_ message: Message, now: UInt64, random: inout SimulationRandom) -> Bool {
        guard inFlight.count < Self.inFlightMax, !random.chance(dropPercent) else { return false }
        let copies = random.chance(duplicatePercent) ? 2 : 1
        for _ in 0..<copies {
            let delay = random.chance(delayPercent) ? UInt64(random.int(in: 1...delayTicksMax)) : 0
            inFlight.append(InFlight(message: message, deliverableAt: now + delay))
        }
        return true
    }

    /// Takes one deliverable message, picked at random (which reorders), or nil.
    /// `fifoPercent` of the time the oldest deliverable message is taken instead.
    public mutating func takeDeliverable(now: UInt64, random: inout SimulationRandom, fifoPercent: Double) -> Message? {
        guard !inFlight.isEmpty else { return nil }
        var position: Int?
        if random.chance(fifoPercent) {
            position = inFlight.firstIndex { $0.deliverableAt <= now }
        } else {
            for _ in 0..<4 {
                let candidate = random.int(in: 0...(inFlight.count - 1))
                if inFlight[candidate].deliverableAt <= now { position = candidate; break }
            }
            position = position ?? inFlight.firstIndex { $0.deliverableAt <= now }
        }
        guard let position else { return nil }
        return inFlight.remove(at: position).message
    }

    /// Whether a message from `from` to `to` gets through now.
    public func isConnected(_ from: NodeID, _ to: NodeID) -> Bool {
        !cutLinks.contains(Link(from: from, to: to))
    }

    /// Cuts the link from `from` to `to` (one direction).
    public mutating func cut(from: NodeID, to: NodeID) { cutLinks.insert(Link(from: from, to: to)) }

    /// Splits `nodes` into two sides with no link between them, both directions.
    public mutating func partition(_ side: [NodeID], from others: [NodeID]) {
        for a in side { for b in others { cut(from: a, to: b); cut(from: b, to: a) } }
    }

    /// Restores every link.
    public mutating func heal() { cutLinks.removeAll() }

    /// Drops every message in flight to or from `node`.
    public mutating func discardMessages(involving node: NodeID) {
        inFlight.removeAll { $0.message.to == node || $0.message.from == node }
    }
}

import Foundation
import QuadCore
import QuadTesting
import Raft
import Testing

/// Scripted scenarios with expected transcripts in `testdata/*.txt`, in the style of etcd's
/// data-driven tests. Each block is a command line, `----`, and the output it must produce.
/// Run with `RAFT_REWRITE=1` to rewrite the files from the actual output (then review the diff).
@Suite struct ScenarioTests {
    static let scenarios = [
        "prevote_checkquorum_asymmetric_partition",
        "higher_term_node_rejoins",
        "slow_follower_after_compaction",
        "membership_change_during_failover",
        "leadership_transfer",
    ]

    /// Each transcript replays exactly.
    @Test(arguments: scenarios)
    func transcript(name: String) throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("testdata").appendingPathComponent("\(name).txt")
        let text = try String(contentsOf: url, encoding: .utf8)
        var runner = ScenarioRunner()
        var rewritten = ""
        for block in Self.blocks(of: text) {
            let actual = runner.run(block.command)
            #expect(actual == block.expected, "\(name): `\(block.command)`")
            rewritten += block.leadingComments + block.command + "\n----\n" + actual + (actual.isEmpty ? "" : "\n") + "\n"
        }
        if ProcessInfo.processInfo.environment["RAFT_REWRITE"] == "1" {
            try rewritten.write(to: url, atomically: true, encoding: .utf8)
        }
    }

    struct Block {
        var leadingComments: String
        var command: String
        var expected: String
    }

    static func blocks(of text: String) -> [Block] {
        var blocks: [Block] = []
        var lines = text.components(separatedBy: "\n")[...]
        while !lines.isEmpty {
            var comments = ""
            while let line = lines.first, line.hasPrefix("#") || line.isEmpty {
                if line.hasPrefix("#") { comments += line + "\n" }
                lines = lines.dropFirst()
            }
            guard let command = lines.first else { break }
            lines = lines.dropFirst()
            if lines.first == "----" { lines = lines.dropFirst() }
            var output: [String] = []
            while let line = lines.first, !line.isEmpty {
                output.append(line)
                lines = lines.dropFirst()
            }
            blocks.append(Block(leadingComments: comments, command: command, expected: output.joined(separator: "\n")))
        }
        return blocks
    }
}

/// Interprets scenario commands against a `RaftGroup`.
struct ScenarioRunner {
    var group = RaftGroup(voters: 1)
    var lastSeen: [NodeID: String] = [:]

    mutating func run(_ line: String) -> String {
        let words = line.split(separator: " ").map(String.init)
        guard let verb = words.first else { return "" }
        let arguments = Array(words.dropFirst())
        let numbers = arguments.compactMap { UInt64($0) }.map { NodeID($0) }
        let trace = arguments.contains("trace")
        group.trace = []
        group.tracing = trace
        var notes: [String] = []
        switch verb {
        case "new":
            let voters = Int(arguments.first ?? "3") ?? 3
            let preVote = !arguments.contains("no-prevote")
            let checkQuorum = !arguments.contains("no-checkquorum")
            let lease = arguments.contains("lease")
            group = RaftGroup(voters: voters) { configuration in
                configuration.preVote = preVote
                configuration.checkQuorum = checkQuorum
                configuration.messageBytesMax = 256
                if lease { configuration.readOnlyMode = .lease }
            }
            lastSeen = [:]
        case "campaign":
            for id in numbers { group.with(id) { $0.campaign() } }
            if arguments.contains("hold-appends") {
                // Deliver the election only; appends stay queued for a later `deliver`.
                var held: [Message] = []
                while !group.pending.isEmpty {
                    held += group.take { $0.kind == .appendEntries }
                    group.deliverAll(limit: 1)
                }
                for message in held { group.enqueue(message) }
            } else {
                group.deliverAll()
            }
        case "deliver":
            group.deliverAll()
        case "tick":
            group.tickAll(Int(arguments.first ?? "1") ?? 1)
        case "tick-node":
            if let id = numbers.first { group.with(id) { $0.tick() } }
            group.deliverAll()
        case "isolate":
            numbers.forEach { group.isolate($0) }
        case "cut":
            if numbers.count >= 2 { group.cutLink(from: numbers[0], to: numbers[1]) }
        case "heal":
            group.heal()
        case "propose":
            if let id = numbers.first {
                let count = numbers.count > 1 ? Int(numbers[1].rawValue) : 1
                for value in 0..<count {
                    if !group.propose(id, [UInt8(value & 0xFF)]) { notes.append("\(id): proposal dropped") }
                }
            }
        case "compact":
            numbers.forEach { group.compact($0) }
            for id in numbers { notes.append("\(id): first index \(group.node(id).firstIndex)") }
        case "add-learner", "add-voter", "remove":
            if numbers.count >= 2 {
                let kind: ConfigurationChange.Kind = verb == "add-learner" ? .addLearner : (verb == "add-voter" ? .addVoter : .removeNode)
                if verb == "add-learner", group.nodes[numbers[1]] == nil { group.add(numbers[1], configuration: .empty) }
                do {
                    try group.with(numbers[0]) { try $0.proposeConfigurationChange(ConfigurationChange(kind: kind, node: numbers[1])) }
                } catch {
                    notes.append("\(numbers[0]): \(error)")
                }
                group.deliverAll()
            }
        case "transfer":
            if numbers.count >= 2 { group.with(numbers[0]) { $0.transferLeadership(to: numbers[1]) } }
            group.deliverAll()
        case "read":
            if let id = numbers.first {
                do { try group.with(id) { try $0.readIndex(context: Array(line.utf8.suffix(4))) } } catch { notes.append("\(id): \(error)") }
                group.deliverAll()
                notes.append("\(id): read states \(group.readStates[id]?.map { "index=\($0.index)" } ?? [])")
            }
        case "status":
            return group.ids.map { describe($0) }.joined(separator: "\n")
        case "log":
            return group.ids.map { "\($0): \(group.logTerms($0).map(String.init).joined(separator: " "))" }.joined(separator: "\n")
        default:
            return "unknown command \(verb)"
        }
        var output = group.trace + notes
        for id in group.ids {
            let now = describe(id)
            if lastSeen[id] != now {
                output.append(now)
                lastSeen[id] = now
            }
        }
        return output.joined(separator: "\n")
    }

    func describe(_ id: NodeID) -> String {
        let node = group.node(id)
        return "\(id): \(node.role.rawValue) term=\(node.term) lead=\(node.leader) commit=\(node.commitIndex) last=\(node.lastIndex) [\(node.membership)]"
    }
}

import QuadCore

/// The kinds of message nodes exchange.
public enum MessageKind: UInt8, Sendable, CaseIterable {
    /// Leader to follower: entries after (`index`, `logTerm`), and the leader's commit.
    case appendEntries = 0
    /// Follower to leader: accepted up to `index`, or rejected with a backtracking hint.
    case appendEntriesResponse = 1
    /// Candidate asks for a vote in `term` with its last (`index`, `logTerm`).
    case requestVote = 2
    /// Grant or refusal of a vote.
    case requestVoteResponse = 3
    /// Pre-candidate asks whether a vote in `term` would be granted; no state changes.
    case requestPreVote = 4
    /// Answer to a pre-vote.
    case requestPreVoteResponse = 5
    /// Leader keep-alive carrying a safe commit index and read context.
    case heartbeat = 6
    /// Follower's answer to a heartbeat, echoing its context.
    case heartbeatResponse = 7
    /// Leader sends a snapshot to a follower that is behind the compacted log.
    case installSnapshot = 8
    /// Leader tells the transfer target to campaign at once.
    case timeoutNow = 9
    /// A follower forwards a read request to the leader.
    case readIndex = 10
    /// The leader answers a forwarded read with the index to wait for.
    case readIndexResponse = 11
    /// A follower forwards a proposal to the leader.
    case propose = 12
}

/// One message between two nodes. Fields a kind does not use stay at their defaults.
public struct Message: Equatable, Sendable, CustomStringConvertible {
    /// What the message is.
    public var kind: MessageKind
    /// Sender.
    public var from: NodeID
    /// Receiver.
    public var to: NodeID
    /// The sender's term (for a pre-vote request, the term it would campaign in).
    public var term: Term
    /// Term of the entry at `index` (append: the previous entry; vote: the last entry;
    /// rejection: the term at `rejectHint`).
    public var logTerm: Term = .zero
    /// Append: the previous index; response: the matched or rejected index; vote: last index.
    public var index: LogIndex = .zero
    /// Entries to append (append, forwarded proposal).
    public var entries: [Entry] = []
    /// The sender's commit index (append, heartbeat).
    public var commit: LogIndex = .zero
    /// Whether a response refuses.
    public var reject: Bool = false
    /// On a rejected append: the follower's best guess of the last matching index.
    public var rejectHint: LogIndex = .zero
    /// The snapshot of an `.installSnapshot`.
    public var snapshot: Snapshot? = nil
    /// Opaque read context (heartbeat, read index) or the transfer marker on a vote request.
    public var context: [UInt8] = []
    /// Heartbeat: the leader's tick when sent; echoed in the response (for leases).
    public var sentTick: UInt64 = 0

    /// Makes a message.
    public init(kind: MessageKind, from: NodeID, to: NodeID, term: Term) {
        self.kind = kind
        self.from = from
        self.to = to
        self.term = term
    }

    /// Whether this is the answer half of a request/response pair.
    public var isResponse: Bool {
        switch kind {
        case .appendEntriesResponse, .requestVoteResponse, .requestPreVoteResponse,
            .heartbeatResponse, .readIndexResponse:
            return true
        default:
            return false
        }
    }

    /// Entry bytes carried, for transport accounting.
    public var entryBytes: Int { entries.byteCount }

    public var description: String {
        var text = "\(from)->\(to) \(kind) term=\(term)"
        switch kind {
        case .appendEntries:
            text += " prev=\(logTerm)/\(index) commit=\(commit) entries=[\(entries.map(\.description).joined(separator: " "))]"
        case .appendEntriesResponse:
            text += reject ? " reject index=\(index) hint=\(logTerm)/\(rejectHint)" : " index=\(index)"
        case .requestVote, .requestPreVote:
            text += " last=\(logTerm)/\(index)" + (context.isEmpty ? "" : " transfer")
        case .requestVoteResponse, .requestPreVoteResponse:
            text += reject ? " reject" : " grant"
        case .heartbeat:
            text += " commit=\(commit)"
        case .installSnapshot:
            if let snapshot { text += " snapshot=\(snapshot.metadata.term)/\(snapshot.metadata.index)" }
        case .readIndexResponse:
            text += " index=\(index)"
        default:
            break
        }
        return text
    }
}

/// Marks a vote request made on a leader's instruction (transfer), which followers honour
/// even while they still hear from a leader.
let transferCampaignContext: [UInt8] = Array("transfer".utf8)

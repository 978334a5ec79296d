import QuadCore
import QuadTesting
import Raft

/// Shorthands for tests.
func n(_ value: UInt64) -> NodeID { NodeID(value) }
func t(_ value: UInt64) -> Term { Term(value) }
func i(_ value: UInt64) -> LogIndex { LogIndex(value) }

/// A group with PreVote and CheckQuorum off: the plain protocol of the Raft paper.
func paperGroup(_ voters: Int, configure: @escaping @Sendable (inout RaftConfiguration) -> Void = { _ in }) -> RaftGroup {
    RaftGroup(voters: voters) { configuration in
        configuration.preVote = false
        configuration.checkQuorum = false
        configure(&configuration)
    }
}

/// A request-vote message as a candidate would send it.
func voteRequest(from: UInt64, to: UInt64, term: UInt64, lastIndex: UInt64, lastTerm: UInt64, pre: Bool = false) -> Message {
    var message = Message(kind: pre ? .requestPreVote : .requestVote, from: n(from), to: n(to), term: t(term))
    message.index = i(lastIndex)
    message.logTerm = t(lastTerm)
    return message
}

/// An append-entries message carrying entries of the given terms after (prevIndex, prevTerm).
func append(from: UInt64, to: UInt64, term: UInt64, prevIndex: UInt64, prevTerm: UInt64, entryTerms: [UInt64], commit: UInt64 = 0) -> Message {
    var message = Message(kind: .appendEntries, from: n(from), to: n(to), term: t(term))
    message.index = i(prevIndex)
    message.logTerm = t(prevTerm)
    message.commit = i(commit)
    message.entries = entryTerms.enumerated().map { offset, term in
        Entry(term: t(term), index: i(prevIndex + UInt64(offset) + 1), payload: [UInt8(term)])
    }
    return message
}

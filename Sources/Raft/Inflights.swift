import QuadCore

/// The AppendEntries messages in flight to one follower, bounded by count and by bytes.
struct Inflights {
    private var sent: [(lastIndex: LogIndex, bytes: Int)] = []
    private(set) var bytes = 0
    let countMax: Int
    let bytesMax: Int

    init(countMax: Int, bytesMax: Int) {
        self.countMax = countMax
        self.bytesMax = bytesMax
    }

    var count: Int { sent.count }
    /// Whether no more messages may be sent until some are acknowledged.
    var isFull: Bool { sent.count >= countMax || bytes >= bytesMax }

    /// Records a message whose last entry is `lastIndex`.
    mutating func add(lastIndex: LogIndex, bytes messageBytes: Int) {
        precondition(!isFull, "inflight window overflow")
        if let last = sent.last { precondition(lastIndex > last.lastIndex, "inflight indices must grow") }
        sent.append((lastIndex, messageBytes))
        bytes += messageBytes
    }

    /// Frees every message whose last index is ≤ `index` (acknowledged).
    mutating func free(through index: LogIndex) {
        var freed = 0
        while freed < sent.count, sent[freed].lastIndex <= index {
            bytes -= sent[freed].bytes
            freed += 1
        }
        sent.removeFirst(freed)
    }

    /// Frees the oldest message, letting a stalled window make progress after a heartbeat.
    mutating func freeFirst() {
        guard let first = sent.first else { return }
        free(through: first.lastIndex)
    }

    mutating func reset() {
        sent.removeAll(keepingCapacity: true)
        bytes = 0
    }
}

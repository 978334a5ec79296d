import QuadCore

/// Everything the shell must do after feeding the core input, in this order:
///
/// 1. Persist `hardState` (if any), install `snapshot` (if any) and append `entries`
///    to stable storage; when `mustSync` is true, fsync before going on.
/// 2. Send `messages` (they may depend on step 1 having been durable).
/// 3. Apply `snapshot` to the state machine, then `committedEntries` in order; answer
///    `readStates` once the applied index reaches each one's index.
/// 4. Call `advance(_:)` with this same value, before any other call on the node.
public struct Ready: Sendable {
    /// Leader and role, when they changed since the last `Ready`.
    public var softState: SoftState?
    /// Term, vote and commit to persist, when they changed.
    public var hardState: HardState?
    /// Entries to append to stable storage (overwriting any from the same index on).
    public var entries: [Entry]
    /// A snapshot received from the leader, to store and apply.
    public var snapshot: Snapshot?
    /// Committed entries to apply to the state machine, in order.
    public var committedEntries: [Entry]
    /// Messages to send once step 1 is durable.
    public var messages: [Message]
    /// Answers to read requests.
    public var readStates: [ReadState]
    /// Whether step 1 must reach stable media before step 2 (term, vote or entries changed).
    public var mustSync: Bool

    /// Whether there is nothing to do.
    public var isEmpty: Bool {
        softState == nil && hardState == nil && entries.isEmpty && snapshot == nil
            && committedEntries.isEmpty && messages.isEmpty && readStates.isEmpty
    }
}

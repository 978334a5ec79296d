import QuadCore
import Raft

/// A simulated disk holding one node's Raft log. Writes land in a visible copy at once (the
/// page cache); `sync()` makes them durable; `crash()` throws away whatever was not synced.
public final class SimulatedDisk: MemoryLogStorage {
    /// What reads see, synced or not.
    public private(set) var visible: MemoryLogState
    /// What survives a crash.
    public private(set) var durable: MemoryLogState
    /// Number of `sync()` calls, for statistics.
    public private(set) var syncCount = 0

    /// An empty disk whose configuration is `configuration` (empty for a joining node).
    public init(configuration: ConfigurationState) {
        visible = MemoryLogState(configuration: configuration)
        durable = visible
    }

    /// Writes what `ready` asks to persist, without syncing.
    public func write(_ ready: Ready) {
        if let hardState = ready.hardState { visible.hardState = hardState }
        if let snapshot = ready.snapshot { visible.apply(snapshot: snapshot) }
        visible.append(ready.entries)
    }

    /// Makes every write so far durable.
    public func sync() {
        durable = visible
        syncCount += 1
    }

    /// Loses every unsynced write, as a power failure would.
    public func crash() { visible = durable }

    /// Records a local snapshot at `index` and compacts the log before it (synced at once).
    public func compact(at index: LogIndex, configuration: ConfigurationState, data: [UInt8]) {
        sync()
        do {
            try visible.createSnapshot(at: index, configuration: configuration, data: data)
            durable = visible
        } catch {
            // The index is not held (a concurrent truncation): skip this compaction.
        }
    }

    public var logState: MemoryLogState { visible }
}

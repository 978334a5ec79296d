/// The row chunks of one incoming snapshot stream, read in order by the snapshot handler.
///
/// Not `Sendable`: it wraps the stream's iterator and belongs to the handler's task.
public final class SnapshotChunkReader {
    private let nextChunk: () async throws -> [UInt8]?

    init(next: @escaping () async throws -> [UInt8]?) {
        nextChunk = next
    }

    /// The next chunk, or `nil` once the sender finished the stream; throws if the stream failed.
    public func next() async throws -> [UInt8]? { try await nextChunk() }
}

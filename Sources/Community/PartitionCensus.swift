import QuadCore

/// Counts over one partition's rows, for operators (`quadctl partitions`).
public enum PartitionCensus {
    /// Counting stops here and the answer means "at least this many": the scan stays bounded.
    public static let countMax = PartitionStatus.workspaceCountMax
    /// Rows read per scan step.
    static let pageRows = 1_000

    /// Workspaces stored in the partition `reader` reads, up to `countMax`.
    public static func workspaceCount(_ reader: some RowReader) throws -> Int {
        let table = RowKey(.workspace)
        var lower = table.bytes
        let upper = table.prefixEnd
        var count = 0
        while count < countMax {
            let page = try reader.scan(from: lower, to: upper, reverse: false, limit: min(pageRows, countMax - count))
            count += page.count
            guard page.count == pageRows, let last = page.last else { break }
            lower = last.key + [0]
        }
        return count
    }
}

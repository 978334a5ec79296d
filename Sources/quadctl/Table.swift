/// Columns padded to their widest cell, two spaces apart, as `kubectl get` and `etcdctl -w table` print.
struct Table {
    let headers: [String]
    private(set) var rows: [[String]] = []

    init(_ headers: String...) { self.headers = headers }

    mutating func add(_ cells: String...) {
        precondition(cells.count == headers.count, "a row has one cell per column")
        rows.append(cells)
    }

    var rendered: String {
        let all = [headers] + rows
        let widths = headers.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        return all.map { row in
            row.indices.map { column in
                column == row.count - 1 ? row[column]
                    : row[column].padding(toLength: widths[column], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }
}

/// 1536 -> "1.5 KiB".
func byteCount(_ bytes: UInt64) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB"]
    var value = Double(bytes)
    var unit = 0
    while value >= 1024, unit < units.count - 1 {
        value /= 1024
        unit += 1
    }
    return unit == 0 ? "\(bytes) B" : String(format: "%.1f %@", value, units[unit])
}

/// "1,2,3", or "-" for none.
func nodeList(_ ids: [UInt64]) -> String { ids.isEmpty ? "-" : ids.map(String.init).joined(separator: ",") }

/// 40 -> "40ms ago", 2500 -> "2.5s ago", 200000 -> "3m20s ago".
func heardAgo(_ milliseconds: UInt64) -> String {
    if milliseconds < 1_000 { return "\(milliseconds)ms ago" }
    if milliseconds < 60_000 { return String(format: "%.1fs ago", Double(milliseconds) / 1_000) }
    let seconds = milliseconds / 1_000
    return "\(seconds / 60)m\(seconds % 60)s ago"
}

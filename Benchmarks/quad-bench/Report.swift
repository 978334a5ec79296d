import Foundation

/// The results as a table for people or JSON for machines.
enum Report {
    struct Row: Sendable {
        var workload: String
        var system: String
        var measurement: Measurement
    }

    static func table(_ rows: [Row], settings: [String: String]) -> String {
        var lines = [settings.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")]
        // For fanout, acked and failed count deliveries to subscribers, and latency is post sent -> event received.
        let header = ["workload", "system", "acked", "failed", "ops/s", "p50 ms", "p99 ms", "p99.9 ms", "fsyncs/op"]
        var cells = [header]
        for row in rows {
            let m = row.measurement
            cells.append([row.workload, row.system, "\(m.acknowledged)", "\(m.failed)",
                          String(format: "%.0f", m.throughput),
                          String(format: "%.2f", m.percentileMilliseconds(50)),
                          String(format: "%.2f", m.percentileMilliseconds(99)),
                          String(format: "%.2f", m.percentileMilliseconds(99.9)),
                          row.workload.hasPrefix("post") ? String(format: "%.2f", m.fsyncsPerOperation) : "-"])
        }
        let widths = header.indices.map { column in cells.map { $0[column].count }.max() ?? 0 }
        for row in cells {
            lines.append(row.enumerated().map { index, cell in
                index < 2 ? cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
                    : String(repeating: " ", count: widths[index] - cell.count) + cell
            }.joined(separator: "  "))
        }
        for quad in rows where quad.workload.hasPrefix("post ") && quad.system == "quad" {
            if let etcd = rows.first(where: { $0.workload == quad.workload && $0.system == "etcd" }),
               etcd.measurement.throughput > 0 {
                lines.append(String(format: "quad/etcd post throughput ratio (%@): %.2f",
                                    String(quad.workload.dropFirst(5)),
                                    quad.measurement.throughput / etcd.measurement.throughput))
            }
        }
        if let reads = rows.first(where: { $0.workload == "read" && $0.system == "quad" }),
           let posts = rows.first(where: { $0.workload == "post" && $0.system == "quad" }),
           posts.measurement.throughput > 0 {
            lines.append(String(format: "quad history reads / quad posts: %.2f",
                                reads.measurement.throughput / posts.measurement.throughput))
        }
        return lines.joined(separator: "\n")
    }

    static func postRatio(_ rows: [Row]) -> Double? {
        guard let quad = rows.first(where: { $0.workload == "post" && $0.system == "quad" }),
              let etcd = rows.first(where: { $0.workload == "post" && $0.system == "etcd" }),
              etcd.measurement.throughput > 0 else { return nil }
        return quad.measurement.throughput / etcd.measurement.throughput
    }

    static func json(_ rows: [Row], settings: [String: String]) throws -> String {
        let results: [[String: Any]] = rows.map { row in
            let m = row.measurement
            return ["workload": row.workload, "system": row.system, "acknowledged": m.acknowledged,
                    "failed": m.failed, "seconds": m.seconds, "ops_per_second": m.throughput,
                    "p50_ms": m.percentileMilliseconds(50), "p99_ms": m.percentileMilliseconds(99),
                    "p999_ms": m.percentileMilliseconds(99.9), "fsyncs_per_op": m.fsyncsPerOperation]
        }
        var document: [String: Any] = ["settings": settings, "results": results]
        if let ratio = postRatio(rows) { document["quad_etcd_post_ratio"] = ratio }
        let data = try JSONSerialization.data(withJSONObject: document, options: [.sortedKeys, .prettyPrinted])
        return String(decoding: data, as: UTF8.self)
    }
}

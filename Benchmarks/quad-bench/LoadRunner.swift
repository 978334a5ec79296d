import Foundation
import Histogram
import Synchronization

/// What one workload on one system measured: acknowledged operations, failures, latencies
/// (microseconds) and the fsyncs every member made meanwhile.
struct Measurement: Sendable {
    var acknowledged = 0
    var failed = 0
    var seconds = 0.0
    var fsyncs = 0.0
    var latencies = Histogram<UInt64>(highestTrackableValue: Self.latencyMicrosecondsMax,
                                      numberOfSignificantValueDigits: .three)

    /// A minute: a slower answer is recorded as a minute.
    static let latencyMicrosecondsMax: UInt64 = 60_000_000

    /// `duration` in whole microseconds, as latencies are recorded (negative counts as zero).
    static func microseconds(_ duration: Duration) -> UInt64 {
        UInt64(max(0, duration.components.seconds)) * 1_000_000
            + UInt64(max(0, duration.components.attoseconds / 1_000_000_000_000))
    }

    var throughput: Double { seconds > 0 ? Double(acknowledged) / seconds : 0 }
    var fsyncsPerOperation: Double { acknowledged > 0 ? fsyncs / Double(acknowledged) : 0 }
    func percentileMilliseconds(_ percentile: Double) -> Double {
        Double(latencies.valueAtPercentile(percentile)) / 1000
    }

    mutating func add(_ other: Measurement) {
        acknowledged += other.acknowledged
        failed += other.failed
        seconds += other.seconds
        fsyncs += other.fsyncs
        latencies.add(other.latencies)
    }
}

/// Completed operations across clients, for the progress line.
final class ProgressCounter: Sendable {
    let completed = Atomic<Int>(0)
}

/// Runs `clients` concurrent closed-loop clients for `duration`: each sends its next operation as
/// soon as the previous one is answered.
enum LoadRunner {
    static func run(clients: Int, duration: Duration, label: String, showProgress: Bool,
                    fsyncs: @escaping @Sendable () async throws -> Double,
                    operation: @escaping @Sendable (_ client: Int, _ sequence: Int) async throws -> Bool)
        async throws -> Measurement {
        let before = try await fsyncs()
        let progress = ProgressCounter()
        let clock = ContinuousClock()
        let start = clock.now
        let end = start + duration
        let reporter = Task {
            guard showProgress else { return }
            var last = 0
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(1))
                let now = progress.completed.load(ordering: .relaxed)
                FileHandle.standardError.write(Data("  \(label): \(now) ops, \(now - last)/s\n".utf8))
                last = now
            }
        }
        defer { reporter.cancel() }
        var total = try await withThrowingTaskGroup(of: Measurement.self) { group in
            for client in 0..<clients {
                group.addTask {
                    var mine = Measurement()
                    var sequence = 0
                    while clock.now < end {
                        let began = clock.now
                        let acknowledged = (try? await operation(client, sequence)) ?? false
                        let micros = Measurement.microseconds(began.duration(to: clock.now))
                        if acknowledged {
                            mine.acknowledged += 1
                            _ = mine.latencies.record(min(micros, Measurement.latencyMicrosecondsMax))
                        } else {
                            mine.failed += 1
                        }
                        sequence += 1
                        progress.completed.add(1, ordering: .relaxed)
                    }
                    return mine
                }
            }
            var merged = Measurement()
            for try await part in group { merged.add(part) }
            return merged
        }
        let elapsed = start.duration(to: clock.now)
        total.seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        total.fsyncs = try await fsyncs() - before
        return total
    }
}

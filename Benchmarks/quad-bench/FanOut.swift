import Foundation
import Histogram
import Logging
import NIOCore
import HTTPTypes
import Synchronization
import WSClient

/// Delivery of posts to WebSocket subscribers: N subscribers of one workspace's events, spread
/// over the three nodes, while posts arrive at a fixed rate; each subscriber records the time
/// from a post being sent to its event arriving.
final class FanOut: Sendable {
    /// When each post was sent, by client_msg_id.
    let sent = Mutex<[String: ContinuousClock.Instant]>([:])
    let ready = Atomic<Int>(0)
    let delivered = Mutex<Measurement>(Measurement())
    /// Frames are small (one 256-byte message and its event); this bounds a misbehaving one.
    static let frameBytesMax = 1 << 20

    /// Runs one subscriber until its task is cancelled.
    func subscribe(url: String, token: String) async throws {
        var headers = HTTPFields()
        headers[.authorization] = "Bearer \(token)"
        let configuration = WebSocketClientConfiguration(maxFrameSize: Self.frameBytesMax, additionalHeaders: headers)
        let clock = ContinuousClock()
        _ = try await WebSocketClient.connect(url: url, configuration: configuration,
                                              logger: Logger(label: "quad-bench-ws")) { inbound, _, _ in
            var mine = Measurement()
            defer { self.delivered.withLock { $0.add(mine) } }
            for try await message in inbound.messages(maxSize: Self.frameBytesMax) {
                guard case .text(let text) = message else { continue }
                if text.contains(#""type":"ready""#) {
                    self.ready.add(1, ordering: .relaxed)
                    continue
                }
                guard let id = Self.clientMessageID(in: text),
                      let sentAt = self.sent.withLock({ $0[id] }) else { continue }
                let micros = Measurement.microseconds(sentAt.duration(to: clock.now))
                mine.acknowledged += 1
                _ = mine.latencies.record(min(micros, Measurement.latencyMicrosecondsMax))
                if Task.isCancelled { break }
            }
        }
    }

    /// The message's client_msg_id in an event frame, found without parsing the whole frame
    /// (the tool shares the machine with the cluster it measures).
    static func clientMessageID(in text: String) -> String? {
        guard let start = text.range(of: #""client_msg_id":""#) else { return nil }
        guard let end = text[start.upperBound...].firstIndex(of: "\"") else { return nil }
        return String(text[start.upperBound..<end])
    }
}

extension QuadBench {
    /// Opens `subscribers` WebSocket subscriptions to the first workspace, posts `fanoutRate`
    /// messages per second into it for `duration` seconds, and reports delivery to them.
    func measureFanOut(quad: QuadCluster) async throws -> Report.Row {
        let fanOut = FanOut()
        let workspace = quad.channels[0].0
        let subscriptions = (0..<subscribers).map { index in
            let base = quad.apiBases[index % quad.apiBases.count].replacingOccurrences(of: "http://", with: "ws://")
            return Task { try await fanOut.subscribe(url: base + "/v1/workspaces/\(workspace)/events", token: quad.token) }
        }
        defer { for subscription in subscriptions { subscription.cancel() } }
        let readyBy = ContinuousClock.now + .seconds(120)
        while fanOut.ready.load(ordering: .relaxed) < subscribers {
            guard ContinuousClock.now < readyBy else {
                throw BenchError("only \(fanOut.ready.load(ordering: .relaxed)) of \(subscribers) subscribers connected")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        progress("\(subscribers) subscribers ready; posting \(fanoutRate)/s for \(duration) s")
        let interval = Duration.seconds(1) / fanoutRate
        let end = ContinuousClock.now + .seconds(duration)
        var next = ContinuousClock.now
        var posted = 0
        var failed = 0
        while next < end {
            try await Task.sleep(until: next)
            let id = "f-\(posted + failed)"
            fanOut.sent.withLock { $0[id] = ContinuousClock.now }
            if (try? await quad.post(workspaceIndex: 0, clientMessageID: id)) == true { posted += 1 } else { failed += 1 }
            next += interval
        }
        // Let the last deliveries arrive.
        try await Task.sleep(for: .seconds(2))
        for subscription in subscriptions { subscription.cancel() }
        for subscription in subscriptions { _ = await subscription.result }
        var measurement = fanOut.delivered.withLock { $0 }
        let expected = posted * subscribers
        measurement.failed = max(0, expected - measurement.acknowledged)
        measurement.seconds = Double(duration)
        progress("fan-out: \(posted) posts (\(failed) failed), \(measurement.acknowledged) of \(expected) deliveries")
        return Report.Row(workload: "fanout", system: "quad", measurement: measurement)
    }
}

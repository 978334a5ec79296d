import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// A server process the tool started on loopback; terminated (then killed) on `stop`.
final class ChildProcess: @unchecked Sendable {
    let process = Process()
    let name: String

    init(name: String, executable: String, arguments: [String], log: String) throws {
        self.name = name
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
    }

    var isRunning: Bool { process.isRunning }

    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        for _ in 0..<100 where process.isRunning { usleep(50_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}

/// Free loopback ports: bound to port 0 and released, so a child can take them a moment later.
enum Ports {
    static func free(_ count: Int) throws -> [Int] {
        var sockets: [Int32] = []
        var ports: [Int] = []
        defer { for socket in sockets { close(socket) } }
        for _ in 0..<count {
            let socket = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = 0
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let bound = withUnsafeMutablePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                    bind(socket, raw, length) == 0 && getsockname(socket, raw, &length) == 0
                }
            }
            guard bound else { throw BenchError("could not find a free loopback port") }
            sockets.append(socket)
            ports.append(Int(UInt16(bigEndian: address.sin_port)))
        }
        return ports
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// HTTP helpers over one shared client.
struct HTTP: Sendable {
    let client: HTTPClient
    /// Responses larger than this are refused: pages of 50 small messages are far smaller.
    static let bodyBytesMax = 4 << 20

    func send(_ method: HTTPMethod, _ url: String, token: String? = nil, body: [UInt8]? = nil,
              timeout: TimeAmount = .seconds(30)) async throws -> (status: Int, body: ByteBuffer) {
        var request = HTTPClientRequest(url: url)
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let response = try await client.execute(request, timeout: timeout)
        let bytes = try await response.body.collect(upTo: Self.bodyBytesMax)
        return (Int(response.status.code), bytes)
    }

    func json(_ method: HTTPMethod, _ url: String, token: String? = nil, _ object: Any? = nil) async throws
        -> (status: Int, json: [String: Any]) {
        let body = try object.map { Array(try JSONSerialization.data(withJSONObject: $0)) }
        let (status, buffer) = try await send(method, url, token: token, body: body)
        let json = (try? JSONSerialization.jsonObject(with: Data(buffer.readableBytesView))) as? [String: Any] ?? [:]
        return (status, json)
    }

    /// Waits until `url` answers 200.
    func waitUntilUp(_ url: String, seconds: Int = 60, name: String) async throws {
        for _ in 0..<(seconds * 10) {
            if let answer = try? await send(.GET, url, timeout: .seconds(2)), answer.status == 200 { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw BenchError("\(name) did not answer \(url) within \(seconds) s")
    }

    /// The unlabelled samples of a Prometheus text exposition, summed by name.
    func metrics(_ url: String) async throws -> [String: Double] {
        let (_, buffer) = try await send(.GET, url)
        var values: [String: Double] = [:]
        for line in String(buffer: buffer).split(separator: "\n") where !line.hasPrefix("#") {
            let parts = line.split(separator: " ")
            guard parts.count >= 2, let value = Double(parts[1]) else { continue }
            let name = parts[0].split(separator: "{").first.map(String.init) ?? String(parts[0])
            values[name, default: 0] += value
        }
        return values
    }
}

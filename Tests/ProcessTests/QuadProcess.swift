import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A real `quad` process on loopback, started and killed by the test.
final class QuadProcess {
    let dataDirectory: String
    let port: Int
    /// More flags for `quad` (cluster membership, node ID).
    let extraArguments: [String]
    private var process: Process?

    /// Where `swift build` put the executables (`QUAD_BIN_PATH`, set by `make test`).
    static var binPath: String {
        if let path = ProcessInfo.processInfo.environment["QUAD_BIN_PATH"] { return path }
        let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return packageRoot.appendingPathComponent(".build/debug").path
    }

    init(dataDirectory: String, port: Int, extraArguments: [String] = []) {
        self.dataDirectory = dataDirectory
        self.port = port
        self.extraArguments = extraArguments
    }

    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Starts the node and waits (polling, with a deadline) until it answers /health.
    func start() async throws {
        let binary = Self.binPath + "/quad"
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw ProcessTestError("no quad binary at \(binary); run `swift build` (make test does) first")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["--data-dir", dataDirectory, "--port", String(port), "--dev-signin",
                             "--log-level", ProcessInfo.processInfo.environment["QUAD_TEST_LOG_LEVEL"] ?? "warning"] + extraArguments
        process.standardOutput = FileHandle.nullDevice
        // The node's log (and a crash report, if any) goes to a file in its data directory.
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        let logPath = dataDirectory + "/quad.log"
        if !FileManager.default.fileExists(atPath: logPath) {
            _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        }
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        try log.seekToEnd()
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        var environment = ProcessInfo.processInfo.environment
        environment["SWIFT_BACKTRACE"] = "enable=yes,interactive=no"
        process.environment = environment
        try process.run()
        self.process = process
        try await poll(deadline: .seconds(30), "quad to answer /health") {
            guard process.isRunning else { throw ProcessTestError("quad exited with \(process.terminationStatus)") }
            return (try? await HTTP.request("GET", baseURL + "/health", token: nil, body: nil).status) == 200
        }
    }

    /// Whether the process is alive.
    var isRunning: Bool { process?.isRunning ?? false }

    /// Waits (polling) until the node exits by itself; returns its exit status.
    func waitForExit(deadline: Duration) async throws -> Int32 {
        guard let process else { throw ProcessTestError("quad is not running") }
        try await poll(deadline: deadline, "quad to exit") { !process.isRunning }
        self.process = nil
        return process.terminationStatus
    }

    /// SIGKILL: no shutdown handler runs, nothing is flushed.
    func kill9() {
        guard let process, process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        self.process = nil
    }

    /// SIGTERM and wait; returns the exit status (0 after a clean shutdown, nil if not running).
    @discardableResult
    func stop() -> Int32? {
        guard let process, process.isRunning else { return nil }
        process.terminate()
        process.waitUntilExit()
        self.process = nil
        return process.terminationStatus
    }

    /// The last `lines` lines of the node's log (its stderr, with any crash report), for failure messages.
    func logTail(lines: Int = 200) -> String {
        let text = (try? String(contentsOfFile: dataDirectory + "/quad.log", encoding: .utf8)) ?? ""
        return text.split(separator: "\n", omittingEmptySubsequences: false).suffix(lines).joined(separator: "\n")
    }

    /// A token minted by the real `quadctl dev-token`.
    func token(user: String, admin: Bool = false) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binPath + "/quadctl")
        process.arguments = ["dev-token", "--data-dir", dataDirectory, "--user", user] + (admin ? ["--admin"] : [])
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw ProcessTestError("quadctl dev-token failed") }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Runs the real `quadctl` against this node (`--endpoint`, an admin dev token from its data
    /// directory) and returns its exit status and standard output.
    ///
    /// The blocking wait happens on a Dispatch thread, not on one of the (two, on CI) threads of
    /// Swift's cooperative pool that every other test shares.
    func quadctl(_ arguments: [String]) async throws -> (status: Int32, output: String) {
        let arguments = arguments + ["--endpoint", baseURL, "--dev-data-dir", dataDirectory]
        return try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: Self.binPath + "/quadctl")
                process.arguments = arguments
                let pipe = Pipe(), errors = Pipe()
                process.standardOutput = pipe
                process.standardError = errors
                do {
                    try process.run()
                } catch {
                    continuation.resume(throwing: error)
                    return
                }
                let data = pipe.fileHandleForReading.readDataToEndOfFile()
                let message = errors.fileHandleForReading.readDataToEndOfFile()
                process.waitUntilExit()
                // A failure's message (standard error) follows the output, for the test's report.
                let output = String(decoding: data, as: UTF8.self)
                    + (process.terminationStatus == 0 ? "" : String(decoding: message, as: UTF8.self))
                continuation.resume(returning: (process.terminationStatus, output))
            }
        }
    }

    deinit { kill9() }
}

struct ProcessTestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Polls `condition` every 50 ms until it holds or the deadline passes.
func poll(deadline: Duration, _ what: String, _ condition: () async throws -> Bool) async throws {
    let clock = ContinuousClock()
    let end = clock.now + deadline
    while clock.now < end {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(50))
    }
    throw ProcessTestError("timed out waiting for \(what)")
}

/// A free loopback port, found by binding port 0.
func freePort() throws -> Int {
    let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard socketFD >= 0 else { throw ProcessTestError("socket() failed") }
    defer { close(socketFD) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socketFD, $0, length) }
    }
    guard bound == 0 else { throw ProcessTestError("bind() failed") }
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socketFD, $0, &length) }
    }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// Minimal JSON-over-HTTP client on URLSession.
enum HTTP {
    struct Answer {
        var status: Int
        var json: [String: Any]
        /// The body as text (a calendar feed is not JSON).
        var text = ""
    }

    static let session: URLSession = {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpMaximumConnectionsPerHost = 16
        configuration.timeoutIntervalForRequest = 30
        return URLSession(configuration: configuration)
    }()

    static func request(_ method: String, _ url: String, token: String?, body: [String: Any]?) async throws -> Answer {
        guard let target = URL(string: url) else { throw ProcessTestError("bad URL \(url)") }
        var request = URLRequest(url: target)
        request.httpMethod = method
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        if let body {
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            request.httpBody = try JSONSerialization.data(withJSONObject: body)
        }
        let (data, response) = try await session.data(for: request)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        let json = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
        return Answer(status: status, json: json, text: String(decoding: data, as: UTF8.self))
    }
}

import Foundation
import QuadCore

/// A 32-byte secret kept hex-encoded in a file of the data directory (mode 0600), created on
/// first use. Every node of a cluster needs the same copy of each (cluster/local.sh shares
/// them; docs/operations.md says which to copy), and each is backed up with the data directory.
public struct NodeKeyFile: Sendable {
    public static let keyBytes = 32
    /// The file's name inside the data directory.
    public let fileName: String

    /// Development sign-in: HS256 tokens from `quadctl dev-token` (only with `--dev-signin`).
    public static let developmentSignin = NodeKeyFile(fileName: "dev-signin.key")
    /// Seals meeting provider credentials stored in the cluster.
    public static let providerCredentials = NodeKeyFile(fileName: "provider-credentials.key")
    /// Signs session tokens and LTI login states, and derives the LTI tool key, so that a
    /// session or a login begun on one node is honoured by every other.
    public static let sessions = NodeKeyFile(fileName: "session.key")

    public func path(in dataDirectory: String) -> String {
        (dataDirectory as NSString).appendingPathComponent(fileName)
    }

    /// Reads the key, creating it on first use.
    public func loadOrCreate(dataDirectory: String) throws -> [UInt8] {
        if let existing = try load(dataDirectory: dataDirectory) { return existing }
        var generator = SystemRandomNumberGenerator()
        let key = (0..<Self.keyBytes).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let path = path(in: dataDirectory)
        guard FileManager.default.createFile(atPath: path, contents: Data((Hex.encode(key) + "\n").utf8),
                                             attributes: [.posixPermissions: 0o600]) else {
            throw APIError(.internalServerError, "key_write_failed", "Could not write \(path).")
        }
        return key
    }

    /// Reads the key; nil when the file does not exist.
    public func load(dataDirectory: String) throws -> [UInt8]? {
        let path = path(in: dataDirectory)
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let bytes = Hex.decode(text), bytes.count == Self.keyBytes else {
            throw APIError(.internalServerError, "bad_key", "\(path) does not hold \(Self.keyBytes * 2) hex digits.")
        }
        return bytes
    }
}

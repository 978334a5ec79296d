import Crypto
import Foundation

/// Seals provider credentials for storage (AES-256-GCM with a node key), so a stored row or a
/// log entry never holds a secret in the clear, and a tampered one fails to open.
public struct CredentialSealer: Sendable {
    /// AES-256.
    public static let keyBytes = 32
    let key: SymmetricKey

    /// `key` must be `keyBytes` long (a programmer error otherwise).
    public init(key: [UInt8]) {
        precondition(key.count == Self.keyBytes, "credential keys are 32 bytes")
        self.key = SymmetricKey(data: key)
    }

    /// Nonce, ciphertext and tag in one value. The associated data (such as the platform ID and
    /// provider) must be given again to open it, so a sealed value cannot be moved to another platform.
    public func seal(_ plaintext: [UInt8], associatedData: String) throws -> [UInt8] {
        let box = try AES.GCM.seal(plaintext, using: key, authenticating: Data(associatedData.utf8))
        guard let combined = box.combined else { throw ProviderError(.unsupported, "AES-GCM gave no combined form.") }
        return Array(combined)
    }

    public func open(_ sealed: [UInt8], associatedData: String) throws -> [UInt8] {
        let box = try AES.GCM.SealedBox(combined: sealed)
        return Array(try AES.GCM.open(box, using: key, authenticating: Data(associatedData.utf8)))
    }
}

import Crypto
import Foundation
import QuadCore

/// Seals provider credentials for storage (AES-256-GCM with a node key), so a stored row or a
/// log entry never holds a secret in the clear, and a tampered one fails to open.
///
/// Sealed values name their key: `1`, the key's ID (the first 8 bytes of its SHA-256), then
/// nonce, ciphertext and tag. Sealed rows are replicated, so every node of a cluster must hold
/// the same key; a node with another key says so (`SealedWithAnotherKey`) instead of failing
/// to authenticate. Values sealed before key IDs (nonce first) still open.
public struct CredentialSealer: Sendable {
    /// AES-256.
    public static let keyBytes = 32
    /// Bytes of a key ID.
    public static let keyIDBytes = 8
    /// The first byte of a sealed value that names its key.
    static let formatWithKeyID: UInt8 = 1
    let key: SymmetricKey
    /// This key's ID, hex in messages.
    public let keyID: [UInt8]

    /// `key` must be `keyBytes` long (a programmer error otherwise).
    public init(key: [UInt8]) {
        precondition(key.count == Self.keyBytes, "credential keys are 32 bytes")
        self.key = SymmetricKey(data: key)
        self.keyID = Array(SHA256.hash(data: key).prefix(Self.keyIDBytes))
    }

    /// Format, key ID, nonce, ciphertext and tag in one value. The associated data (such as the
    /// platform ID and provider) must be given again to open it, so a sealed value cannot be moved
    /// to another platform.
    public func seal(_ plaintext: [UInt8], associatedData: String) throws -> [UInt8] {
        let box = try AES.GCM.seal(plaintext, using: key, authenticating: Data(associatedData.utf8))
        guard let combined = box.combined else { throw ProviderError(.unsupported, "AES-GCM gave no combined form.") }
        return [Self.formatWithKeyID] + keyID + Array(combined)
    }

    /// The plaintext; throws `SealedWithAnotherKey` when another key sealed it, and a Crypto error
    /// when it was tampered with or the associated data differs.
    public func open(_ sealed: [UInt8], associatedData: String) throws -> [UInt8] {
        let headerBytes = 1 + Self.keyIDBytes
        if sealed.count > headerBytes, sealed[0] == Self.formatWithKeyID {
            let sealedBy = Array(sealed[1..<headerBytes])
            if sealedBy == keyID { return try openCombined(Array(sealed[headerBytes...]), associatedData) }
            // A value from before key IDs whose random nonce starts with 1 (1 in 256) still opens.
            if let old = try? openCombined(sealed, associatedData) { return old }
            throw SealedWithAnotherKey(sealedBy: sealedBy, thisKey: keyID)
        }
        return try openCombined(sealed, associatedData)
    }

    private func openCombined(_ combined: [UInt8], _ associatedData: String) throws -> [UInt8] {
        let box = try AES.GCM.SealedBox(combined: combined)
        return Array(try AES.GCM.open(box, using: key, authenticating: Data(associatedData.utf8)))
    }
}

/// A sealed value that another key sealed: in a cluster, a node whose key file differs.
public struct SealedWithAnotherKey: Error, Sendable, Equatable, CustomStringConvertible {
    public let sealedBy: [UInt8]
    public let thisKey: [UInt8]

    public init(sealedBy: [UInt8], thisKey: [UInt8]) {
        self.sealedBy = sealedBy
        self.thisKey = thisKey
    }

    public var description: String {
        "These credentials were sealed with key \(Hex.encode(sealedBy)) but this node's key is \(Hex.encode(thisKey)): "
            + "every node of a cluster needs the same provider-credentials.key."
    }
}

/// The checksummed framing of every value in `raft_log` and `raft_state`:
/// `[version u8][body][CRC32C u32 BE]`, the CRC taken over the key, the version and the body.
///
/// Covering the key means a value copied under the wrong key (a misdirected write, a
/// bit flip in a key) fails its check too, not only a damaged value.
enum SealedValue {
    /// The only framing version so far.
    static let version: UInt8 = 1
    /// Version byte plus CRC.
    static let overheadBytes = 5

    static func seal(key: [UInt8], body: [UInt8]) -> [UInt8] {
        var value: [UInt8] = []
        value.reserveCapacity(body.count + overheadBytes)
        value.append(version)
        value.append(contentsOf: body)
        var crc = CRC32C()
        crc.update(key)
        crc.update(value)
        BigEndian.append(crc.value, to: &value)
        return value
    }

    /// The body of `value`, after checking its version and CRC; `corrupt_entry` otherwise.
    static func open(key: [UInt8], value: [UInt8], what: @autoclosure () -> String) throws(StorageError) -> ArraySlice<UInt8> {
        guard value.count >= overheadBytes else {
            throw StorageError(code: "corrupt_entry", message: "\(what()): \(value.count) bytes is too short")
        }
        let framed = value[..<(value.count - 4)]
        let stored = BigEndian.read(value[...], at: value.count - 4, width: 4)
        var crc = CRC32C()
        crc.update(key)
        crc.update(framed)
        guard stored == UInt64(crc.value) else {
            throw StorageError(
                code: "corrupt_entry",
                message: "\(what()): CRC32C mismatch (stored \(stored ?? 0), computed \(crc.value))"
            )
        }
        guard framed[framed.startIndex] == version else {
            throw StorageError(code: "corrupt_entry", message: "\(what()): unknown value version \(framed[framed.startIndex])")
        }
        return framed.dropFirst()
    }
}

/// Appends big-endian fixed-width integers and length-prefixed bytes to a buffer.
///
/// Big-endian so that encoded keys sort in numeric order (RocksDB compares
/// keys byte-wise). Used for Command payloads, stored rows and keys.
public struct BinaryWriter: Sendable {
    /// The bytes written so far.
    public private(set) var bytes: [UInt8]

    public init(capacity: Int = 64) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    public mutating func write(_ value: UInt8) { bytes.append(value) }
    public mutating func write(_ value: Bool) { bytes.append(value ? 1 : 0) }
    public mutating func write(_ value: UInt16) { appendBigEndian(UInt64(value), width: 2) }
    public mutating func write(_ value: UInt32) { appendBigEndian(UInt64(value), width: 4) }
    public mutating func write(_ value: UInt64) { appendBigEndian(value, width: 8) }
    public mutating func write(_ value: Int64) { write(UInt64(bitPattern: value)) }

    /// Writes raw bytes with no length prefix (for key parts of fixed width or the last part).
    public mutating func writeRaw(_ value: some Sequence<UInt8>) { bytes.append(contentsOf: value) }

    /// Writes a u32 length then the bytes.
    public mutating func writeBytes(_ value: [UInt8]) {
        precondition(value.count <= Int(UInt32.max), "byte string longer than the u32 length prefix")
        write(UInt32(value.count))
        bytes.append(contentsOf: value)
    }

    /// Writes a u32 length then the UTF-8 bytes.
    public mutating func write(_ value: String) { writeBytes(Array(value.utf8)) }

    /// Writes a presence byte then the value.
    public mutating func write(_ value: String?) {
        if let value { write(true); write(value) } else { write(false) }
    }

    /// Writes a string for use inside a key: the UTF-8 bytes then a 0 terminator,
    /// so that shorter strings sort before their extensions and prefixes stay unambiguous.
    /// The caller guarantees the string has no NUL (identifiers are validated).
    public mutating func writeKeyString(_ value: String) {
        precondition(!value.utf8.contains(0), "key strings must not contain NUL")
        bytes.append(contentsOf: value.utf8)
        bytes.append(0)
    }

    private mutating func appendBigEndian(_ value: UInt64, width: Int) {
        var shift = (width - 1) * 8
        while shift >= 0 {
            bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift)))
            shift -= 8
        }
    }
}

/// A decoding failure: the bytes are not what the reader expected.
public struct DecodingError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { "decoding error: \(message)" }
}

/// Reads what `BinaryWriter` wrote, checking every length against the bytes left.
public struct BinaryReader: Sendable {
    public let bytes: [UInt8]
    public private(set) var offset: Int

    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
        self.offset = 0
    }

    /// Whether every byte has been consumed.
    public var isAtEnd: Bool { offset == bytes.count }
    public var remainingCount: Int { bytes.count - offset }

    public mutating func readUInt8() throws(DecodingError) -> UInt8 {
        guard offset < bytes.count else { throw DecodingError("unexpected end of input at \(offset)") }
        defer { offset += 1 }
        return bytes[offset]
    }

    public mutating func readBool() throws(DecodingError) -> Bool {
        switch try readUInt8() {
        case 0: return false
        case 1: return true
        case let other: throw DecodingError("invalid boolean byte \(other)")
        }
    }

    public mutating func readUInt16() throws(DecodingError) -> UInt16 { UInt16(try readBigEndian(width: 2)) }
    public mutating func readUInt32() throws(DecodingError) -> UInt32 { UInt32(try readBigEndian(width: 4)) }
    public mutating func readUInt64() throws(DecodingError) -> UInt64 { try readBigEndian(width: 8) }
    public mutating func readInt64() throws(DecodingError) -> Int64 { Int64(bitPattern: try readUInt64()) }

    public mutating func readBytes() throws(DecodingError) -> [UInt8] {
        let count = Int(try readUInt32())
        guard count <= remainingCount else {
            throw DecodingError("length \(count) exceeds the \(remainingCount) bytes left")
        }
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }

    public mutating func readString() throws(DecodingError) -> String {
        let raw = try readBytes()
        guard let string = String(validating: raw, as: UTF8.self) else {
            throw DecodingError("invalid UTF-8")
        }
        return string
    }

    public mutating func readOptionalString() throws(DecodingError) -> String? {
        try readBool() ? try readString() : nil
    }

    /// Reads a NUL-terminated key string written by `writeKeyString`.
    public mutating func readKeyString() throws(DecodingError) -> String {
        guard let end = bytes[offset...].firstIndex(of: 0) else {
            throw DecodingError("unterminated key string")
        }
        guard let string = String(validating: bytes[offset..<end], as: UTF8.self) else {
            throw DecodingError("invalid UTF-8 in key")
        }
        offset = end + 1
        return string
    }

    /// Throws unless every byte was consumed: trailing bytes mean a codec mismatch.
    public func expectEnd() throws(DecodingError) {
        guard isAtEnd else { throw DecodingError("\(remainingCount) trailing bytes") }
    }

    private mutating func readBigEndian(width: Int) throws(DecodingError) -> UInt64 {
        guard width <= remainingCount else {
            throw DecodingError("need \(width) bytes at \(offset), have \(remainingCount)")
        }
        var value: UInt64 = 0
        for position in offset..<offset + width {
            value = value << 8 | UInt64(bytes[position])
        }
        offset += width
        return value
    }
}

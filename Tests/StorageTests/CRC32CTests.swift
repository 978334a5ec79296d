import Testing
@testable import Storage

@Suite struct CRC32CTests {
    @Test func matchesPublishedCheckValue() {
        // Proves the implementation is CRC-32C (Castagnoli): "123456789" gives the published 0xE3069283.
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum([UInt8]()) == 0)
        // RFC 3720 B.4: 32 bytes of zeros.
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
    }

    @Test func incrementalUpdatesEqualOneShot() {
        // Proves feeding pieces with update gives the checksum of their concatenation.
        var crc = CRC32C()
        crc.update(Array("1234".utf8))
        crc.update(Array("56789".utf8))
        #expect(crc.value == 0xE306_9283)
    }
}

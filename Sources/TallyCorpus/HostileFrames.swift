/// zstd frames built by hand from RFC 8878, the way an attacker would: the tests' decompression
/// bombs and forbidden blocks.
package enum HostileFrames {
    package static let magic: [UInt8] = [0x28, 0xB5, 0x2F, 0xFD]

    package static func littleEndian(_ value: UInt64, _ count: Int) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: value >> (8 * UInt64($0))) }
    }

    /// 17 bytes that declare 4 GiB of content (single segment): one RLE block of 100,000 bytes.
    package static var forgedFourGiB: [UInt8] {
        magic + [0xE0] + littleEndian(1 << 32, 8) + littleEndian(1 | 1 << 1 | 100_000 << 3, 3) + [0x61]
    }

    /// A 16 KiB frame of RLE blocks of 128 KiB of `byte`, about 512 MiB of content, no content size.
    package static func rleBomb(byte: UInt8 = 0x61, bytes: Int = 16 << 10) -> [UInt8] {
        var frame = magic + [0x00, 7 << 3]   // no content size, window 2^17
        let blocks = (bytes - frame.count) / 4
        for i in 0..<blocks {
            let last: UInt64 = i == blocks - 1 ? 1 : 0
            frame += littleEndian(last | 1 << 1 | UInt64(128 << 10) << 3, 3) + [byte]
        }
        return frame
    }

    /// One raw block of `line` (plus a newline), whatever its size: above 128 KiB the format forbids it.
    package static func rawBlock(_ line: [UInt8]) -> [UInt8] {
        let content = line + [0x0A]
        return magic + [0xA0] + littleEndian(UInt64(content.count), 4)
            + littleEndian(1 | UInt64(content.count) << 3, 3) + content
    }
}

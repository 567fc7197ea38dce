internal import CZstd

package enum Zstd {
    /// The zstd frame magic number, 0xFD2FB528, stored little-endian.
    package static let frameMagic: UInt32 = 0xFD2F_B528

    /// Whether `bytes` begin with ``frameMagic`` (`28 B5 2F FD`).
    package static func startsWithFrameMagic(_ bytes: some Collection<UInt8>) -> Bool {
        var magic: UInt32 = 0
        var count = 0
        for byte in bytes.prefix(4) {
            magic |= UInt32(byte) << (8 * count)
            count += 1
        }
        return count == 4 && magic == frameMagic
    }

    static func isError(_ code: Int) -> Bool { ZSTD_isError(code) != 0 }

    static func errorName(_ code: Int) -> String { String(cString: ZSTD_getErrorName(code)) }

    /// Whether `code` says the input ends before the frame does.
    static func isIncomplete(_ code: Int) -> Bool {
        ZSTD_getErrorCode(code) == ZSTD_error_srcSize_wrong
    }

    static func compressBound(_ n: Int) -> Int { ZSTD_compressBound(n) }

    /// Reads a little-endian `UInt32` at `p` (unaligned).
    @inline(__always)
    static func magic(at p: UnsafeRawPointer) -> UInt32 {
        UInt32(littleEndian: p.loadUnaligned(as: UInt32.self))
    }

    /// Whether `m` starts a zstd frame or a skippable frame.
    @inline(__always)
    static func isFrameStart(_ m: UInt32) -> Bool {
        m == frameMagic || (m & 0xFFFF_FFF0) == 0x184D_2A50
    }
}

internal import CZstd

/// The libzstd Tally runs with, for the log: Debian 12's 1.5.4 mis-decodes a few frames that
/// 1.5.6 decodes right, so the version is worth knowing when a frame is reported damaged.
public enum ZstdLibrary {
    /// `ZSTD_versionString()`, e.g. "1.5.4".
    public static var version: String { String(cString: ZSTD_versionString()) }
}

#if canImport(Glibc)
import Glibc
#endif

/// Paths of the checkout and of the built `tally` executable, found from the test binary
/// (`.build/<triple>/debug/TallyPackageTests.xctest` sits beside `tally`).
enum CheckoutPaths {
    /// The directory of the running test executable.
    static let buildDirectory: String = {
        guard let resolved = realpath("/proc/self/exe", nil) else { return "." }
        defer { free(resolved) }
        let path = String(cString: resolved)
        return String(path[..<(path.lastIndex(of: "/") ?? path.endIndex)])
    }()

    /// The package root: the nearest parent of the build directory holding Package.swift.
    static let root: String = {
        var directory = buildDirectory
        while directory.count > 1 {
            if access(directory + "/Package.swift", F_OK) == 0 { return directory }
            directory = String(directory[..<(directory.lastIndex(of: "/") ?? directory.startIndex)])
        }
        return "."
    }()

    /// The `tally` executable built by `swift build` next to the tests.
    static var tally: String { buildDirectory + "/tally" }
}

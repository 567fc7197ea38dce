import Foundation

/// The package root: the nearest parent of the test executable's directory that holds
/// Package.swift (`.build/<triple>/debug/TallyPackageTests.xctest` lies inside the checkout).
let checkoutRoot: String = {
    let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    var directory = URL(fileURLWithPath: exe).deletingLastPathComponent()
    while directory.path != "/" {
        if FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path) {
            return directory.path
        }
        directory.deleteLastPathComponent()
    }
    return FileManager.default.currentDirectoryPath
}()

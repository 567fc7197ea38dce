/// Money as the queries print it: integer nano-dollars written exactly as a USD decimal
/// with at most 9 decimals and no trailing zeros (`123_450` → `0.00012345`). Never via `Double`.
package enum Money {
    package static func usd(nanos: Int64) -> String {
        let magnitude = nanos.magnitude
        let whole = magnitude / 1_000_000_000
        let fraction = magnitude % 1_000_000_000
        var text = nanos < 0 ? "-" : ""
        text += String(whole)
        if fraction != 0 {
            var digits = String(fraction)
            digits = String(repeating: "0", count: 9 - digits.count) + digits
            while digits.last == "0" { digits.removeLast() }
            text += "." + digits
        }
        return text
    }
}

/// Fixed-point text of a double for tables: `fixed(12.345, decimals: 1)` → `12.3`.
func fixedDecimal(_ value: Double, decimals: Int) -> String {
    guard value.isFinite else { return "-" }
    var scale = 1.0
    for _ in 0..<decimals { scale *= 10 }
    let scaled = (abs(value) * scale).rounded()
    guard scaled < 9.0e18 else { return value.description }
    let units = UInt64(scaled)
    let divisor = UInt64(scale)
    var text = (value < 0 && units != 0 ? "-" : "") + String(units / divisor)
    if decimals > 0 {
        let fraction = String(units % divisor)
        text += "." + String(repeating: "0", count: decimals - fraction.count) + fraction
    }
    return text
}

/// A sum of token counts that remembers how many calls reported one, so that
/// "no call reported this usage" stays `nil`, never 0.
struct TokenSum: Hashable, Sendable {
    var total: Int64 = 0
    var reporters: Int64 = 0

    /// `nil` when no contributing call carried the count.
    var value: Int64? { reporters == 0 ? nil : total }

    /// Adds one call's count, if it reported one. Wrapping arithmetic: totals are exact below 2^63.
    @inline(__always)
    mutating func add(_ count: Int64?) {
        guard let count else { return }
        total &+= count
        reporters &+= 1
    }

    mutating func merge(_ other: TokenSum) {
        total &+= other.total
        reporters &+= other.reporters
    }

    /// Takes back what `merge(other)` added.
    mutating func subtract(_ other: TokenSum) {
        total &-= other.total
        reporters &-= other.reporters
    }

    func encode(into writer: inout PackedWriter) {
        writer.signed(total)
        writer.signed(reporters)
    }

    static func decode(from reader: inout PackedReader) throws(FoldDecodingError) -> TokenSum {
        TokenSum(total: try reader.signed(), reporters: try reader.signed())
    }
}

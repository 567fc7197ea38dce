/// A sum of token counts that remembers how many calls reported one, so that
/// "no call reported this usage" stays `nil`, never 0.
///
/// The total saturates at `Int64.max` (see `Int64.addSaturating`): a saturated total is overflowed,
/// never wrapped. Every token figure of the fold is a part of the fold's own total, so none
/// saturates while that one does not (`FoldState.summary().overflowedTotals`).
struct TokenSum: Hashable, Sendable {
    var total: Int64 = 0
    var reporters: Int64 = 0

    /// `nil` when no contributing call carried the count.
    var value: Int64? { reporters == 0 ? nil : total }

    /// Saturated at `Int64.max`: the exact total is at least that.
    var isSaturated: Bool { total == .max }

    /// Adds one call's count (never negative), if it reported one.
    @inline(__always)
    mutating func add(_ count: Int64?) {
        guard let count else { return }
        total.addSaturating(count)
        reporters &+= 1
    }

    mutating func merge(_ other: TokenSum) {
        total.addSaturating(other.total)
        reporters &+= other.reporters
    }

    /// Takes back what `merge(other)` added: exact while neither total is saturated.
    mutating func subtract(_ other: TokenSum) {
        total &-= other.total
        reporters &-= other.reporters
    }

    /// A negative total (read from a state written before totals saturated) can only have wrapped.
    mutating func markWrappedAsOverflowed() {
        if total < 0 { total = .max }
    }

    func encode(into writer: inout PackedWriter) {
        writer.signed(total)
        writer.signed(reporters)
    }

    static func decode(from reader: inout PackedReader) throws(FoldDecodingError) -> TokenSum {
        TokenSum(total: try reader.signed(), reporters: try reader.signed())
    }
}

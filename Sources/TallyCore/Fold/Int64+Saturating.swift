extension Int64 {
    /// `self + amount` for a non-negative `amount`, stopping at `Int64.max` instead of wrapping.
    ///
    /// ```swift
    /// var total: Int64 = .max - 1
    /// total.addSaturating(5)   // .max: the total is overflowed, and stays so
    /// ```
    /// For non-negative amounts this is `min(exact sum, Int64.max)`, the same in any order and any
    /// split into parts added together, so a saturated total is a sticky, order-independent
    /// "overflowed" flag that costs no extra field (see ``FoldState`` on the bound of totals).
    @inline(__always)
    package mutating func addSaturating(_ amount: Int64) {
        let (sum, overflow) = addingReportingOverflow(amount)
        self = overflow ? .max : sum
    }
}

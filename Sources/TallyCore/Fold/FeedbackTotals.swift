/// Sums of `feedback` events: how many, how many rated and the exact sum of their ratings,
/// and the count of each sentiment. Kept per session, rollup row, timeline bucket and in the summary.
///
/// ```swift
/// var totals = FeedbackTotals()
/// totals.add(Event.Feedback(rating: 4.5, sentiment: .positive))
/// totals.averageRating   // 4.5
/// ```
/// Ratings are summed as integer nano-units (a rating of 4.5 adds 4,500,000,000), so the sum and its
/// mean do not depend on order.
struct FeedbackTotals: Sendable, Hashable {
    var feedback: Int64 = 0
    var ratings: Int64 = 0
    var ratingNanos: Int128 = 0
    var positive: Int64 = 0
    var neutral: Int64 = 0
    var negative: Int64 = 0

    var isEmpty: Bool { self == FeedbackTotals() }

    @inline(__always)
    mutating func add(_ event: Event.Feedback) {
        feedback &+= 1
        if let rating = event.rating {
            ratings &+= 1
            ratingNanos += Int128((rating * 1e9).rounded())
        }
        switch event.sentiment {
        case .positive: positive &+= 1
        case .neutral: neutral &+= 1
        case .negative: negative &+= 1
        case nil: break
        }
    }

    mutating func merge(_ other: FeedbackTotals) {
        feedback &+= other.feedback
        ratings &+= other.ratings
        ratingNanos += other.ratingNanos
        positive &+= other.positive
        neutral &+= other.neutral
        negative &+= other.negative
    }

    mutating func subtract(_ other: FeedbackTotals) {
        feedback &-= other.feedback
        ratings &-= other.ratings
        ratingNanos -= other.ratingNanos
        positive &-= other.positive
        neutral &-= other.neutral
        negative &-= other.negative
    }

    /// The exact mean of the ratings rounded half-even to 3 decimals; `nil` without any.
    var averageRating: Double? {
        guard ratings > 0 else { return nil }
        return thousandths(CallCost.roundedHalfEven(ratingNanos, divisor: Int128(ratings) * 1_000_000))
    }

    func encode(into writer: inout PackedWriter) {
        for value in [feedback, ratings, positive, neutral, negative] { writer.signed(value) }
        writer.signed128(ratingNanos)
    }

    static func decode(from reader: inout PackedReader) throws(FoldDecodingError) -> FeedbackTotals {
        var totals = FeedbackTotals()
        totals.feedback = try reader.signed()
        totals.ratings = try reader.signed()
        totals.positive = try reader.signed()
        totals.neutral = try reader.signed()
        totals.negative = try reader.signed()
        totals.ratingNanos = try reader.signed128()
        return totals
    }
}

/// `value / divisor` rounded half-even to 3 decimals, for rates and ratios shown with 3 decimals.
func threeDecimals(_ value: Int128, over divisor: Int128) -> Double? {
    guard divisor > 0 else { return nil }
    return thousandths(CallCost.roundedHalfEven(value * 1_000, divisor: divisor))
}

/// `value / 1000` as a `Double`. A value that fits in 64 bits converts through `Int64`: the
/// generic conversion of an `Int128` costs thousands of instructions, and replay shows many ratios.
private func thousandths(_ value: Int128) -> Double {
    let fits = value >= Int128(Int64.min) && value <= Int128(Int64.max)
    return (fits ? Double(Int64(truncatingIfNeeded: value)) : Double(value)) / 1_000
}

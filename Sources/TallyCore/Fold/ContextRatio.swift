/// `input_tokens / context_window` of one call, kept exact as the two counts.
struct ContextRatio: Sendable, Hashable {
    var inputTokens: Int64
    var contextWindow: Int64

    /// A larger ratio; of two equal ratios the one with the larger window, so the choice is a total order.
    func isFuller(than other: ContextRatio) -> Bool {
        let mine = Int128(inputTokens) * Int128(other.contextWindow)
        let theirs = Int128(other.inputTokens) * Int128(contextWindow)
        return mine != theirs ? mine > theirs : contextWindow > other.contextWindow
    }

    /// Rounded half-even to 3 decimals.
    var value: Double { threeDecimals(Int128(inputTokens), over: Int128(contextWindow)) ?? 0 }
}

/// Cost of one `llm_call` in nano-dollars.
///
/// `cost_usd` wins when present. Otherwise the price table (pico-dollars per token) gives
/// `(input - cached) * input + cached * (cached_input ?? input) + output * output` pico-dollars,
/// computed in 128 bits and rounded half-even to the nano-dollar **per call**, so sums of calls
/// are exact integers and do not depend on order. `nil` means unpriced: no `cost_usd`, and the
/// model has no price or the call carries neither `input_tokens` nor `output_tokens`.
///
/// ```swift
/// let nanos = CallCost.nanos(for: call, pricing: settings.pricing)  // e.g. 1_250 (0.00000125 USD)
/// ```
enum CallCost {
    static func nanos(for call: Event.LLMCall, pricing: [String: ModelPrice]) -> Int64? {
        if let costNanos = call.costNanos { return costNanos }
        guard call.inputTokens != nil || call.outputTokens != nil, let price = pricing[call.model] else { return nil }
        let input = Int128(call.inputTokens ?? 0)
        let cached = Int128(call.cachedInputTokens ?? 0)
        let output = Int128(call.outputTokens ?? 0)
        let cachedPrice = Int128(price.cachedInputPicosPerToken ?? price.inputPicosPerToken)
        let picos = (input - cached) * Int128(price.inputPicosPerToken) + cached * cachedPrice
            + output * Int128(price.outputPicosPerToken)
        return clamped(roundedHalfEven(picos, divisor: 1_000))
    }

    /// `value / divisor` rounded to the nearest integer, ties to even.
    static func roundedHalfEven(_ value: Int128, divisor: Int128) -> Int128 {
        var quotient = value / divisor
        let remainder = value % divisor
        let twice = remainder.magnitude * 2
        if twice > divisor.magnitude || (twice == divisor.magnitude && quotient % 2 != 0) {
            quotient += value < 0 ? -1 : 1
        }
        return quotient
    }

    private static func clamped(_ value: Int128) -> Int64 {
        value > Int128(Int64.max) ? .max : (value < Int128(Int64.min) ? .min : Int64(value))
    }
}

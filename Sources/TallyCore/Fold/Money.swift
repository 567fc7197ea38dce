/// Cost of one `llm_call` in nano-dollars.
///
/// `cost_usd` wins when present. Otherwise the price in force at the call's `ts` (pico-dollars per
/// token) gives `(input - cached - writes) * input + cached * (cached_input ?? input)
/// + writes * (cache_write ?? input) + output * output` pico-dollars,
/// computed in 128 bits and rounded half-even to the nano-dollar **per call**, so sums of calls
/// are exact integers and do not depend on order. `nil` means unpriced: no `cost_usd`, and the
/// model has no price in force at its `ts` or the call carries neither `input_tokens` nor `output_tokens`.
///
/// ```swift
/// let nanos = CallCost.nanos(for: call, at: event.timestamp, settings: settings)  // e.g. 1_250 (0.00000125 USD)
/// ```
enum CallCost {
    @inline(__always)
    static func nanos(for call: Event.LLMCall, at timestamp: Int64, settings: FoldSettings) -> Int64? {
        nanos(for: call, at: timestamp, pricing: settings.pricing)
    }

    /// The same with a price table of its own (a snapshot's, see `FramePricing`).
    @inline(__always)
    static func nanos(for call: Event.LLMCall, at timestamp: Int64, pricing: [String: [ModelPrice]]) -> Int64? {
        if let costNanos = call.costNanos { return costNanos }
        guard call.inputTokens != nil || call.outputTokens != nil,
              let price = FoldSettings.price(of: call.model, at: timestamp, in: pricing)
        else { return nil }
        return nanos(for: call, price: price)
    }

    static func nanos(for call: Event.LLMCall, price: ModelPrice) -> Int64 {
        let input = Int128(call.inputTokens ?? 0)
        let cached = Int128(call.cachedInputTokens ?? 0)
        let writes = Int128(call.cacheWriteInputTokens ?? 0)
        let output = Int128(call.outputTokens ?? 0)
        let cachedPrice = Int128(price.cachedInputPicosPerToken ?? price.inputPicosPerToken)
        let writePrice = Int128(price.cacheWritePicosPerToken ?? price.inputPicosPerToken)
        let picos = (input - cached - writes) * Int128(price.inputPicosPerToken) + cached * cachedPrice
            + writes * writePrice + output * Int128(price.outputPicosPerToken)
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

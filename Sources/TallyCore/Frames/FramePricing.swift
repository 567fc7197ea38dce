/// The price table the fold priced calls with, as bytes a snapshot keeps next to its frame index,
/// so that a reader of a session's events shows each call's cost as the fold counted it.
///
/// ```swift
/// let bytes = FramePricing.encode(settings.pricing)
/// let cost = FramePricing.costNanos(of: call, pricing: try FramePricing.decode(bytes))
/// ```
package enum FramePricing {
    package static func encode(_ pricing: [String: ModelPrice]) -> [UInt8] {
        var writer = PackedWriter()
        writer.byte(1)
        writer.count(pricing.count)
        for (model, price) in pricing.sorted(by: { $0.key < $1.key }) {
            writer.string(model)
            writer.signed(price.inputPicosPerToken)
            writer.signed(price.outputPicosPerToken)
            writer.optionalSigned(price.cachedInputPicosPerToken)
        }
        return writer.bytes
    }

    package static func decode(_ bytes: [UInt8]) throws(FoldDecodingError) -> [String: ModelPrice] {
        var reader = PackedReader(bytes, part: "pricing")
        guard try reader.byte() == 1 else { throw reader.failure("unknown format") }
        var pricing: [String: ModelPrice] = [:]
        for _ in 0..<(try reader.count()) {
            let model = try reader.string()
            let input = try reader.signed()
            let output = try reader.signed()
            pricing[model] = ModelPrice(
                inputPicosPerToken: input, outputPicosPerToken: output, cachedInputPicosPerToken: try reader.optionalSigned())
        }
        return pricing
    }

    /// The cost in nano-dollars the fold counts for `call` (provided or priced); `nil`: unpriced.
    package static func costNanos(of call: Event.LLMCall, timestamp: Int64, pricing: [String: ModelPrice]) -> Int64? {
        CallCost.nanos(for: call, pricing: pricing)
    }
}

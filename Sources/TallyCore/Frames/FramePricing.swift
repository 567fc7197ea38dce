/// The price table the fold priced calls with, as bytes a snapshot keeps next to its frame index,
/// so that a reader of a session's events shows each call's cost as the fold counted it: every
/// model's dated entries (`from`, input, output, cached input, cache write), in force by `ts`.
///
/// ```swift
/// let bytes = FramePricing.encode(settings.pricing)
/// let cost = FramePricing.costNanos(of: call, timestamp: ts, pricing: try FramePricing.decode(bytes))
/// ```
package enum FramePricing {
    /// The layout's version, the first byte.
    static let version: UInt8 = 1

    package static func encode(_ pricing: [String: [ModelPrice]]) -> [UInt8] {
        var writer = PackedWriter()
        writer.byte(version)
        writer.count(pricing.count)
        for (model, entries) in pricing.sorted(by: { $0.key < $1.key }) {
            writer.string(model)
            writer.count(entries.count)
            for price in entries {
                writer.optionalSigned(price.from)
                writer.signed(price.inputPicosPerToken)
                writer.signed(price.outputPicosPerToken)
                writer.optionalSigned(price.cachedInputPicosPerToken)
                writer.optionalSigned(price.cacheWritePicosPerToken)
            }
        }
        return writer.bytes
    }

    package static func decode(_ bytes: [UInt8]) throws(FoldDecodingError) -> [String: [ModelPrice]] {
        var reader = PackedReader(bytes, part: "pricing")
        let format = try reader.byte()
        guard format == version else { throw reader.failure("unknown format \(format) (this build reads \(version))", code: .unknownFormat) }
        var pricing: [String: [ModelPrice]] = [:]
        for _ in 0..<(try reader.count()) {
            let model = try reader.string()
            var entries: [ModelPrice] = []
            for _ in 0..<(try reader.count()) {
                let from = try reader.optionalSigned()
                let input = try reader.signed()
                let output = try reader.signed()
                let cached = try reader.optionalSigned()
                entries.append(ModelPrice(
                    inputPicosPerToken: input, outputPicosPerToken: output, cachedInputPicosPerToken: cached,
                    cacheWritePicosPerToken: try reader.optionalSigned(), from: from))
            }
            pricing[model] = entries
        }
        return pricing
    }

    /// The cost in nano-dollars the fold counts for `call` at `timestamp` (provided, or priced
    /// with the entry in force then); `nil`: unpriced.
    package static func costNanos(of call: Event.LLMCall, timestamp: Int64, pricing: [String: [ModelPrice]]) -> Int64? {
        CallCost.nanos(for: call, at: timestamp, pricing: pricing)
    }
}

import TallyCore

/// Values in the forms query output and manifests write them.
extension JSONValue {
    /// Nano-dollars as USD with up to 9 decimals, exactly.
    static func money(_ nanos: Int64?) -> JSONValue { nanos.map { .number(Money.usd(nanos: $0)) } ?? .null }

    /// Epoch milliseconds as RFC 3339 UTC with milliseconds.
    static func time(_ ms: Int64?) -> JSONValue { ms.map { .string(Timestamp.rfc3339(ms: $0)) } ?? .null }
}

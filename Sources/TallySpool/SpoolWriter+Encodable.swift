internal import FoundationEssentials

extension SpoolWriter {
    /// Appends `event`, encoded as one JSON object, as one line.
    ///
    /// ```swift
    /// struct ToolCall: Encodable {
    ///     var type = "tool_call"
    ///     var ts = Date()
    ///     var session_id: String
    ///     var tool_name: String
    ///     var status = "success"
    /// }
    /// try writer.append(event: ToolCall(session_id: "s1", tool_name: "search"))
    /// // {"session_id":"s1","status":"success","tool_name":"search","ts":1761229800123,"type":"tool_call"}
    /// ```
    ///
    /// Encoded with Foundation's `JSONEncoder`: keys as the type's coding keys, sorted (Tally's
    /// field names are snake_case: name the properties so, or give `CodingKeys`); `/` is not escaped; a `Date` becomes integer epoch milliseconds (truncated),
    /// which Tally's `ts` accepts. `nil` optionals are left out (the same as `null` for Tally).
    /// - Throws: ``SpoolError`` with code `.invalidArgument` when the value cannot be encoded
    ///   (a non-finite `Double`, say) or does not encode as a JSON object; nothing is appended.
    public func append(event: some Encodable) throws(SpoolError) {
        try append(events: CollectionOfOne(event))
    }

    /// Appends `events`, each encoded as one JSON object line (see ``append(event:)``), as one
    /// batch. If one cannot be encoded, none is appended.
    public func append<Events: Sequence>(events: Events) throws(SpoolError) where Events.Element: Encodable {
        let encoder = Self.eventEncoder()
        var lines: [Data] = []
        for event in events {
            let line: Data
            do {
                line = try encoder.encode(event)
            } catch {
                throw SpoolError(
                    code: .invalidArgument, operation: "cannot append to", message: "cannot encode the event as JSON: \(Self.reason(error))",
                    path: directory)
            }
            // Without `.prettyPrinted` JSONEncoder writes no raw newline (it escapes them in strings).
            guard line.first == UInt8(ascii: "{"), !line.contains(0x0A) else {
                throw SpoolError(
                    code: .invalidArgument, operation: "cannot append to", message: "the event does not encode as one JSON object",
                    path: directory)
            }
            lines.append(line)
        }
        try append(lines: lines)
    }

    private static func eventEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        // Sorted: on Linux JSONEncoder writes the keys of an object in no fixed order otherwise.
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            guard let ms = epochMilliseconds(date) else {
                throw EncodingError.invalidValue(
                    date, .init(codingPath: encoder.codingPath, debugDescription: "a date beyond the range of epoch milliseconds"))
            }
            try container.encode(ms)
        }
        return encoder
    }

    /// Milliseconds since 1970, truncated (floored). Rounded to the microsecond first, so that a
    /// `Date` made from `….123` seconds, stored as `….12299999`, gives `…123`.
    /// `nil` for a date too far (or not finite) to count.
    static func epochMilliseconds(_ date: Date) -> Int64? {
        guard let micros = Int64(exactly: (date.timeIntervalSince1970 * 1_000_000).rounded()) else { return nil }
        return micros >= 0 ? micros / 1000 : (micros - 999) / 1000
    }

    /// One line saying why encoding failed, with the path to the value at fault.
    private static func reason(_ error: any Error) -> String {
        guard case EncodingError.invalidValue(_, let context) = error else { return "\(error)" }
        let path = context.codingPath.map(\.stringValue).joined(separator: ".")
        return (path.isEmpty ? "" : path + ": ") + context.debugDescription
    }
}

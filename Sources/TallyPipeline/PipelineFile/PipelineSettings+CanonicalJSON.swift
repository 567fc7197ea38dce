import TallyCore

extension PipelineSettings {
    /// The settings as compact JSON with keys sorted (byte order), so equal settings give equal
    /// text: durations in milliseconds (`…_ms`), sizes in bytes, prices as decimal strings of
    /// USD per million tokens. Snapshots record it to say which settings shaped them.
    ///
    /// ```json
    /// {"alerts":{"access_burst":5,"slow_response_ms":30000,"slow_tool_ms":30000},"dead_letter":"/srv/tally/dead-letter",…}
    /// ```
    public func canonicalJSON() -> String {
        var prices: [(String, String)] = []
        for (model, price) in fold.pricing {
            var fields = [("input", Self.jsonString(PipelineValues.priceText(picos: price.inputPicosPerToken))),
                          ("output", Self.jsonString(PipelineValues.priceText(picos: price.outputPicosPerToken)))]
            if let cached = price.cachedInputPicosPerToken {
                fields.append(("cached_input", Self.jsonString(PipelineValues.priceText(picos: cached))))
            }
            prices.append((model, Self.jsonObject(fields)))
        }
        return Self.jsonObject([
            ("file", file.map(Self.jsonString) ?? "null"),
            ("spool", Self.jsonString(spool)),
            ("snapshots", Self.jsonString(snapshots)),
            ("dead_letter", Self.jsonString(deadLetter)),
            ("segment", Self.jsonObject([
                ("max_bytes", String(segment.maxBytes)),
                ("max_age_ms", String(segment.maxAgeMs)),
                ("compression_level", String(segment.compressionLevel)),
                ("fsync", Self.jsonString(segment.fsync.rawValue)),
                ("fsync_interval_ms", String(segment.fsyncIntervalMs)),
            ])),
            ("snapshot", Self.jsonObject([
                ("every_ms", String(snapshot.everyMs)),
                ("keep", String(snapshot.keep)),
            ])),
            ("limits", Self.jsonObject([("max_line_bytes", String(fold.maxLineBytes))])),
            ("sessions", Self.jsonObject([
                ("inactivity_timeout_ms", String(fold.inactivityTimeoutMs)),
                ("max_session_duration_ms", String(fold.maxSessionDurationMs)),
                ("dedup_window_ms", String(fold.dedupWindowMs)),
            ])),
            ("alerts", Self.jsonObject([
                ("slow_response_ms", String(fold.slowResponseMs)),
                ("slow_tool_ms", String(fold.slowToolMs)),
                ("access_burst", String(fold.accessBurst)),
            ])),
            ("pricing", Self.jsonObject(prices)),
            ("retention", Self.jsonObject([
                ("segments_ms", String(retentionSegmentsMs)),
                ("sessions_ms", String(fold.sessionRetentionMs)),
            ])),
        ])
    }

    /// `{"key":value,…}` with keys sorted by their UTF-8 bytes; values are already JSON.
    static func jsonObject(_ fields: [(String, String)]) -> String {
        let sorted = fields.sorted { $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) }
        return "{" + sorted.map { jsonString($0.0) + ":" + $0.1 }.joined(separator: ",") + "}"
    }

    static func jsonString(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}

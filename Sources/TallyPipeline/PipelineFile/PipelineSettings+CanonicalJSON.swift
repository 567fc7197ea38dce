import TallyCore

extension PipelineSettings {
    /// The settings as one JSON object with keys sorted (byte order), so equal settings give
    /// equal values: durations in milliseconds (`…_ms`), sizes in bytes, prices as decimal strings
    /// of USD per million tokens. Snapshots record it to say which settings shaped them, and a
    /// resuming consumer compares it with the one its snapshot recorded.
    package func canonicalValue() -> JSONValue {
        var prices: [(String, JSONValue)] = []
        for (model, entries) in fold.pricing {
            let values = entries.map { price in
                var fields: [(String, JSONValue)] = [
                    ("input", .string(PipelineValues.priceText(picos: price.inputPicosPerToken))),
                    ("output", .string(PipelineValues.priceText(picos: price.outputPicosPerToken))),
                ]
                if let cached = price.cachedInputPicosPerToken {
                    fields.append(("cached_input", .string(PipelineValues.priceText(picos: cached))))
                }
                if let write = price.cacheWritePicosPerToken {
                    fields.append(("cache_write", .string(PipelineValues.priceText(picos: write))))
                }
                if let from = price.from { fields.append(("from_ms", .int(from))) }
                return Self.sortedObject(fields)
            }
            // One price in force at all times is written as version 1 wrote it.
            prices.append((model, entries.count == 1 && entries[0].from == nil ? values[0] : .array(values)))
        }
        return Self.sortedObject([
            ("file", .text(file)),
            ("spool", .string(spool)),
            ("snapshots", .string(snapshots)),
            ("dead_letter", .string(deadLetter)),
            ("segment", Self.sortedObject([
                ("max_bytes", .int(segment.maxBytes)),
                ("max_age_ms", .int(segment.maxAgeMs)),
                ("compression_level", .int(Int(segment.compressionLevel))),
                ("fsync", .string(segment.fsync.rawValue)),
                ("fsync_interval_ms", .int(segment.fsyncIntervalMs)),
            ])),
            ("snapshot", Self.sortedObject([
                ("every_ms", .int(snapshot.everyMs)),
                ("keep", .int(snapshot.keep)),
            ])),
            ("limits", Self.sortedObject([
                ("max_line_bytes", .int(fold.maxLineBytes)), ("error_groups", .int(fold.errorGroupLimit)),
            ])),
            ("sessions", Self.sortedObject([
                ("inactivity_timeout_ms", .int(fold.inactivityTimeoutMs)),
                ("max_session_duration_ms", .int(fold.maxSessionDurationMs)),
                ("dedup_window_ms", .int(fold.dedupWindowMs)),
                ("watermark_quorum", .int(fold.watermarkQuorum)),
            ])),
            ("alerts", Self.sortedObject([
                ("slow_response_ms", .int(fold.slowResponseMs)),
                ("slow_tool_ms", .int(fold.slowToolMs)),
                ("access_burst", .int(fold.accessBurst)),
            ])),
            ("pricing", Self.sortedObject(prices)),
            ("retention", Self.sortedObject([
                ("segments_ms", .int(retentionSegmentsMs)),
                ("sessions_ms", .int(fold.sessionRetentionMs)),
            ])),
        ])
    }

    /// ``canonicalValue()`` as compact JSON text.
    ///
    /// ```json
    /// {"alerts":{"access_burst":5,"slow_response_ms":30000,"slow_tool_ms":30000},"dead_letter":"/srv/tally/dead-letter",…}
    /// ```
    package func canonicalJSON() -> String {
        canonicalValue().serialized()
    }

    /// An object with its fields sorted by the UTF-8 bytes of their keys.
    private static func sortedObject(_ fields: [(String, JSONValue)]) -> JSONValue {
        .object(fields.sorted { $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) })
    }
}

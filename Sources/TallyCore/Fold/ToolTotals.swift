/// Per tool name, over all sessions.
struct ToolTotals: Sendable, Hashable {
    var calls: Int64 = 0
    var success: Int64 = 0
    var error: Int64 = 0
    var timeout: Int64 = 0
    /// Over calls carrying `execution_time_ms`.
    var executionTime = LatencyHistogram()

    @inline(__always)
    mutating func add(_ call: Event.ToolCall) {
        calls &+= 1
        switch call.status {
        case .success: success &+= 1
        case .error: error &+= 1
        case .timeout: timeout &+= 1
        }
        if let ms = call.executionTimeMs { executionTime.record(ms) }
    }

    mutating func merge(_ other: ToolTotals) {
        calls &+= other.calls
        success &+= other.success
        error &+= other.error
        timeout &+= other.timeout
        executionTime.merge(other.executionTime)
    }

    func view(toolName: String) -> ToolView {
        var view = ToolView(toolName: toolName)
        view.calls = calls
        view.success = success
        view.error = error
        view.timeout = timeout
        view.successRate = calls > 0 ? Double(success) / Double(calls) : nil
        view.avgMs = executionTime.average
        view.p50Ms = executionTime.percentile(50)
        view.p95Ms = executionTime.percentile(95)
        view.p99Ms = executionTime.percentile(99)
        view.maxMs = executionTime.count > 0 ? executionTime.max : nil
        return view
    }

    func encode(into writer: inout PackedWriter) {
        for value in [calls, success, error, timeout] { writer.signed(value) }
        executionTime.encode(into: &writer)
    }

    static func decode(from reader: inout PackedReader) throws(FoldDecodingError) -> ToolTotals {
        var totals = ToolTotals()
        totals.calls = try reader.signed()
        totals.success = try reader.signed()
        totals.error = try reader.signed()
        totals.timeout = try reader.signed()
        totals.executionTime = try LatencyHistogram.decode(from: &reader)
        return totals
    }
}

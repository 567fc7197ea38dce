/// What an error group is told apart by (events.md): kind, name, status and normalized message.
struct ErrorGroupKey: Sendable, Hashable {
    var kind: ErrorGroupView.Kind
    var name: String?
    var status: String
    var message: String?

    /// A failed `llm_call` or `tool_call`, or a `FAILED` session; `message` is normalized here.
    init(kind: ErrorGroupView.Kind, name: String?, status: String, rawMessage: String?) {
        self.kind = kind
        self.name = name
        self.status = status
        message = rawMessage.map(Self.normalized)
    }

    init(kind: ErrorGroupView.Kind, name: String?, status: String, message: String?) {
        self.kind = kind
        self.name = name
        self.status = status
        self.message = message
    }

    static let maximumMessageBytes = 200

    /// Every run of ASCII digits replaced by `#`, cut to its first 200 bytes at a character boundary.
    /// A message without digits that fits is returned as it is, without a copy.
    static func normalized(_ message: String) -> String {
        var message = message
        let changed: String? = message.withUTF8 { utf8 in
            guard utf8.count > maximumMessageBytes || utf8.contains(where: isDigit) else { return nil }
            return String(unsafeUninitializedCapacity: min(utf8.count, maximumMessageBytes + 4)) { output in
                var count = 0
                var inDigits = false
                for byte in utf8 {
                    if isDigit(byte) {
                        if !inDigits {
                            output[count] = 0x23
                            count += 1
                        }
                        inDigits = true
                    } else {
                        output[count] = byte
                        count += 1
                        inDigits = false
                    }
                    if count > maximumMessageBytes + 3 { break }
                }
                if count > maximumMessageBytes {
                    count = maximumMessageBytes
                    // Back up to the start of the character that the cut would split.
                    while count > 0, output[count] & 0xC0 == 0x80 { count -= 1 }
                }
                return count
            }
        }
        return changed ?? message
    }

    @inline(__always)
    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    /// A hash of the key that is the same in every process (FNV-1a, 64 bits): which groups the
    /// bound keeps must not depend on Swift's per-process hash seed.
    var stableHash: UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ byte: UInt8) {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01B3
        }
        func mix(_ text: String?) {
            guard let text else { return mix(UInt8(0)) }
            mix(UInt8(1))
            for byte in text.utf8 { mix(byte) }
            mix(UInt8(0xFF))  // never in UTF-8: ends the text
        }
        mix(kind.rawValue)
        mix(name)
        mix(status)
        mix(message)
        return hash
    }

    func view(_ totals: ErrorGroupTotals) -> ErrorGroupView {
        ErrorGroupView(
            kind: kind, name: name, status: status, message: message, count: totals.count,
            firstTimestamp: totals.firstTimestamp, lastTimestamp: totals.lastTimestamp, sessionID: totals.sessionID)
    }

    func encode(into writer: inout PackedWriter) {
        writer.string(kind.rawValue)
        writer.optionalString(name)
        writer.string(status)
        writer.optionalString(message)
    }

    static func decode(from reader: inout PackedReader) throws(FoldDecodingError) -> ErrorGroupKey {
        let kindName = try reader.string()
        guard let kind = ErrorGroupView.Kind(rawValue: kindName) else { throw reader.failure("unknown error kind \(kindName)") }
        return ErrorGroupKey(
            kind: kind, name: try reader.optionalString(), status: try reader.string(), message: try reader.optionalString())
    }
}

/// The place of a key under the bound: the smallest ranks are kept.
struct ErrorGroupRank: Sendable, Comparable {
    var hash: UInt64
    var key: ErrorGroupKey

    init(_ key: ErrorGroupKey) {
        hash = key.stableHash
        self.key = key
    }

    static func < (lhs: ErrorGroupRank, rhs: ErrorGroupRank) -> Bool {
        if lhs.hash != rhs.hash { return lhs.hash < rhs.hash }
        let (l, r) = (lhs.key, rhs.key)
        if l.kind != r.kind { return l.kind.rawValue < r.kind.rawValue }
        if l.name != r.name { return l.name == nil || (r.name != nil && l.name! < r.name!) }
        if l.status != r.status { return l.status < r.status }
        return l.message != r.message && (l.message == nil || (r.message != nil && l.message! < r.message!))
    }

    static func == (lhs: ErrorGroupRank, rhs: ErrorGroupRank) -> Bool { lhs.key == rhs.key }
}

/// Count, first and last `ts` of a group, and the session of its earliest event.
struct ErrorGroupTotals: Sendable, Hashable {
    var count: Int64
    var firstTimestamp: Int64
    var lastTimestamp: Int64
    var sessionID: String?

    init(timestamp: Int64, sessionID: String?) {
        count = 1
        firstTimestamp = timestamp
        lastTimestamp = timestamp
        self.sessionID = sessionID
    }

    init(count: Int64, firstTimestamp: Int64, lastTimestamp: Int64, sessionID: String?) {
        self.count = count
        self.firstTimestamp = firstTimestamp
        self.lastTimestamp = lastTimestamp
        self.sessionID = sessionID
    }

    mutating func merge(_ other: ErrorGroupTotals) {
        count &+= other.count
        if other.firstTimestamp < firstTimestamp
            || (other.firstTimestamp == firstTimestamp && Self.isSmaller(other.sessionID, than: sessionID)) {
            firstTimestamp = other.firstTimestamp
            sessionID = other.sessionID
        }
        lastTimestamp = max(lastTimestamp, other.lastTimestamp)
    }

    /// Session ids in order, an absent one last.
    private static func isSmaller(_ lhs: String?, than rhs: String?) -> Bool {
        guard let lhs else { return false }
        guard let rhs else { return true }
        return lhs < rhs
    }

    func encode(into writer: inout PackedWriter) {
        writer.signed(count)
        writer.signed(firstTimestamp)
        writer.signed(lastTimestamp)
        writer.optionalString(sessionID)
    }

    static func decode(from reader: inout PackedReader) throws(FoldDecodingError) -> ErrorGroupTotals {
        ErrorGroupTotals(
            count: try reader.signed(), firstTimestamp: try reader.signed(), lastTimestamp: try reader.signed(),
            sessionID: try reader.optionalString())
    }
}

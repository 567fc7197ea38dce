/// The `?a=b&c=d` of a request, decoded (`%XX`, `+` as space); invalid UTF-8 or a broken escape
/// is a one-line error.
enum QueryString {
    static func parse(_ query: String?) throws(QueryFailure) -> [(String, String)] {
        guard let query, !query.isEmpty else { return [] }
        var pairs: [(String, String)] = []
        for part in query.split(separator: "&", omittingEmptySubsequences: true) {
            let equals = part.firstIndex(of: "=")
            let key = try decode(equals.map { part[..<$0] } ?? part[...])
            let value = if let equals { try decode(part[part.index(after: equals)...]) } else { "" }
            pairs.append((key, value))
        }
        return pairs
    }

    static func decode(_ text: Substring, plusIsSpace: Bool = true) throws(QueryFailure) -> String {
        var bytes: [UInt8] = []
        var utf8 = Array(text.utf8)[...]
        while let byte = utf8.popFirst() {
            switch byte {
            case UInt8(ascii: "+") where plusIsSpace: bytes.append(0x20)
            case UInt8(ascii: "%"):
                guard utf8.count >= 2, let high = hex(utf8.popFirst()!), let low = hex(utf8.popFirst()!) else {
                    throw QueryFailure(.badRequest, "the query string has a broken %-escape near '\(text.prefix(40))'")
                }
                bytes.append(high << 4 | low)
            default: bytes.append(byte)
            }
        }
        guard let decoded = String(validating: bytes, as: UTF8.self) else {
            throw QueryFailure(.badRequest, "the query string is not UTF-8 near '\(text.prefix(40))'")
        }
        return decoded
    }

    /// `%XX` for every byte but unreserved ones: for links the pages write.
    static func encode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            let c = Character(Unicode.Scalar(byte))
            if byte < 0x80, c.isLetter || c.isNumber || "-._~".contains(c) {
                out.append(c)
            } else {
                out += "%" + String(byte >> 4, radix: 16, uppercase: true) + String(byte & 15, radix: 16, uppercase: true)
            }
        }
        return out
    }

    private static func hex(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

/// HTML by construction: ``escape(_:)`` is the one function that puts text (every value from an
/// event or a snapshot) into a page; control characters show as `\u{…}` escapes, never raw.
enum HTML {
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case "\n", "\t": out.unicodeScalars.append(scalar)
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F || (0x80...0x9F).contains(scalar.value)
                    || scalar.value == 0x2028 || scalar.value == 0x2029 {
                    out += "\\u{" + String(scalar.value, radix: 16) + "}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }

    /// A link to `path` with its query parameters (names and values %-encoded, then escaped).
    static func href(_ path: String, _ parameters: [(String, String)] = []) -> String {
        let query = parameters.map { QueryString.encode($0.0) + "=" + QueryString.encode($0.1) }.joined(separator: "&")
        return escape(path + (query.isEmpty ? "" : "?" + query))
    }

    /// `/sessions/<id>` with the id %-encoded.
    static func sessionLink(_ id: String) -> String {
        "<a href=\"\(escape("/sessions/" + QueryString.encode(id)))\">\(escape(id))</a>"
    }
}

internal import Glibc
import TallyCore

/// The text fields search looks in, and ASCII case-insensitive matching of them.
///
/// ```swift
/// let needle = EventText.Needle("Database")!
/// EventText.match(lineBytes, kind: .message, needle: needle)   // "content"
/// ```
enum EventText {
    /// The text searched for: bytes compared without regard to ASCII case, everything else literal.
    struct Needle: Sendable {
        let folded: [UInt8]
        /// The longest run of the text that JSON writes as it is (no quote, backslash, slash,
        /// control or non-ASCII byte): a line that does not hold it cannot match.
        let probe: [UInt8]

        init?(_ text: String) {
            guard !text.isEmpty else { return nil }
            folded = text.utf8.map(EventText.fold)
            var best: ArraySlice<UInt8> = []
            var start = 0
            for index in 0...folded.count {
                let plain = index < folded.count && folded[index] >= 0x20 && folded[index] < 0x7F
                    && folded[index] != UInt8(ascii: "\"") && folded[index] != UInt8(ascii: "\\") && folded[index] != UInt8(ascii: "/")
                if !plain {
                    if index - start > best.count { best = folded[start..<index] }
                    start = index + 1
                }
            }
            probe = Array(best)
        }
    }

    @inline(__always)
    static func fold(_ byte: UInt8) -> UInt8 { byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte }

    /// Whether `haystack` contains `needle` (already folded), without regard to ASCII case. The
    /// places where a match may start (either case of the first byte) are found with `memchr`.
    static func contains(_ haystack: UnsafeRawBufferPointer, _ needle: [UInt8]) -> Bool {
        let count = needle.count
        guard count > 0 else { return true }
        guard haystack.count >= count, let base = haystack.baseAddress else { return false }
        let first = needle[0]
        let other = first >= 0x61 && first <= 0x7A ? first & ~0x20 : first
        let end = haystack.count - count + 1   // a match starts before this
        /// The next place at or after `from` (before `end`) holding `byte`; `end` when none does.
        func next(_ byte: UInt8, from: Int) -> Int {
            guard from < end, let found = memchr(base + from, Int32(byte), end - from) else { return end }
            return UnsafeRawPointer(found) - base
        }
        return needle.withUnsafeBufferPointer { needle in
            var nextFirst = next(first, from: 0)
            var nextOther = other == first ? end : next(other, from: 0)
            while true {
                let index = min(nextFirst, nextOther)
                guard index < end else { return false }
                var matched = 1
                while matched < count && fold(base.load(fromByteOffset: index + matched, as: UInt8.self)) == needle[matched] {
                    matched += 1
                }
                if matched == count { return true }
                if index == nextFirst { nextFirst = next(first, from: index + 1) }
                if index == nextOther { nextOther = next(other, from: index + 1) }
            }
        }
    }

    static func contains(_ text: String, _ needle: [UInt8]) -> Bool {
        var text = text
        return text.withUTF8 { contains(UnsafeRawBufferPointer($0), needle) }
    }

    /// The keys searched, per type.
    static func keys(of kind: Event.Kind) -> [String] {
        switch kind {
        case .message: ["content"]
        case .sessionEnd, .llmCall: ["error_message"]
        case .toolCall: ["error_message", "parameters", "result"]
        case .log: ["message"]
        case .feedback: ["comment"]
        case .sessionStart, .access: []
        }
    }

    /// The first key of the event at `line` whose text holds `needle`; `nil` when none does. A
    /// string field is compared as decoded (escapes undone); `parameters` and `result` as their
    /// JSON text and as each string in them.
    static func match(_ line: UnsafeRawBufferPointer, kind: Event.Kind, needle: Needle) -> String? {
        let keys = keys(of: kind)
        guard !keys.isEmpty, let object = try? JSONParser.parse(Array(line)) else { return nil }
        for key in keys {
            guard let value = object[key] else { continue }
            switch value {
            case .string(let text):
                if contains(text, needle.folded) { return key }
            case .null:
                continue
            default:
                if key == "parameters" || key == "result", matches(value, needle.folded) { return key }
            }
        }
        return nil
    }

    private static func matches(_ value: JSONValue, _ needle: [UInt8]) -> Bool {
        if contains(value.serialized(), needle) { return true }
        switch value {
        case .string(let text): return contains(text, needle)
        case .array(let items): return items.contains { matches($0, needle) }
        case .object(let fields): return fields.contains { contains($0.key, needle) || matches($0.value, needle) }
        default: return false
        }
    }
}

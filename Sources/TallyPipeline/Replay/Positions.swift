import TallySpool

/// The read positions a snapshot records: for spool segments the byte offset up to which
/// whole frames were folded (keyed by the sealed file name, which an active segment keeps
/// when it is sealed), for other files the bytes read.
struct Positions: Sendable, Hashable {
    var segments: [String: Int64] = [:]
    var files: [String: Int64] = [:]

    mutating func record(_ input: ReplayInput, offset: Int64) {
        if let segment = input.segment {
            segments[segment.fileName] = offset
        } else {
            files[input.path] = offset
        }
    }

    /// `{"segments":{"api.W.00000001.zst":4096,...},"files":{"/x/old.ndjson":1234}}`, keys sorted.
    func json() -> String {
        func object(_ map: [String: Int64]) -> String {
            var out: [UInt8] = [UInt8(ascii: "{")]
            for (index, key) in map.keys.sorted().enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                JSONText.appendString(key, to: &out)
                out.append(UInt8(ascii: ":"))
                out.append(contentsOf: String(map[key]!).utf8)
            }
            out.append(UInt8(ascii: "}"))
            return String(decoding: out, as: UTF8.self)
        }
        return #"{"segments":"# + object(segments) + #","files":"# + object(files) + "}"
    }
}

enum Health {
    static func replay(damage: Int) -> String {
        #"{"mode":"replay","damaged_frames_and_torn_tails":\#(damage)}"#
    }
}

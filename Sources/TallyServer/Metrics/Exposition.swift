/// Prometheus text exposition format 0.0.4: `# HELP`, `# TYPE` and samples, label values
/// escaped as the format says (`\\`, `\"`, `\n`).
///
/// ```swift
/// var text = Exposition()
/// text.family("tally_events_total", .counter, "Valid events folded.")
/// text.sample("tally_events_total", value: "17541")
/// ```
struct Exposition {
    enum Kind: String { case counter, gauge, summary }

    private(set) var text = ""

    mutating func family(_ name: String, _ kind: Kind, _ help: String) {
        text += "# HELP \(name) \(help)\n# TYPE \(name) \(kind.rawValue)\n"
    }

    mutating func sample(_ name: String, _ labels: [(String, String)] = [], value: String) {
        text += name
        if !labels.isEmpty {
            text += "{" + labels.map { "\($0.0)=\"\(Self.escape($0.1))\"" }.joined(separator: ",") + "}"
        }
        text += " \(value)\n"
    }

    static func escape(_ value: String) -> String {
        var out = ""
        for character in value {
            switch character {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(character)
            }
        }
        return out
    }
}

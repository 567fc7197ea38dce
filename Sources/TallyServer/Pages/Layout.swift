import TallyCore

/// The frame of every page: title, navigation, the generation served, the page's own stylesheet
/// and script (nothing from another host).
enum Layout {
    static let sections: [(path: String, title: String)] = [
        ("/", "Overview"), ("/sessions", "Sessions"), ("/tools", "Tools"), ("/models", "Models"),
        ("/users", "Users"), ("/alerts", "Alerts"), ("/errors", "Errors"), ("/invalid", "Invalid lines"), ("/search", "Search"),
    ]

    static func page(_ title: String, active: String, generation: Int64?, live: Bool = false, _ body: String) -> String {
        let navigation = sections.map { section in
            "<a href=\"\(section.path)\"\(section.path == active ? " class=\"active\"" : "")>\(section.title)</a>"
        }.joined()
        let served = generation.map { "snapshot <span id=\"generation\">\($0)</span>" } ?? "no snapshot"
        return """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(HTML.escape(title)) · Tally</title>
            <link rel="stylesheet" href="/assets/app.css">
            <script src="/assets/app.js" defer></script>
            </head><body\(live ? " data-live=\"1\"" : "")>
            <header><span class="brand">Tally</span><nav>\(navigation)</nav><span class="served">\(served)<span id="live"></span></span></header>
            <main>
            <h1>\(HTML.escape(title))</h1>
            \(body)
            </main></body></html>

            """
    }

    /// A table of a JSON list: `columns` are (header, field, kind); `link` makes the first cell a session link.
    static func table(_ rows: JSONValue, _ columns: [(String, String, Human.Kind)], sessionColumn: String? = nil) -> String {
        guard case .array(let items) = rows, !items.isEmpty else { return "<p class=\"empty\">Nothing here in this snapshot.</p>" }
        var out = "<div class=\"scroll\"><table><thead><tr>"
        for (header, _, kind) in columns { out += "<th\(numeric(kind) ? " class=\"num\"" : "")>\(HTML.escape(header))</th>" }
        out += "</tr></thead><tbody>"
        for item in items {
            out += "<tr>"
            for (_, field, kind) in columns {
                let value = item[field]
                let cell: String
                if field == sessionColumn, let id = value?.stringValue { cell = HTML.sessionLink(id) } else { cell = Human.cell(value, kind) }
                out += "<td\(numeric(kind) ? " class=\"num\"" : "")>\(cell)</td>"
            }
            out += "</tr>"
        }
        return out + "</tbody></table></div>"
    }

    /// A row of figure cards: (label, value html).
    static func cards(_ items: [(String, String)]) -> String {
        "<div class=\"cards\">" + items.map { "<div class=\"card\"><div class=\"label\">\(HTML.escape($0.0))</div><div class=\"figure\">\($0.1)</div></div>" }.joined() + "</div>"
    }

    /// The page for a failed query: its status and the CLI's line.
    static func failure(_ title: String, active: String, _ failure: QueryFailure) -> String {
        page(title, active: active, generation: nil, "<p class=\"error\">\(HTML.escape(failure.message))</p>")
    }

    private static func numeric(_ kind: Human.Kind) -> Bool {
        switch kind {
        case .text, .time: false
        default: true
        }
    }
}

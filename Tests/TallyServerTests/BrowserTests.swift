import Foundation
import TallyTestSupport
import Testing

/// A real headless browser (Debian's `chromium`, installed by .ci/setup) loads the pages.
@Suite(.serialized) struct BrowserTests {
    static var chromium: String? {
        ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// `chromium --headless` on `url`: the DOM after scripts ran, a screenshot, and every URL it asked for.
    static func load(_ url: String, screenshot: String, profile: String) throws -> (dom: String, requested: [String]) {
        let browser = try #require(chromium, "chromium is missing: .ci/setup installs Debian's chromium package")
        // The browser's own background calls (updates, sign-in) resolve to nothing: no traffic leaves this machine.
        let common = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                      "--disable-component-update", "--disable-sync", "--disable-default-apps", "--disable-domain-reliability",
                      "--disable-client-side-phishing-detection", "--no-default-browser-check",
                      "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
                      "--user-data-dir=\(profile)", "--window-size=1366,1000"]
        let netlog = profile + "/netlog.json"
        let dom = try runProgram(browser, common + ["--log-net-log=\(netlog)", "--dump-dom", url])
        #expect(dom.status == 0, "chromium: \(dom.error)")
        let shot = try runProgram(browser, common + ["--screenshot=\(screenshot)", url])
        #expect(shot.status == 0, "chromium: \(shot.error)")
        #expect(FileManager.default.fileExists(atPath: screenshot))
        // Every request the page made (its initiator is the page's origin), from the net log.
        let data = try Data(contentsOf: URL(fileURLWithPath: netlog))
        let log = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let origin = url.split(separator: "/").prefix(2).joined(separator: "//")
        var requested: [String] = []
        for event in log["events"] as? [[String: Any]] ?? [] {
            guard let params = event["params"] as? [String: Any], let target = params["url"] as? String,
                  params["initiator"] as? String == origin else { continue }
            requested.append(target)
        }
        return (dom.output, requested)
    }

    @Test func overviewAndSessionPageShowTheSnapshotsNumbersAndLoadNothingFromElsewhere() throws {
        let scratch = try Scratch()
        defer { scratch.cleanup() }
        try scratch.replaySampleLogs(extra: APITests.hostile)
        let server = try RunningServer(snapshot: scratch.snapshots, log: scratch.path + "/serve.log")
        defer { server.stop() }
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(try queryJSON(scratch.snapshots, ["summary"]).utf8)) as? [String: Any])

        let overview = try Self.load(server.base + "/", screenshot: buildFolder + "/serve-overview.png", profile: scratch.path + "/chromium1")
        let sessions = summary["sessions"] as! [String: Int]
        #expect(overview.dom.contains("<span data-value=\"\(sessions["total"]!)\">\(Self.grouped(sessions["total"]!))</span>"))
        #expect(overview.dom.contains("<span data-value=\"\(summary["events"] as! Int)\">\(Self.grouped(summary["events"] as! Int))</span>"))
        let cost = summary["cost_usd"] as! Double
        #expect(overview.dom.contains("data-value=\"\(Self.jsonNumber(cost))\">$\(String(format: "%.2f", cost))</span>"), "cost \(cost)")
        #expect(overview.dom.contains("<svg"), "charts are drawn on the page")

        let session = try Self.load(server.base + "/sessions/sess_hostile", screenshot: buildFolder + "/serve-session.png", profile: scratch.path + "/chromium2")
        #expect(session.dom.contains("sess_hostile"))
        // Hostile text shows as text: no element was made of it.
        for dom in [session.dom, overview.dom] {
            #expect(!dom.contains("<script>alert"))
            #expect(!dom.contains("<img src=\"x\""))
            #expect(!dom.contains("\u{07}") && !dom.contains("\u{1B}"))
        }
        #expect(session.dom.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(session.dom.contains("&lt;img src=x onerror=alert(2)&gt;"))
        // Its events as a transcript: the message as text, the failed tool call marked, its result folded.
        #expect(session.dom.contains("<div class=\"ev user\">"), "the user's message is a card")
        #expect(session.dom.contains("&lt;script&gt;alert(3)&lt;/script&gt;\\u{1}"))
        #expect(session.dom.contains("<div class=\"ev bad\">"), "the failed tool call is marked")
        #expect(session.dom.contains("<details><summary><strong>&lt;img src=x onerror=alert(2)&gt;"))
        #expect(session.dom.contains("&lt;b&gt;bold&lt;/b&gt;"))

        let search = try Self.load(server.base + "/search?q=ALERT(3)", screenshot: buildFolder + "/serve-search.png", profile: scratch.path + "/chromium3")
        #expect(search.dom.contains("<mark>alert(3)</mark>"), "the match is marked, found without regard to case")
        #expect(search.dom.contains("<a href=\"/sessions/sess_hostile\">sess_hostile</a>"))
        #expect(!search.dom.contains("<script>alert"))

        let requested = overview.requested + session.requested + search.requested
        #expect(requested.contains(server.base + "/assets/app.css") && requested.contains(server.base + "/assets/app.js"),
                "the net log names what the pages loaded: \(requested)")
        for url in requested {
            #expect(url.hasPrefix(server.base + "/"), "a request left the host: \(url)")
        }
    }

    /// The pages list every hostile value as text, everywhere they appear.
    @Test func hostileTextRendersAsTextOnEveryPage() throws {
        let scratch = try Scratch()
        defer { scratch.cleanup() }
        try scratch.replaySampleLogs(extra: APITests.hostile)
        let server = try RunningServer(snapshot: scratch.snapshots, log: scratch.path + "/serve.log")
        defer { server.stop() }
        var paths = ["/", "/sessions?sort=started", "/sessions/sess_hostile", "/tools", "/users", "/users?by=org", "/alerts", "/invalid", "/models",
                     "/search", "/search?q=alert", "/search?q=bold&type=tool_call"]
        // `errors` is a 1.1 subject: the page is there once the command line answers it.
        if try tally(["query", "--snapshot", scratch.snapshots, "errors", "--format", "json"]).status == 0 { paths.append("/errors") }
        for path in paths {
            let page = try server.get(path)
            #expect(page.status == 200, "\(path): \(page.body.prefix(300))")
            #expect(!page.body.contains("<script>alert"), "\(path)")
            #expect(!page.body.contains("<img src=x"), "\(path)")
            #expect(!page.body.contains("<b>bold"), "\(path)")
            #expect(!page.body.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" && $0 != "\t" }, "\(path)")
            #expect(!page.body.contains("<script>") || page.body.components(separatedBy: "<script").count == 2, "only the page's own script tag")
        }
        #expect(try server.get("/tools").body.contains("&lt;img src=x onerror=alert(2)&gt;&quot;\\u{1b}[31m"))
        #expect(try server.get("/sessions/sess_hostile").body.contains("&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;\\u{7}x"))
        let found = try server.get("/search?q=alert")
        #expect(found.body.contains("&lt;script&gt;<mark>alert</mark>(3)&lt;/script&gt;\\u{1}"))
        let matches = try #require(try JSONSerialization.jsonObject(with: Data(try queryJSON(scratch.snapshots, ["search", "alert"]).utf8)) as? [Any])
        #expect(!matches.isEmpty)
        #expect(found.body.components(separatedBy: "<tr>").count - 1 == matches.count + 1, "a header row and one row a match")
        #expect(try server.get("/search?q=x&since=yesterday").status == 400)
        #expect(try server.get("/sessions?sort=started&limit=0").body.contains("&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;\\u{7}x"))
    }

    static func grouped(_ value: Int) -> String {
        let digits = String(value)
        var out = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { out += "," }
            out.append(digit)
        }
        return out
    }

    static func jsonNumber(_ value: Double) -> String { value.description }
}

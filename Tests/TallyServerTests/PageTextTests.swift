import Testing
@testable import TallyServer

struct PageTextTests {
    @Test func escapeLeavesNoMarkupAndShowsControlCharacters() {
        #expect(HTML.escape("<script>alert(\"x\")</script>'&") == "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39;&amp;")
        #expect(HTML.escape("a\u{07}b\u{1B}c\u{7F}\u{2028}") == "a\\u{7}b\\u{1b}c\\u{7f}\\u{2028}")
        #expect(HTML.escape("line\nnext\ttab") == "line\nnext\ttab")
    }

    @Test func numbersForPeople() {
        #expect(Human.money(12.3449) == "$12.34")
        #expect(Human.money(0.00036) == "$0.0004")
        #expect(Human.money(70.89052255) == "$70.89")
        #expect(Human.money(123456.7) == "$123,457")
        #expect(Human.tokens(1_234_567) == "1.2 M tokens")
        #expect(Human.tokens(950) == "950 tokens")
        #expect(Human.duration(ms: 3400) == "3.4 s")
        #expect(Human.duration(ms: 850) == "850 ms")
        #expect(Human.count(17541) == "17,541")
        #expect(Human.percent(0.9326) == "93.3 %")
    }

    @Test func tokensCompareInFull() {
        #expect(ConstantTime.matchesAny("abc", ["x", "abc"]))
        #expect(!ConstantTime.matchesAny("ab", ["abc"]))
        #expect(!ConstantTime.matchesAny("abcd", ["abc"]))
        #expect(!ConstantTime.matchesAny("", ["abc"]))
    }

    @Test func listenAddresses() throws {
        #expect(try ListenAddress(parsing: "127.0.0.1:8088").isLoopback)
        #expect(try ListenAddress(parsing: "127.1.2.3:1").isLoopback)
        #expect(try ListenAddress(parsing: "[::1]:8088").isLoopback)
        #expect(try ListenAddress(parsing: "localhost:80").isLoopback)
        #expect(try !ListenAddress(parsing: "0.0.0.0:8088").isLoopback)
        #expect(try !ListenAddress(parsing: "[::]:8088").isLoopback)
        #expect(try !ListenAddress(parsing: "127.0.0.1.example.com:80").isLoopback)
        #expect(throws: ServerError.self) { try ListenAddress(parsing: "127.0.0.1") }
        #expect(throws: ServerError.self) { try ListenAddress(parsing: "::1:80") }
        #expect(throws: ServerError.self) { try ListenAddress(parsing: "host:99999") }
    }

    @Test func labelValuesAreEscaped() {
        var text = Exposition()
        text.sample("m", [("tool", "a\"b\\c\nd")], value: "1")
        #expect(text.text == "m{tool=\"a\\\"b\\\\c\\nd\"} 1\n")
    }

    @Test func queryStringsDecode() throws {
        #expect(try QueryString.parse("q=a+b%20c&x=%3Cy%3E&flag") .map { "\($0.0)=\($0.1)" } == ["q=a b c", "x=<y>", "flag="])
        #expect(throws: QueryFailure.self) { try QueryString.parse("q=%ZZ") }
        #expect(throws: QueryFailure.self) { try QueryString.parse("q=%FF") }
    }
}

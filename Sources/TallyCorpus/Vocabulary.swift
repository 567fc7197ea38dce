/// The fixed material a corpus is made of: models with their prices, tools, names, and text.
/// Everything is stored as JSON-ready UTF-8 bytes (strings already escaped).
struct ModelProfile {
    enum Reasoning { case never, sometimes, always }

    let name: [UInt8]
    let provider: [UInt8]
    let contextWindow: Int64
    /// USD per million tokens × 10⁶ (pico-dollars per token), as in a pipeline's price table.
    let inputPicos: Int64
    let outputPicos: Int64
    let cachedInputPicos: Int64
    /// The producer logs `cost_usd` itself; otherwise the fold must price the call from the pipeline's table.
    let reportsCost: Bool
    let caches: Bool
    let reasoning: Reasoning
    /// Prompt-cache writes, charged at this price (pico-dollars per token); `nil`: the model writes none.
    var cacheWritePicos: Int64? = nil
    /// A price change (1.1): from this epoch millisecond on, the producer's `cost_usd` uses these
    /// input, output and cached-input prices (pipeline.md's dated price list shows the same change).
    var priceChange: (from: Int64, input: Int64, output: Int64, cachedInput: Int64)? = nil
    /// Milliseconds per output token, a range.
    let msPerToken: ClosedRange<Int>
    let toolCallPrefix: [UInt8]
    /// Relative share of sessions.
    let weight: Int
}

enum Vocabulary {
    static let models: [ModelProfile] = [
        ModelProfile(
            name: bytes("claude-3-5-haiku-20241022"), provider: bytes("anthropic"), contextWindow: 200_000,
            inputPicos: 800_000, outputPicos: 4_000_000, cachedInputPicos: 80_000, reportsCost: false,
            caches: true, reasoning: .never, cacheWritePicos: 1_000_000, msPerToken: 6...12, toolCallPrefix: bytes("toolu_"), weight: 30),
        ModelProfile(
            name: bytes("claude-sonnet-4-5"), provider: bytes("anthropic"), contextWindow: 200_000,
            inputPicos: 3_000_000, outputPicos: 15_000_000, cachedInputPicos: 300_000, reportsCost: true,
            caches: true, reasoning: .sometimes, cacheWritePicos: 3_750_000, msPerToken: 12...25, toolCallPrefix: bytes("toolu_"), weight: 20),
        ModelProfile(
            name: bytes("gpt-4o-mini"), provider: bytes("openai"), contextWindow: 128_000,
            inputPicos: 150_000, outputPicos: 600_000, cachedInputPicos: 75_000, reportsCost: true,
            caches: true, reasoning: .never,
            priceChange: (from: 1_761_955_200_000, input: 120_000, output: 500_000, cachedInput: 60_000), msPerToken: 5...11, toolCallPrefix: bytes("call_"), weight: 18),
        ModelProfile(
            name: bytes("gpt-4.1"), provider: bytes("openai"), contextWindow: 1_047_576,
            inputPicos: 2_000_000, outputPicos: 8_000_000, cachedInputPicos: 500_000, reportsCost: false,
            caches: true, reasoning: .never, msPerToken: 10...20, toolCallPrefix: bytes("call_"), weight: 12),
        ModelProfile(
            name: bytes("o4-mini"), provider: bytes("openai"), contextWindow: 200_000,
            inputPicos: 1_100_000, outputPicos: 4_400_000, cachedInputPicos: 275_000, reportsCost: true,
            caches: false, reasoning: .always, msPerToken: 8...16, toolCallPrefix: bytes("call_"), weight: 8),
        ModelProfile(
            name: bytes("llama-3.1-70b-local"), provider: bytes("vllm"), contextWindow: 32_768,
            inputPicos: 0, outputPicos: 0, cachedInputPicos: 0, reportsCost: false,
            caches: false, reasoning: .never, msPerToken: 20...40, toolCallPrefix: bytes("call_"), weight: 12),
    ]

    static let tools: [[UInt8]] = [
        "get_session_metrics", "get_token_usage", "search_messages", "list_active_sessions",
        "analyze_engagement", "get_system_health", "analyze_costs",
    ].map(bytes)

    static let organizations: [[UInt8]] = [
        "acme", "globex", "initech", "umbrella", "hooli", "stark", "wayne", "wonka", "tyrell", "cyberdyne",
        "soylent", "aperture", "blackmesa", "gringotts", "monarch", "oscorp", "pied-piper", "vandelay",
        "dunder-mifflin", "massive-dynamic", "nakatomi", "weyland", "zorg", "duff",
    ].map { bytes("org_" + $0) }

    static let projectNames: [[UInt8]] = [
        "support-bot", "analytics", "sales-copilot", "docs-search", "onboarding", "billing-assistant",
        "sre-helper", "research",
    ].map(bytes)

    static let personas: [[UInt8]] = [
        "support", "analyst", "sre", "finance", "onboarding", "researcher", "sales",
    ].map { bytes("persona_" + $0) }

    static let userAgents: [[UInt8]] = [
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/129.0.0.0 Safari/537.36",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:131.0) Gecko/20100101 Firefox/131.0",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1",
        "tally-chat-ios/3.2.1 (iPad; iOS 18.0.1)",
        "python-httpx/0.27.2",
        "Slack-Bot/1.0 (+https://api.slack.com/robots)",
    ].map(bytes)

    static let devices: [[UInt8]] = [
        "desktop; macOS 15.1", "desktop; Windows 11", "mobile; iOS 18.0", "tablet; iPadOS 18.0",
        "server; Linux x86_64", "desktop; Ubuntu 24.04",
    ].map(bytes)

    static let clients: [[UInt8]] = ["web", "ios", "slack", "api", "cli"].map(bytes)

    static let llmErrors: [[UInt8]] = [
        "rate_limit_error: 429 Too Many Requests, retry after 2s",
        "overloaded_error: the model is currently overloaded",
        "api_error: 500 Internal Server Error from upstream",
        "invalid_request_error: tool schema for analyze_costs is invalid",
    ].map(bytes)

    static let toolErrors: [[UInt8]] = [
        "upstream returned 503 Service Unavailable",
        "invalid argument: range must be one of 1h, 24h, 7d, 30d",
        "permission denied: user may not read another organization's sessions",
        "database error: canceling statement due to statement timeout",
        "connection reset by peer (metrics-db:5432)",
    ].map(bytes)

    static let sessionFailures: [[UInt8]] = [
        "LLM provider returned 500 three times; giving up",
        "tool runtime crashed: MCP server analytics-mcp exited with status 137",
        "websocket closed unexpectedly (1006)",
        "unhandled exception in response renderer: KeyError 'usage'",
    ].map(bytes)

    static let systemLogs: [(level: [UInt8], message: [UInt8])] = [
        ("info", "health check ok: 4/4 MCP servers reachable"),
        ("info", "snapshot of session cache written (2.1 MiB)"),
        ("debug", "connection pool metrics-db: 12 of 50 in use"),
        ("debug", "GC pause 14 ms, heap 812 MiB"),
        ("info", "worker pool resized from 8 to 12 workers"),
        ("warn", "queue depth 812 above soft limit 500"),
        ("warn", "MCP server analytics-mcp slow to respond (p95 4.2 s)"),
        ("error", "failed to flush metrics batch: connection refused (otel-collector:4317)"),
        ("info", "config reloaded: 3 prompts, 7 tools, 6 models"),
        ("debug", "token bucket refill: org_acme 1200/1200"),
    ].map { (bytes($0.0), bytes($0.1)) }

    static let processes: [[UInt8]] = [
        "chat-api-1", "chat-api-2", "chat-api-3", "mcp-analytics", "mcp-search", "scheduler",
    ].map(bytes)

    static let feedbackComments: [[UInt8]] = [
        "Exactly what I needed, thanks!",
        "The numbers look off for last week \u{2014} can you double-check?",
        "Too slow, took almost a minute.",
        "Great breakdown by model \u{1F44D}",
        "It ignored my filter on org_acme.",
        "Helpful, but the chart would be nicer as a table.",
    ].map(bytes)

    static let cancelReasons: [[UInt8]] = ["cancelled by user", "client disconnected"].map(bytes)

    /// User questions, JSON-escaped.
    static let userSentences: [String] = [
        #"How many sessions failed yesterday for org_acme?"#,
        #"Can you break down token usage by model for the last 7 days?"#,
        #"Which tools had the most errors this week?"#,
        #"Show me the slowest responses today, with the session ids."#,
        #"What did we spend on claude-sonnet-4-5 in October?"#,
        #"List the active sessions for the support-bot project."#,
        #"Why is the p95 latency of search_messages so high since Monday?"#,
        #"Compare engagement between the analyst and the support personas."#,
        #"Is the system healthy right now? Someone said the queue is backing up."#,
        #"Find messages that mention \"refund\" from the last 24 hours."#,
        #"Give me the cost per project, sorted descending, top 10 only."#,
        #"How many users came back within 7 days after their first session?"#,
        #"Our CFO wants a number: average cost per conversation this month \u2014 roughly?"#,
        #"Can you check whether cached input tokens are actually being used?"#,
        #"Summarise the errors from get_token_usage; is it the database again?"#,
        #"Wie viele Sitzungen hatten gestern Zeitüberschreitungen?"#,
        #"Quelles sont les sessions les plus coûteuses de la semaine ?"#,
        #"Please also include the sessions that are still ACTIVE."#,
        #"Thanks! And the same for org_globex, please."#,
        #"Could you export that as CSV?\nColumns: session_id, user, cost_usd."#,
        #"What changed after we switched the default model to gpt-4.1?"#,
        #"How often does the assistant hit the context window limit?"#,
        #"Which users triggered rate limits more than five times in an hour?"#,
        #"Ok, now only the sessions longer than 30 minutes."#,
        #"昨日のエラー率はどれくらいでしたか？"#,
        #"Show the hourly timeline of llm_calls for today 📈"#,
    ]

    /// Assistant answer material, JSON-escaped (markdown, numbers, some non-ASCII).
    static let assistantSentences: [String] = [
        #"Here is the breakdown you asked for."#,
        #"**Summary**\n- 1,284 sessions in the selected range\n- 97.2% completed, 1.9% failed, 0.9% cancelled\n"#,
        #"I queried get_session_metrics for each of the 12 sessions and merged the results."#,
        #"The slowest step was search_messages, which took 4.8 s on average because the full-text index was cold."#,
        #"Token usage by model (last 7 days):\n| model | input | output |\n|---|---|---|\n| claude-3-5-haiku-20241022 | 18.4 M | 2.1 M |\n| gpt-4o-mini | 9.7 M | 1.3 M |\n"#,
        #"Cached input tokens account for about 41% of input on Anthropic models, so caching is working as intended."#,
        #"Note that sessions still marked ACTIVE may flip to TIMEOUT after 24 hours without activity."#,
        #"The error spike on Monday lines up with the metrics-db failover at 09:12 UTC."#,
        #"I could not read data for org_umbrella: the tool returned \"permission denied\", so those rows are missing."#,
        #"Costs are computed from the provider's cost_usd when present and from the price table otherwise; llama-3.1-70b-local runs on our own GPUs and is not priced."#,
        #"Engagement: analysts average 7.4 turns per session versus 3.1 for support, and they return within a week 62% of the time."#,
        #"```sql\nSELECT project_id, SUM(cost_usd) AS cost\nFROM sessions\nGROUP BY project_id\nORDER BY cost DESC\nLIMIT 10;\n```\n"#,
        #"Top projects by cost: sales-copilot ($412.88), analytics ($301.12), docs-search ($97.40)."#,
        #"The system looks healthy: all four MCP servers respond, queue depth is 37, and the error rate is 0.3%."#,
        #"Three users exceeded the rate limit more than five times within one hour; all three were running scripted exports."#,
        #"Let me know if you want this grouped by persona instead — it only takes one more query."#,
        #"Résumé : la session la plus coûteuse a consommé 182 000 tokens d'entrée, principalement via analyze_costs."#,
        #"Zusammenfassung: 23 Sitzungen endeten mit Zeitüberschreitung, die meisten nachts zwischen 02:00 und 04:00 Uhr."#,
        #"The context window reached 91% in 14 sessions; most of them pasted long documents into the conversation."#,
        #"I retried the call once after a 429 from the provider; the second attempt succeeded."#,
        #"✅ Export ready: 312 rows, 5 columns."#,
        #"Average response time is 6.2 s (median 3.9 s); 2% of responses took longer than 30 s."#,
        #"Those numbers exclude duplicated events, which the pipeline folds once per event_id."#,
        #"If you need finer detail, I can list the individual tool calls with their execution times."#,
        #"日本語の要約：昨日のエラー率は 1.7% でした。"#,
        #"I'm not certain about the last figure; the cost table for gpt-4.1 was updated on the 14th."#,
    ]

    static let systemPrompt: [UInt8] = bytes(
        #"You are Tally Assistant, an analytics copilot for LLM chat telemetry. Answer with exact numbers from tools; never invent data. Prefer tables for lists. Tools: get_session_metrics, get_token_usage, search_messages, list_active_sessions, analyze_engagement, get_system_health, analyze_costs."#)

    static let searchWords: [[UInt8]] = [
        "refund", "timeout", "invoice", "password reset", "latency", "export csv", "rate limit", "SSO",
        "downgrade plan", "webhook",
    ].map(bytes)

    static let ranges: [[UInt8]] = ["1h", "24h", "7d", "30d"].map(bytes)

    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }
}

/// Message text: an opening cut from a run of JSON-escaped sentences (markdown, escapes,
/// non-ASCII), continued with words drawn from a large generated lexicon and numbers, so that
/// contents vary like real chat text instead of repeating a few sentences (a corpus then compresses
/// about as well as real telemetry). Every cut ends before a space, so it never splits an escape
/// or a multi-byte character.
///
/// ```swift
/// let pool = TextPool(sentences: Vocabulary.userSentences, length: 48 << 10, random: &random)
/// pool.write(length: 120, random: &random, into: &buffer)
/// ```
struct TextPool {
    let bytes: [UInt8]
    /// Offsets at which a sentence starts.
    let sentenceStarts: [Int]
    /// Generated words (ASCII letters only), the most frequent first.
    let words: [[UInt8]]

    /// How many words the lexicon holds.
    static let lexiconSize = 16_384
    /// Syllables the lexicon words are made of.
    static let syllables: [[UInt8]] = [
        "ba", "be", "bi", "bo", "bu", "ca", "ce", "co", "da", "de", "di", "do", "fa", "fe", "fi", "ga",
        "ge", "go", "ha", "he", "hi", "ja", "ka", "ke", "ki", "la", "le", "li", "lo", "lu", "ma", "me",
        "mi", "mo", "mu", "na", "ne", "ni", "no", "nu", "pa", "pe", "pi", "po", "ra", "re", "ri", "ro",
        "ru", "sa", "se", "si", "so", "su", "ta", "te", "ti", "to", "tu", "va", "ve", "vi", "wa", "we",
        "ya", "yo", "za", "ze", "an", "en", "in", "on", "un", "ar", "er", "or", "al", "el", "il", "ol",
        "st", "tr", "th", "ch", "sh", "ng", "nd", "ct", "ion", "ing", "ent", "ant", "est", "ist", "ous", "ive",
    ].map { Array($0.utf8) }

    init(sentences: [String], length: Int, random: inout RandomSource) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(length + 4096)
        var starts: [Int] = []
        while bytes.count < length {
            starts.append(bytes.count)
            bytes.append(contentsOf: sentences[random.below(sentences.count)].utf8)
            bytes.append(UInt8(ascii: " "))
        }
        self.bytes = bytes
        sentenceStarts = starts.filter { $0 < length / 2 }
        // The lexicon depends on no seed: the same words in every corpus, only their use varies.
        var lexiconRandom = RandomSource(seed: 0x7465_7874)
        var words: [[UInt8]] = []
        words.reserveCapacity(Self.lexiconSize)
        for rank in 0..<Self.lexiconSize {
            // Frequent words are short, rare ones longer (1 to 4 syllables).
            let syllableCount = rank < 64 ? 1 : rank < 1_024 ? lexiconRandom.between(1, 2) : lexiconRandom.between(2, 4)
            var word: [UInt8] = []
            for _ in 0..<syllableCount { word += Self.syllables[lexiconRandom.below(Self.syllables.count)] }
            words.append(word)
        }
        self.words = words
    }

    /// Appends about `length` bytes cut from the sentence run alone, starting at a sentence (cut at
    /// a space): repetitive text, for lines whose size matters more than their content (too-long lines).
    func writeExcerpt(length: Int, random: inout RandomSource, into buffer: inout [UInt8]) {
        let start = sentenceStarts[random.below(sentenceStarts.count)]
        let limit = bytes.count - 1
        var end = min(start + max(length, 1), limit)
        while end < limit, bytes[end] != UInt8(ascii: " ") { end += 1 }
        while end > start, bytes[end - 1] == UInt8(ascii: " ") { end -= 1 }
        buffer.append(contentsOf: bytes[start..<end])
    }

    /// Appends about `length` bytes of text (at least one byte): an opening of at most a sentence or
    /// two from the pool, then generated words, numbers and punctuation.
    func write(length: Int, random: inout RandomSource, into buffer: inout [UInt8]) {
        let target = buffer.count + max(length, 1)
        let start = sentenceStarts[random.below(sentenceStarts.count)]
        let limit = bytes.count - 1
        var end = min(start + min(max(length, 1), random.between(12, 90)), limit)
        while end < limit, bytes[end] != UInt8(ascii: " ") { end += 1 }
        while end > start, bytes[end - 1] == UInt8(ascii: " ") { end -= 1 }
        buffer.append(contentsOf: bytes[start..<end])
        var wordsInSentence = 0
        while buffer.count < target {
            buffer.append(UInt8(ascii: " "))
            let roll = random.below(100)
            if roll < 8 {
                buffer.writeDecimal(random.between(0, roll < 4 ? 99 : 99_999))
                if roll == 0 {
                    buffer.append(UInt8(ascii: "."))
                    buffer.writeDecimal(random.between(0, 99))
                }
            } else {
                // Zipf-like: a cube of a uniform number picks frequent words far more often than rare ones.
                let u = random.unit()
                let word = words[Int(u * u * u * Double(words.count))]
                buffer.append(contentsOf: word)
            }
            wordsInSentence += 1
            if wordsInSentence > 4, random.below(10) == 0 {
                buffer.append(random.below(4) == 0 ? UInt8(ascii: ",") : UInt8(ascii: "."))
                wordsInSentence = 0
            }
        }
    }
}

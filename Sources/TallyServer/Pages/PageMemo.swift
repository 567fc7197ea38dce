import Synchronization

/// The HTML of a page made from answers, kept with those answers' texts: a page is a pure
/// function of them, so while every text is the same (the same snapshot), the same HTML serves
/// again without parsing or rendering. A newer snapshot's texts differ and render afresh.
///
/// ```swift
/// if let html = memo.html("overview 1h", from: texts) { return html }
/// let html = render(texts)
/// memo.keep(html, "overview 1h", from: texts)
/// ```
///
/// Bounded: at most ``maxPages`` pages, each made from at most ``maxInputBytes`` of answers.
final class PageMemo: Sendable {
    static let maxPages = 16
    static let maxInputBytes = 256 << 10

    private let pages = Mutex<[String: (inputs: [String], html: String)]>([:])

    /// The page kept as `key` when it was made from exactly `inputs`.
    func html(_ key: String, from inputs: [String]) -> String? {
        guard let kept = pages.withLock({ $0[key] }), kept.inputs.count == inputs.count else { return nil }
        for (old, new) in zip(kept.inputs, inputs) where !old.utf8.elementsEqual(new.utf8) { return nil }
        return kept.html
    }

    func keep(_ html: String, _ key: String, from inputs: [String]) {
        guard inputs.reduce(0, { $0 + $1.utf8.count }) <= Self.maxInputBytes else { return }
        pages.withLock { pages in
            if pages[key] == nil, pages.count >= Self.maxPages { pages = [:] }
            pages[key] = (inputs, html)
        }
    }
}

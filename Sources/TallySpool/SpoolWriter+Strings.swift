extension SpoolWriter {
    /// Appends one line, given with or without its final newline, as a batch of its own.
    ///
    /// ```swift
    /// try writer.append(line: #"{"type":"log","ts":1761229800000,"level":"info","message":"up"}"#)
    /// ```
    ///
    /// As with the lines of bytes of `append(lines:)`, its UTF-8 is appended as it is, and other
    /// `\n` in it cut it into several lines.
    public func append(line: some StringProtocol) throws(SpoolError) {
        try append(lines: CollectionOfOne(line.utf8))
    }

    /// Appends one batch of lines, each given with or without its final newline (a line ending
    /// in `\n` is appended once, not followed by an empty line).
    ///
    /// ```swift
    /// try writer.append(lines: events.map { $0.jsonText })
    /// ```
    public func append<Lines: Sequence>(lines: Lines) throws(SpoolError) where Lines.Element: StringProtocol {
        try append(lines: lines.lazy.map(\.utf8))
    }
}

/// Receives the pieces of one streamed line; see `SpoolWriter.appendStreamingLine`.
final class LineSink {
    private let write: (UnsafeRawBufferPointer) throws(SpoolError) -> Void

    init(_ write: @escaping (UnsafeRawBufferPointer) throws(SpoolError) -> Void) { self.write = write }

    func callAsFunction(_ piece: UnsafeRawBufferPointer) throws(SpoolError) { try write(piece) }
}

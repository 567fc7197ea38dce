public import TallyPosix

/// Why the consumer cannot start or had to stop; one line saying what and where.
///
/// ```swift
/// do { _ = try Consumer(settings: settings, logger: logger) }
/// catch let error as ConsumerError where error.code == .busy { exit(2) }   // another `tally run`
/// ```
public typealias ConsumerError = CodedError<ConsumerErrorDomain>

/// The domain of ``ConsumerError``'s codes.
public enum ConsumerErrorDomain {}

extension ErrorCode where Domain == ConsumerErrorDomain {
    /// Another consumer holds the snapshot directory's lock.
    public static let busy = Self("busy")
    /// The snapshot directory holds snapshots this consumer cannot resume from.
    public static let incompatible = Self("incompatible")
    /// Reading, writing or committing failed.
    public static let io = Self("io")
}

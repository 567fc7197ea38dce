package import TallyPosix

/// Why the consumer cannot start or had to stop; one line saying what and where.
///
/// ```swift
/// do { _ = try Consumer(settings: settings, logger: logger) }
/// catch let error as ConsumerError where error.code == .busy { exit(2) }   // another `tally run`
/// ```
package typealias ConsumerError = CodedError<ConsumerErrorDomain>

/// The domain of ``ConsumerError``'s codes.
package enum ConsumerErrorDomain {}

extension ErrorCode where Domain == ConsumerErrorDomain {
    /// Another consumer holds the snapshot directory's lock.
    package static let busy = Self("busy")
    /// The snapshot directory holds snapshots this consumer cannot resume from.
    package static let incompatible = Self("incompatible")
    /// Reading, writing or committing failed.
    package static let io = Self("io")
}

import ArgumentParser
import TallyCore
import TallySnapshot

// The values of a `SnapshotQuery` as `tally query` spells them: the raw values, and statuses in
// any case. `QueryCommand` turns its flags into them in its own words (see QueryCommand+Query.swift).

extension SessionStatus: ExpressibleByArgument {
    /// `FAILED`, `failed` or `Failed`.
    public init?(argument: String) {
        self.init(rawValue: argument.uppercased())
    }
}

extension SessionSort: ExpressibleByArgument {}
extension RollupKey: ExpressibleByArgument {}
extension BucketWidth: ExpressibleByArgument {}
extension AlertView.Kind: ExpressibleByArgument {}
extension ErrorGroupView.Kind: ExpressibleByArgument {}
extension InvalidReason: ExpressibleByArgument {}
extension OutputFormat: ExpressibleByArgument {}

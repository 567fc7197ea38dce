import Synchronization

/// Hands the units of a plan to the decode threads of one pass, one at a time and in plan order
/// (largest first), to whichever thread asks next.
///
/// ```swift
/// let units = UnitDispenser(plan)
/// while let slot = units.take() { decode(units.plan.units[slot]) }   // on each decode thread
/// ```
final class UnitDispenser: Sendable {
    let plan: ReplayPlan
    private let next = Atomic<Int>(0)

    init(_ plan: ReplayPlan) {
        self.plan = plan
    }

    /// The index in `plan.units` of the next unit nobody took, `nil` once every unit is taken.
    func take() -> Int? {
        let slot = next.wrappingAdd(1, ordering: .relaxed).oldValue
        return slot < plan.units.count ? slot : nil
    }
}

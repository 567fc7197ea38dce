/// One bit per open container (1 = object): the first 64 levels in a word,
/// deeper ones in the caller's reusable spill array.
struct NestingStack {
    private var inline: UInt64 = 0
    private var depth = 0
    private var spilled = false

    var isEmpty: Bool { depth == 0 }

    @inline(__always)
    mutating func push(_ isObject: Bool, spill: inout [UInt64]) {
        let bit: UInt64 = isObject ? 1 : 0
        if depth < 64 {
            inline = inline & ~(1 &<< UInt64(depth)) | bit &<< UInt64(depth)
        } else {
            let word = depth / 64 - 1
            if !spilled {
                spill.removeAll(keepingCapacity: true)
                spilled = true
            }
            if word == spill.count { spill.append(0) }
            let shift = UInt64(depth % 64)
            spill[word] = spill[word] & ~(1 &<< shift) | bit &<< shift
        }
        depth += 1
    }

    @inline(__always)
    mutating func pop() { depth -= 1 }

    @inline(__always)
    func topIsObject(spill: [UInt64]) -> Bool {
        let level = depth - 1
        if level < 64 { return inline &>> UInt64(level) & 1 == 1 }
        return spill[level / 64 - 1] &>> UInt64(level % 64) & 1 == 1
    }
}

extension InvalidReason {
    /// Position in `allCases`.
    var index: Int {
        switch self {
        case .tooLong: 0
        case .invalidUTF8: 1
        case .notJSON: 2
        case .notObject: 3
        case .missingType: 4
        case .unknownType: 5
        case .missingField: 6
        case .badTimestamp: 7
        case .wrongType: 8
        case .outOfRange: 9
        case .badEnum: 10
        }
    }
}

/// Which context id a rollup groups sessions by.
public enum RollupKey: String, Sendable, Hashable, CaseIterable {
    case user, org, project, persona

    var index: Int {
        switch self {
        case .user: 0
        case .org: 1
        case .project: 2
        case .persona: 3
        }
    }

    func key(of session: SessionState) -> String? {
        switch self {
        case .user: session.userID?.value
        case .org: session.orgID?.value
        case .project: session.projectID?.value
        case .persona: session.personaID?.value
        }
    }
}

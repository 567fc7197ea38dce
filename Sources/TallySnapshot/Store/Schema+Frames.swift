/// The frame index: for every session, which frames of which files hold its events (see
/// `FrameList` in TallyCore for the packed list), the files by id, and the price table the fold
/// used. Versioned like the session rows (`gen_from`, `gen_to`): a session's list is rewritten
/// whole when it changes (one row a session, a few bytes a frame), a file's row is closed when
/// retention deletes its segment.
extension Schema {
    static let frameTableNames = ["session_frames", "frame_files", "frame_pricing"]

    static let frameTables = """
        CREATE TABLE IF NOT EXISTS session_frames(
            session_id TEXT NOT NULL,
            gen_from INTEGER NOT NULL,
            gen_to INTEGER,
            frames BLOB NOT NULL);
        CREATE INDEX IF NOT EXISTS session_frames_by_id ON session_frames(session_id);
        CREATE INDEX IF NOT EXISTS session_frames_closed ON session_frames(gen_to) WHERE gen_to IS NOT NULL;
        CREATE TABLE IF NOT EXISTS frame_files(
            file_id INTEGER NOT NULL,
            gen_from INTEGER NOT NULL,
            gen_to INTEGER,
            path TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS frame_files_closed ON frame_files(gen_to) WHERE gen_to IS NOT NULL;
        CREATE TABLE IF NOT EXISTS frame_pricing(
            gen_from INTEGER NOT NULL,
            gen_to INTEGER,
            pricing BLOB NOT NULL);
        """

    /// `alias`'s row is visible in generation `?1`.
    static func visibleAt(_ alias: String, _ parameter: String = "?1") -> String {
        "\(alias).gen_from <= \(parameter) AND (\(alias).gen_to IS NULL OR \(alias).gen_to > \(parameter))"
    }
}

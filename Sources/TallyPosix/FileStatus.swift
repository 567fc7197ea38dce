internal import Glibc

/// What `stat(2)` says of a path: its kind, size, identity and modification time.
package struct FileStatus: Sendable, Hashable {
    package var size: Int64
    package var device: UInt64
    package var inode: UInt64
    package var isDirectory: Bool
    package var isRegular: Bool
    package var isSymbolicLink: Bool
    /// What kind of file it is, as a sentence names it: "regular file", "symbolic link", "FIFO", …
    package var kind: String
    /// Permission bits (`st_mode & 0o7777`).
    package var permissions: UInt32
    /// Last modification time, epoch milliseconds.
    package var modifiedAt: Int64

    init(_ info: stat) {
        let kind = info.st_mode & S_IFMT
        size = Int64(info.st_size)
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
        isDirectory = kind == S_IFDIR
        isRegular = kind == S_IFREG
        isSymbolicLink = kind == S_IFLNK
        switch kind {
        case S_IFREG: self.kind = "regular file"
        case S_IFDIR: self.kind = "directory"
        case S_IFLNK: self.kind = "symbolic link"
        case S_IFIFO: self.kind = "FIFO"
        case S_IFSOCK: self.kind = "socket"
        case S_IFCHR: self.kind = "character device"
        case S_IFBLK: self.kind = "block device"
        default: self.kind = "special file"
        }
        permissions = UInt32(info.st_mode & 0o7777)
        modifiedAt = Int64(info.st_mtim.tv_sec) * 1000 + Int64(info.st_mtim.tv_nsec) / 1_000_000
    }
}

import Foundation
import NIOConcurrencyHelpers

/// The directory files are received into, and the names they get there.
///
/// An accepted offer is written to `NAME.partial` (with its ``PartialFileRecord`` in
/// `NAME.partial.meta`) and, once its SHA-256 matched, moved to `NAME` in one step, so `NAME`
/// never exists half-written. `NAME` is the offered name made safe (``SafeFileName``); when it or
/// its partial is taken (and `overwrite` is off) the next of `NAME (1)`, `NAME (2)`… is used, and
/// an existing file is never replaced. A partial recorded for the same sender, size and hash is
/// resumed instead of started again.
public final class ReceiveDirectory: Sendable {
    /// The directory's path.
    public let path: String
    /// Whether a received file may replace an existing file of its name.
    public let overwrite: Bool
    /// Partials being written by transfers of this process, which no other transfer may take.
    private let claimed = NIOLockedValueBox(Set<String>())

    /// Alternatives tried before giving up.
    static let alternativeLimit = 1000
    /// The suffix of a file being received.
    public static let partialSuffix = ".partial"

    /// Receives into the existing directory at `path`.
    public init(path: String, overwrite: Bool = false) {
        self.path = path
        self.overwrite = overwrite
    }

    /// Where one accepted offer is being written.
    struct Placement: Sendable {
        /// The safe base name and which alternative of it (0: itself).
        let baseName: String
        let index: Int
        let partialPath: String
        let file: BlockingFile
        /// Bytes already held from an interrupted transfer (0 for a fresh one).
        let offset: UInt64

        var recordPath: String { partialPath + PartialFileRecord.suffix }
    }

    /// Chooses the partial for `offer` from `sender`, creating it (and its record) or reopening
    /// one to resume.
    func place(_ offer: FileOffer, from sender: String) throws(FileSystemError) -> Placement {
        let baseName = SafeFileName.reduce(offer.name)
        let result: Result<Placement, FileSystemError> = claimed.withLockedValue { claimed in
            Result { () throws(FileSystemError) in
                for index in 0..<Self.alternativeLimit {
                    let name = SafeFileName.alternative(baseName, index: index)
                    let partialName = name + Self.partialSuffix
                    guard !claimed.contains(partialName) else { continue }
                    let partialPath = join(partialName)
                    if exists(partialPath) {
                        guard let placement = try resumable(offer, from: sender, partialPath: partialPath, baseName: baseName, index: index) else {
                            continue
                        }
                        claimed.insert(partialName)
                        return placement
                    }
                    if !overwrite && exists(join(name)) { continue }
                    let file = try BlockingFile(path: partialPath, flags: O_RDWR | O_CREAT | O_EXCL, mode: 0o644)
                    do throws(FileSystemError) {
                        try PartialFileRecord(offer: offer, sender: sender).write(to: partialPath + PartialFileRecord.suffix)
                    } catch {
                        unlink(partialPath)
                        throw error
                    }
                    claimed.insert(partialName)
                    return Placement(baseName: baseName, index: index, partialPath: partialPath, file: file, offset: 0)
                }
                throw FileSystemError("find a free name for", join(baseName), code: EEXIST)
            }
        }
        return try result.get()
    }

    /// A partial at `partialPath` that holds a prefix of `offer` from `sender`, reopened.
    private func resumable(
        _ offer: FileOffer, from sender: String, partialPath: String, baseName: String, index: Int
    ) throws(FileSystemError) -> Placement? {
        guard let record = PartialFileRecord.read(at: partialPath + PartialFileRecord.suffix), record.matches(offer, from: sender),
              let file = try? BlockingFile(path: partialPath, flags: O_RDWR),
              let length = try? file.regularFileSize(), length <= offer.size
        else { return nil }
        return Placement(baseName: baseName, index: index, partialPath: partialPath, file: file, offset: length)
    }

    /// Moves a verified partial to its final name and removes its record; returns the final path.
    /// Without `overwrite`, a name taken meanwhile moves it on to the next alternative.
    func complete(_ placement: Placement) throws(FileSystemError) -> String {
        defer { release(placement) }
        if overwrite {
            let target = join(SafeFileName.alternative(placement.baseName, index: placement.index))
            guard rename(placement.partialPath, target) == 0 else { throw FileSystemError("rename", placement.partialPath) }
            unlink(placement.recordPath)
            return target
        }
        for index in placement.index..<Self.alternativeLimit {
            let target = join(SafeFileName.alternative(placement.baseName, index: index))
            // link(2) fails rather than replace: the final name appears whole, and only if free.
            guard link(placement.partialPath, target) == 0 else {
                if errno == EEXIST { continue }
                throw FileSystemError("link", target)
            }
            unlink(placement.partialPath)
            unlink(placement.recordPath)
            return target
        }
        throw FileSystemError("find a free name for", join(placement.baseName), code: EEXIST)
    }

    /// Keeps the partial but forgets what it was for, so it is never resumed (its bytes did not
    /// hash to the offer's SHA-256).
    func forget(_ placement: Placement) {
        unlink(placement.recordPath)
        release(placement)
    }

    /// Lets other transfers take the partial again (it stays, with its record, to be resumed).
    func release(_ placement: Placement) {
        _ = claimed.withLockedValue { $0.remove((placement.partialPath as NSString).lastPathComponent) }
    }

    private func join(_ name: String) -> String {
        (path as NSString).appendingPathComponent(name)
    }

    /// Whether anything (a file, a directory, a dangling symlink) has this name.
    private func exists(_ path: String) -> Bool {
        var status = stat()
        return lstat(path, &status) == 0
    }
}

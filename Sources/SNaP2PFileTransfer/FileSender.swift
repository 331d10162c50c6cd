#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SNaP2P
import SNaP2PWire

/// What a completed send did.
public struct SentFile: Sendable, Hashable {
    /// The name offered.
    public var name: String
    /// The file's size.
    public var size: UInt64
    /// The whole file's SHA-256, which the receiver confirmed.
    public var sha256: [UInt8]
    /// Bytes the receiver already held from an interrupted transfer; only the rest was sent.
    public var resumedFrom: UInt64
}

extension Connection {
    /// Sends the file at `path` on a new `file-1` stream: hashes it, offers it (as `name`, by
    /// default the file's own name), sends what the receiver does not already hold, and returns
    /// once the receiver confirmed the whole file's SHA-256 and stored it.
    ///
    /// Reads happen on a thread of their own, a few 256 KiB chunks ahead; memory stays flat
    /// whatever the file's size. `progress` is called while hashing and after every chunk.
    /// Throws ``FileTransferError``.
    public func sendFile(
        atPath path: String, as name: String? = nil, progress: @escaping @Sendable (FileTransferProgress) -> Void = { _ in }
    ) async throws(FileTransferError) -> SentFile {
        do {
            let file = try BlockingFile(path: path, flags: O_RDONLY)
            let size = try file.regularFileSize()
            let name = name ?? String(path.split(separator: "/").last ?? "file")
            var status = FileTransferProgress(phase: .hashing, name: name, size: size, bytes: 0, resumedFrom: 0)
            let hashing = status
            let sha256 = try await FileDigest.sha256(of: file, size: size) { bytes in
                var hashed = hashing
                hashed.bytes = bytes
                progress(hashed)
            }
            var machine = FileSendingStateMachine(offer: FileOffer(name: name, size: size, sha256: sha256))
            let stream = try await openStream(label: FileTransferProtocol.streamLabel)
            var inbound = stream.inbound.makeAsyncIterator()
            do {
                try await stream.write(machine.header)
                guard case .answer(let answer) = try await Self.nextMessage(&machine, from: &inbound) else {
                    throw FileTransferProtocolError.unexpectedData
                }
                guard case .accept(let offset) = answer else {
                    if case .refuse(let refusal) = answer { throw FileTransferError.refused(refusal) }
                    throw FileTransferProtocolError.unexpectedData
                }
                status.phase = .transferring
                status.resumedFrom = offset
                status.bytes = offset
                progress(status)
                let reader = FileChunkReader(file: file, range: offset..<size)
                while let chunk = try await reader.next() {
                    try await stream.write(chunk)
                    status.bytes += UInt64(chunk.count)
                    progress(status)
                }
                try await stream.finish()
                machine.dataSent()
                guard case .trailer(let trailer) = try await Self.nextMessage(&machine, from: &inbound) else {
                    throw FileTransferProtocolError.unexpectedData
                }
                switch trailer {
                case .verified(let digest):
                    guard digest == sha256 else { throw FileTransferError.hashMismatch(expected: sha256, actual: digest) }
                    return SentFile(name: name, size: size, sha256: sha256, resumedFrom: offset)
                case .failed(let refusal):
                    throw FileTransferError.notStored(refusal)
                }
            } catch let error as FileTransferError {
                stream.close()
                throw error
            } catch {
                stream.close(error: .internalError)
                throw error
            }
        } catch {
            throw FileTransferError(error)
        }
    }

    /// Reads the stream until the receiver's next message (answer or trailer) is complete.
    private static func nextMessage(
        _ machine: inout FileSendingStateMachine, from inbound: inout SNaP2PStream.Inbound.AsyncIterator
    ) async throws -> FileSendingStateMachine.Event {
        while true {
            guard let chunk = try await inbound.next() else {
                try machine.inboundFinished()
                throw FileTransferProtocolError.endedEarly(expecting: "message")
            }
            // The receiver sends one message, then waits for the sender.
            let events = try machine.receive(chunk)
            guard events.count <= 1 else { throw FileTransferProtocolError.unexpectedData }
            if let event = events.first { return event }
        }
    }
}

import SNaP2P

/// An offer waiting for the receiver's decision.
public struct IncomingFile: Sendable, Hashable {
    /// The header as sent.
    public let offer: FileOffer
    /// Who offers it (proven by the session's handshake).
    public let sender: Principal
    /// The name the file will get (before ` (1)`… if that is taken): the offered one made safe.
    public let safeName: String
}

/// A receiver's answer to an ``IncomingFile``.
public enum FileDecision: Sendable, Hashable {
    /// Receive it (resuming a partial copy from the same sender if there is one).
    case accept
    /// Do not; the sender is told why.
    case refuse(FileTransferRefusal)
}

/// A file that arrived whole, with the offer's SHA-256, and is in place.
public struct ReceivedFile: Sendable, Hashable {
    /// Where it is now.
    public var path: String
    /// Its size.
    public var size: UInt64
    /// Its SHA-256, as computed while receiving (the offer's).
    public var sha256: [UInt8]
    /// Bytes held from an interrupted transfer before this one.
    public var resumedFrom: UInt64
}

/// What a ``FileReceiver`` reports about one stream, in order: `offered`, then `refused`, or
/// `accepted`, `progress`…, and `received` or `failed`. A header that cannot be read gives `failed`
/// without an offer.
public enum FileReceiveEvent: Sendable {
    /// An offer arrived and is being decided.
    case offered(IncomingFile)
    /// It was refused; nothing was created.
    case refused(IncomingFile, FileTransferRefusal)
    /// It was accepted and is written to `partialPath` from `resumedFrom` on.
    case accepted(IncomingFile, partialPath: String, resumedFrom: UInt64)
    /// After every chunk written.
    case progress(IncomingFile, FileTransferProgress)
    /// It is complete and in place.
    case received(IncomingFile, ReceivedFile)
    /// It failed; `partialPath` is what stays on disk (resumable unless the hash did not match).
    case failed(IncomingFile?, FileTransferError, partialPath: String?)
}

/// Receives files on `file-1` streams into a ``ReceiveDirectory``: register it with
/// ``StreamProtocols/register(_:)``, or call ``receive(_:from:)`` for each such stream.
///
/// Each offer is put to `decide`; an accepted file is written by a thread of its own (hashing as
/// it writes, at most 4 MiB waiting in memory), checked against the offer's SHA-256 and renamed
/// into place. An interrupted transfer leaves `NAME.partial` and its record, which the same
/// sender's next offer of the same file resumes.
public struct FileReceiver: Sendable {
    /// Where files go.
    public let directory: ReceiveDirectory
    private let decide: @Sendable (IncomingFile) async -> FileDecision
    private let report: @Sendable (FileReceiveEvent) -> Void

    /// A receiver into `directory` that asks `decide` about each offer and tells `events` what happens.
    public init(
        directory: ReceiveDirectory,
        decide: @escaping @Sendable (IncomingFile) async -> FileDecision,
        events: @escaping @Sendable (FileReceiveEvent) -> Void = { _ in }
    ) {
        self.directory = directory
        self.decide = decide
        self.report = events
    }

    /// Serves one `file-1` stream from `connection` to its end.
    public func receive(_ stream: SNaP2PStream, from connection: Connection) async {
        var machine = FileReceivingStateMachine()
        var inbound = stream.inbound.makeAsyncIterator()
        let offer: FileOffer
        do {
            offer = try await Self.readOffer(&machine, from: &inbound)
        } catch {
            let failure = FileTransferError(error)
            if case .protocolViolation(let violation) = failure {
                // Say why, then end the stream in both directions: nothing more is read from it.
                try? await stream.write(machine.refuse(FileTransferRefusal(violation.reason, message: violation.description)))
                try? await stream.finish()
            }
            stream.close()
            report(.failed(nil, failure, partialPath: nil))
            return
        }
        let incoming = IncomingFile(offer: offer, sender: connection.remotePrincipal, safeName: SafeFileName.reduce(offer.name))
        report(.offered(incoming))
        if case .refuse(let refusal) = await decide(incoming) {
            await refuse(incoming, refusal, machine: &machine, on: stream)
            return
        }
        let placement: ReceiveDirectory.Placement
        do {
            placement = try directory.place(offer, from: incoming.sender.description)
        } catch {
            await refuse(incoming, FileTransferRefusal(.unavailable, message: error.description), machine: &machine, on: stream)
            return
        }
        await receiveBytes(incoming, into: placement, machine: &machine, inbound: &inbound, on: stream)
    }

    private func refuse(
        _ incoming: IncomingFile, _ refusal: FileTransferRefusal, machine: inout FileReceivingStateMachine, on stream: SNaP2PStream
    ) async {
        // Reported before the sender can learn it, as `received` is before the trailer goes out.
        report(.refused(incoming, refusal))
        try? await stream.write(machine.refuse(refusal))
        try? await stream.finish()
    }

    private func receiveBytes(
        _ incoming: IncomingFile, into placement: ReceiveDirectory.Placement, machine: inout FileReceivingStateMachine,
        inbound: inout SNaP2PStream.Inbound.AsyncIterator, on stream: SNaP2PStream
    ) async {
        let offer = incoming.offer
        let writer = FileChunkWriter(file: placement.file, offset: placement.offset)
        var progress = FileTransferProgress(
            phase: .transferring, name: offer.name, size: offer.size, bytes: placement.offset, resumedFrom: placement.offset)
        do {
            try await stream.write(machine.accept(offset: placement.offset))
            report(.accepted(incoming, partialPath: placement.partialPath, resumedFrom: placement.offset))
            report(.progress(incoming, progress))
            while let chunk = try await inbound.next() {
                guard case .data(let bytes) = try machine.receive(chunk) else { continue }
                try await writer.write(bytes)
                progress.bytes += UInt64(bytes.count)
                report(.progress(incoming, progress))
            }
            try machine.inboundFinished()
        } catch {
            // Interrupted: keep every byte that arrived, and the record, so the sender can resume.
            _ = try? await writer.finish()
            directory.release(placement)
            let failure = FileTransferError(error)
            switch failure {
            case .protocolViolation(let violation):
                await end(stream, with: .failed(FileTransferRefusal(violation.reason, message: violation.description)))
            case .fileSystem(let error):
                await end(stream, with: .failed(FileTransferRefusal(.writeFailed, message: error.description)))
            default:
                stream.close(error: .internalError)
            }
            report(.failed(incoming, failure, partialPath: placement.partialPath))
            return
        }
        do {
            let digest = try await writer.finish()
            guard digest == offer.sha256 else {
                directory.forget(placement)
                await end(stream, with: .failed(FileTransferRefusal(
                    .hashMismatch, message: "the bytes received do not hash to the offered SHA-256; they are kept, not resumed")))
                report(.failed(incoming, .hashMismatch(expected: offer.sha256, actual: digest), partialPath: placement.partialPath))
                return
            }
            let path = try directory.complete(placement)
            report(.received(incoming, ReceivedFile(path: path, size: offer.size, sha256: digest, resumedFrom: placement.offset)))
            await end(stream, with: .verified(sha256: digest))
        } catch {
            directory.release(placement)
            await end(stream, with: .failed(FileTransferRefusal(.writeFailed, message: "\(error)")))
            report(.failed(incoming, FileTransferError(error), partialPath: placement.partialPath))
        }
    }

    /// Sends the trailer and ends the stream in both directions.
    private func end(_ stream: SNaP2PStream, with trailer: FileTrailer) async {
        try? await stream.write(trailer.encoded())
        try? await stream.finish()
        stream.close()
    }

    private static func readOffer(
        _ machine: inout FileReceivingStateMachine, from inbound: inout SNaP2PStream.Inbound.AsyncIterator
    ) async throws -> FileOffer {
        while let chunk = try await inbound.next() {
            if case .offer(let offer) = try machine.receive(chunk) { return offer }
        }
        try machine.inboundFinished()
        throw FileTransferProtocolError.endedEarly(expecting: "header")
    }
}

extension StreamProtocols {
    /// Serves every `file-1` stream a remote opens with `receiver`.
    public mutating func register(_ receiver: FileReceiver) {
        register(FileTransferProtocol.streamLabel) { stream, connection in
            await receiver.receive(stream, from: connection)
        }
    }
}

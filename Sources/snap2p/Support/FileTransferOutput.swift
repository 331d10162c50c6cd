import ArgumentParser
import Foundation
import SNaP2P
import SNaP2PFileTransfer
import SNaP2PWire

extension ExitStatus {
    /// The status of several transfers: the most serious outcome (a lost session, then a file that
    /// did not verify, then any other failure, then a refusal); `nil` for none.
    static func mostSerious(_ statuses: [ExitStatus]) -> ExitStatus? {
        let order: [ExitStatus] = [.sessionLost, .transferNotVerified, .failure, .transferRefused, .success]
        return order.first { statuses.contains($0) } ?? statuses.first
    }
}

/// How `send` and `receive` explain a failed transfer: the ``CommandFailure`` (message, hint,
/// status) and, for `--json`, the file-transfer reason code (`declined`, `hash-mismatch`…).
struct FileTransferFailure: Error {
    var failure: CommandFailure
    var reason: String?

    /// Prints the failure (with `json`, as an `error` event carrying `reason` and the names given)
    /// and returns the exit code.
    func exit(json: Bool, name: String? = nil, partial: String? = nil) -> ExitCode {
        if json {
            var event = FileEvent("error")
            event.code = failure.code?.description
            event.reason = reason
            event.error = failure.message
            event.hint = failure.hint
            event.name = name
            event.partial = partial
            event.print()
        }
        failure.report(json: false)
        return ExitCode(failure.status.rawValue)
    }

    /// `error`, from transferring `name` with `remote` (a principal or an address).
    init(_ error: FileTransferError, name: String, remote: String) {
        let name = SafeFileName.printable(name)
        switch error {
        case .refused(let refusal):
            reason = refusal.reason.rawValue
            failure = CommandFailure(
                "\(remote) refused \(name) (\(SafeFileName.printable(refusal.description)))",
                hint: refusal.reason == .declined ? "ask the receiver to accept it, or to run `snap2p receive --yes` or `--accept-from PRINCIPAL`" : nil,
                status: .transferRefused)
        case .notStored(let refusal):
            reason = refusal.reason.rawValue
            failure = CommandFailure(
                "\(remote) did not store \(name) (\(SafeFileName.printable(refusal.description)))",
                hint: refusal.reason == .hashMismatch ? "the file may have changed while it was sent; send it again" : nil,
                status: refusal.reason == .writeFailed ? .failure : .transferNotVerified)
        case .hashMismatch:
            reason = FileTransferReason.hashMismatch.rawValue
            failure = CommandFailure(
                "\(name) arrived with a different SHA-256 than \(remote) announced; it was kept as a .partial file, not stored",
                hint: "ask the sender to send it again (the .partial is not resumed)", status: .transferNotVerified)
        case .protocolViolation(let violation):
            reason = violation.reason.rawValue
            failure = CommandFailure(
                "\(remote) broke the file-transfer protocol: \(violation)",
                status: violation.reason == .invalidOffer ? .sessionLost : .transferNotVerified)
        case .fileSystem(let error):
            reason = nil
            failure = CommandFailure("\(error)", status: .failure)
        case .session(let error):
            reason = nil
            failure = CommandFailure.session(error, remote: remote)
        }
    }
}

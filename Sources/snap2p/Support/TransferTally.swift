import Foundation
import SNaP2PFileTransfer

/// What `receive`'s transfers came to, for its exit status, and which are still running, so the
/// command ends only after each one has reported (an interrupted one after flushing its partial).
final class TransferTally: @unchecked Sendable {
    private let lock = NSLock()
    private var active = 0
    private var idleWaiters: [CheckedContinuation<Void, Never>] = []
    private var statuses: [ExitStatus] = []

    /// Runs one transfer, counted as active until it returns.
    func running(_ transfer: () async -> Void) async {
        lock.withLock { active += 1 }
        await transfer()
        let waiters: [CheckedContinuation<Void, Never>] = lock.withLock {
            active -= 1
            guard active == 0 else { return [] }
            defer { idleWaiters = [] }
            return idleWaiters
        }
        waiters.forEach { $0.resume() }
    }

    /// Returns once no transfer is running.
    func idle() async {
        await withCheckedContinuation { continuation in
            let isIdle: Bool = lock.withLock {
                if active == 0 { return true }
                idleWaiters.append(continuation)
                return false
            }
            if isIdle { continuation.resume() }
        }
    }

    /// Notes how a transfer ended.
    func record(_ event: FileReceiveEvent) {
        let status: ExitStatus
        switch event {
        case .received: status = .success
        case .refused: status = .transferRefused
        case .failed(let incoming, let error, _):
            status = FileTransferFailure(error, name: incoming?.offer.name ?? "", remote: "").failure.status
        case .offered, .accepted, .progress: return
        }
        lock.withLock { statuses.append(status) }
    }

    /// The status for all transfers so far; `nil` when none was offered.
    func exitStatus() -> ExitStatus? {
        ExitStatus.mostSerious(lock.withLock { statuses })
    }
}

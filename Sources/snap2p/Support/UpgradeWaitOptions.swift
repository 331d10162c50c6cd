import ArgumentParser
import SNaP2P

/// `--upgrade-seconds` of `dial`, `chat` and `send`: how long a relayed connection's direct upgrade
/// may take before the command goes on over the relay.
struct UpgradeWaitOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Over a relayed connection, wait up to this long for its direct upgrade before going on (0: do not "
            + "wait; the streams then stay relayed). `dial` echoes first over the relay, then again if it upgraded.",
        valueName: "seconds"))
    var upgradeSeconds: Double = 5

    func validate() throws {
        guard upgradeSeconds >= 0, upgradeSeconds.isFinite else { throw ValidationError("--upgrade-seconds must be 0 or more") }
    }

    /// The upgrade's outcome, or a failure once `--upgrade-seconds` have passed (the relayed path goes on).
    func outcome(of connection: Connection) async -> DirectUpgradeOutcome {
        let seconds = upgradeSeconds
        return await withTaskGroup(of: DirectUpgradeOutcome.self) { group in
            group.addTask { await connection.directUpgrade() }
            group.addTask {
                try? await Task.sleep(for: .seconds(seconds))
                return .failed(reason: "no outcome within \(PeerEventOutput.format(seconds)) s")
            }
            defer { group.cancelAll() }
            return await group.next() ?? .failed(reason: "no outcome")
        }
    }
}

import ArgumentParser

/// The `snap2p` command: peer-to-peer sessions whose identities are Stacks addresses.
@main
struct SNaP2PCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snap2p",
        abstract: "Encrypted peer-to-peer sessions between Stacks wallet identities.",
        discussion: """
            Each peer proves a Stacks address (the same one Leather or Xverse shows) and talks to the \
            other over a Noise-encrypted TCP session carrying any number of byte streams.
            """,
        version: "0.1.0",
        // Keep one subcommand per line, alphabetical: parallel branches add lines here.
        subcommands: [
            AliasCommand.self,
            ChatCommand.self,
            DemoCommand.self,
            DialCommand.self,
            InspectCommand.self,
            ListenCommand.self,
            ReceiveCommand.self,
            RelayCommand.self,
            SendCommand.self,
            SignInCommand.self,
            WalletCommand.self,
        ]
    )

    /// Raises the open-file limit and tunes the allocator before any command runs (see
    /// ``FileDescriptorLimit`` and ``AllocatorTuning``).
    static func main() async {
        _ = FileDescriptorLimit.soft
        AllocatorTuning.apply()
        await main(nil)
    }
}

/// One fuzz target: a parser or state machine that reads remote bytes, fed one input per call.
/// A target traps (``invariant(_:_:file:line:)``) when the code under test breaks a promise;
/// throwing a typed error for bad input is the expected outcome, not a failure.
struct FuzzTarget: Sendable {
    /// The name `make fuzz`, `SNAP2P_FUZZ_TARGET` and `Fuzz/Corpus/<name>` use.
    let name: String
    /// The libFuzzer dictionary in `Fuzz/Dictionaries/` (without `.dict`), if one helps.
    let dictionary: String?
    /// The longest input libFuzzer should try (its default is 4096 or the largest seed).
    let maximumLength: Int
    /// One-time setup before the first input (keys, identities), kept out of the per-input cost.
    let prepare: @Sendable () -> Void
    /// Runs one input.
    let run: @Sendable ([UInt8]) -> Void

    init(
        _ name: String,
        dictionary: String? = nil,
        maximumLength: Int = 4096,
        prepare: @escaping @Sendable () -> Void = {},
        run: @escaping @Sendable ([UInt8]) -> Void
    ) {
        self.name = name
        self.dictionary = dictionary
        self.maximumLength = maximumLength
        self.prepare = prepare
        self.run = run
    }

    /// Every target, in the order `make fuzz` runs them.
    static let all: [FuzzTarget] = [
        FrameTarget.target,
        CBORTarget.target,
        ControlMessageTarget.target,
        AttestationTarget.target,
        SignedAttestationTarget.target,
        AliasCardTarget.target,
        NoiseTarget.target,
        NoiseOfferTarget.target,
        HandshakeTarget.target,
        HandshakePeerTarget.target,
        MultiplexerTarget.target,
        SessionTarget.target,
        FileTransferTarget.target,
        PXMessageTarget.target,
        RelayMessageTarget.target,
        WalletStoreTarget.target,
        AddressTarget.target,
        MnemonicTarget.target,
    ]

    /// The target called `name`.
    static func named(_ name: String) -> FuzzTarget? {
        all.first { $0.name == name }
    }
}

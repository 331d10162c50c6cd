/// The Stacks network an address belongs to; peers accept principals of their own network only.
public enum StacksNetwork: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    /// Addresses `SP…` (single-sig) and `SM…` (multi-sig).
    case mainnet
    /// Addresses `ST…` (single-sig) and `SN…` (multi-sig).
    case testnet

    /// `mainnet` or `testnet`, as the wallet file writes it.
    public var description: String { rawValue }
}

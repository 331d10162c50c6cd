// The types users of `Peer` name directly — `Principal`, `Wallet`, `LocalWallet`, `StacksNetwork`,
// `Visibility`, `ProtocolErrorCode`, `InviteTokenStore`, `AllowlistPolicy` — come with `import SNaP2P`.
@_exported import SNaP2PIdentity
@_exported import SNaP2PSession
@_exported import SNaP2PWire

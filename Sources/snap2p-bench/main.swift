print("snap2p-bench")

import CFuzzAllocationProbe

/// Traps, naming the broken promise, when `condition` is false. libFuzzer saves the input.
func invariant(
    _ condition: @autoclosure () -> Bool,
    _ message: @autoclosure () -> String,
    file: StaticString = #fileID,
    line: UInt = #line
) {
    if !condition() {
        fatalError("invariant broken: \(message())", file: file, line: line)
    }
}

/// Limits checked before allocation: runs `body` and traps if any single heap allocation in it was
/// larger than `limit` bytes. A decoder that trusts a declared length (a few bytes claiming a
/// 4 GiB string) allocates far more than its input; one that checks first stays proportional.
/// Only the sanitized fuzz build can watch allocations; elsewhere this just runs `body`.
func withAllocationLimit<Result, Failure: Error>(
    _ limit: Int,
    _ what: @autoclosure () -> String,
    file: StaticString = #fileID,
    line: UInt = #line,
    _ body: () throws(Failure) -> Result
) throws(Failure) -> Result {
    let watching = snap2p_allocation_probe_start() != 0
    let result: Swift.Result<Result, Failure>
    do {
        result = .success(try body())
    } catch {
        result = .failure(error)
    }
    let largest = snap2p_allocation_probe_stop()
    if watching {
        invariant(largest <= limit, "\(what()) allocated \(largest) bytes at once, limit \(limit)", file: file, line: line)
    }
    return try result.get()
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Two builds of one executable:
// - `make fuzz` compiles with `-sanitize=fuzzer,address -DSNAP2P_LIBFUZZER`: libFuzzer supplies
//   `main` and calls the two C entry points below; `SNAP2P_FUZZ_TARGET` names the target.
// - A plain `swift build` gives a replayer: `snap2p-fuzz <target> <file or directory>...` runs saved
//   inputs (a crash found by `make fuzz`, a corpus) through a target without libFuzzer.

/// The target this process fuzzes, from `SNAP2P_FUZZ_TARGET`.
private let selectedTarget: FuzzTarget? = getenv("SNAP2P_FUZZ_TARGET").flatMap { FuzzTarget.named(String(cString: $0)) }

@_cdecl("LLVMFuzzerInitialize")
public func fuzzerInitialize(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>
) -> CInt {
    let name = getenv("SNAP2P_FUZZ_TARGET").map { String(cString: $0) }
    if name == "list" {
        // One line per target for scripts/fuzz.sh: name, dictionary (or -), longest input.
        for target in FuzzTarget.all { print(target.name, target.dictionary ?? "-", target.maximumLength) }
        exit(0)
    }
    guard let target = selectedTarget else {
        let known = FuzzTarget.all.map(\.name).joined(separator: ", ")
        printError("set SNAP2P_FUZZ_TARGET to one of: \(known) (or list)")
        exit(2)
    }
    target.prepare()
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let target = selectedTarget else { return 0 }
    target.run(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}

#if !SNAP2P_LIBFUZZER
@main
enum Replayer {
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        guard let name = arguments.first, let target = FuzzTarget.named(name) else {
            let known = FuzzTarget.all.map(\.name).joined(separator: " | ")
            printError("usage: snap2p-fuzz <\(known)> <input file or directory>...")
            exit(2)
        }
        target.prepare()
        var count = 0
        for path in arguments.dropFirst() {
            for file in InputFiles.list(path) {
                guard let bytes = InputFiles.read(file) else {
                    printError("cannot read \(file)")
                    exit(1)
                }
                print("\(target.name): \(file) (\(bytes.count) bytes)")
                target.run(bytes)
                count += 1
            }
        }
        print("\(target.name): \(count) inputs, no invariant broken")
    }
}
#endif

/// Writes a line to standard error.
func printError(_ line: String) {
    var text = line + "\n"
    text.withUTF8 { bytes in _ = write(2, bytes.baseAddress, bytes.count) }
}

import Foundation
@testable import SNaP2PFileTransfer
import Testing

/// Where received files go on disk (a scratch directory; no sockets).
@Suite struct ReceiveDirectoryTests {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("snap2p-receive-\(UUID().uuidString)").path
    let offer = FileOffer(name: "../notes.txt", size: 5, sha256: Array(repeating: 1, count: 32))
    let sender = "stacks:ST2D2TNE4QPSMKSYS4FNKW1Q1C56CMQHN08Q0VHSJ"

    init() throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    private func names() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: path).sorted()
    }

    private func write(_ text: String, to name: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path).appendingPathComponent(name))
    }

    @Test func aFreshFileGetsAPartialAndARecordThenItsName() throws {
        let directory = ReceiveDirectory(path: path)
        let placement = try directory.place(offer, from: sender)
        #expect(placement.offset == 0)
        #expect(try names() == ["notes.txt.partial", "notes.txt.partial.meta"])
        let record = try #require(PartialFileRecord.read(at: placement.recordPath))
        #expect(record.matches(offer, from: sender))
        try write("hello", to: "notes.txt.partial")
        let final = try directory.complete(placement)
        #expect(final == path + "/notes.txt")
        #expect(try names() == ["notes.txt"])
    }

    @Test func anExistingFileIsNeverReplacedWithoutOverwrite() throws {
        try write("mine", to: "notes.txt")
        let directory = ReceiveDirectory(path: path)
        let placement = try directory.place(offer, from: sender)
        #expect(placement.partialPath.hasSuffix("/notes (1).txt.partial"))
        // A file that appears under the chosen name meanwhile is not replaced either.
        try write("also mine", to: "notes (1).txt")
        #expect(try directory.complete(placement).hasSuffix("/notes (2).txt"))
        #expect(try String(contentsOfFile: path + "/notes.txt", encoding: .utf8) == "mine")
        #expect(try String(contentsOfFile: path + "/notes (1).txt", encoding: .utf8) == "also mine")

        let overwriting = ReceiveDirectory(path: path, overwrite: true)
        let replacing = try overwriting.place(offer, from: sender)
        try write("new", to: "notes.txt.partial")
        #expect(try overwriting.complete(replacing) == path + "/notes.txt")
        #expect(try String(contentsOfFile: path + "/notes.txt", encoding: .utf8) == "new")
    }

    @Test func aPartialOfTheSameFileFromTheSameSenderIsResumed() throws {
        let directory = ReceiveDirectory(path: path)
        let first = try directory.place(offer, from: sender)
        try write("hel", to: "notes.txt.partial")
        directory.release(first)

        let resumed = try directory.place(offer, from: sender)
        #expect(resumed.partialPath == first.partialPath)
        #expect(resumed.offset == 3)
        directory.release(resumed)

        // Another sender, or another file, starts a partial of its own.
        let other = try directory.place(offer, from: "stacks:ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM")
        #expect(other.offset == 0)
        #expect(other.partialPath.hasSuffix("/notes (1).txt.partial"))
        var changed = offer
        changed.sha256[0] ^= 1
        #expect(try directory.place(changed, from: sender).partialPath.hasSuffix("/notes (2).txt.partial"))
    }

    @Test func aPartialInUseIsNotTakenTwice() throws {
        let directory = ReceiveDirectory(path: path)
        let first = try directory.place(offer, from: sender)
        let second = try directory.place(offer, from: sender)
        #expect(first.partialPath != second.partialPath)
    }

    @Test func aForgottenPartialStaysButIsNotResumed() throws {
        let directory = ReceiveDirectory(path: path)
        let placement = try directory.place(offer, from: sender)
        try write("xxxxx", to: "notes.txt.partial")
        directory.forget(placement)
        #expect(try names() == ["notes.txt.partial"])
        #expect(try directory.place(offer, from: sender).partialPath.hasSuffix("/notes (1).txt.partial"))
    }

    @Test func aSymlinkedPartialIsNotFollowed() throws {
        let outside = path + "-outside"
        try write("", to: "placeholder")
        try FileManager.default.createSymbolicLink(atPath: path + "/notes.txt.partial", withDestinationPath: outside)
        let placement = try ReceiveDirectory(path: path).place(offer, from: sender)
        #expect(placement.partialPath.hasSuffix("/notes (1).txt.partial"))
        #expect(!FileManager.default.fileExists(atPath: outside))
    }
}

import SNaP2PFileProtocol
import Testing

/// What a hostile sender's names become on the receiving side.
@Suite struct SafeFileNameTests {
    @Test(arguments: [
        ("report.pdf", "report.pdf"),
        ("../../etc/passwd", "passwd"),
        ("/etc/passwd", "passwd"),
        ("..\\..\\Windows\\win.ini", "win.ini"),
        ("dir/", "dir"),
        ("..", "file"),
        (".", "file"),
        ("/", "file"),
        ("...", "file"),
        (".bashrc", "bashrc"),
        ("  spaced  ", "spaced"),
        ("bell\u{07}and\u{1B}[31mred", "belland[31mred"),
        ("line\nbreak\r.txt", "linebreak.txt"),
        ("del\u{7F}ete", "delete"),
        ("c1\u{9B}31m", "c131m"),
        ("invoice\u{202E}fdp.exe", "invoicefdp.exe"),
        ("zero\u{200B}width", "zerowidth"),
        ("naïve café.txt", "naïve café.txt"),
    ])
    func reduce(_ suggested: String, _ expected: String) {
        #expect(SafeFileName.reduce(suggested) == expected)
    }

    @Test func longNamesKeepTheirExtensionAndFit() {
        let long = String(repeating: "é", count: 300) + ".tar.gz"
        let reduced = SafeFileName.reduce(long)
        #expect(reduced.utf8.count <= SafeFileName.maximumLength)
        #expect(reduced.hasSuffix(".gz"))
        #expect(reduced.hasPrefix("éé"))
        // Room for " (999).partial.meta" within a 255-byte file name.
        #expect((SafeFileName.alternative(reduced, index: 999) + ".partial.meta").utf8.count <= 255)
    }

    @Test func alternativesNumberBeforeTheExtension() {
        #expect(SafeFileName.alternative("report.pdf", index: 0) == "report.pdf")
        #expect(SafeFileName.alternative("report.pdf", index: 1) == "report (1).pdf")
        #expect(SafeFileName.alternative("archive.tar.gz", index: 2) == "archive.tar (2).gz")
        #expect(SafeFileName.alternative("README", index: 3) == "README (3)")
    }

    @Test func printableReplacesWhatCouldDriveATerminal() {
        #expect(SafeFileName.printable("a\u{1B}[2Jb\u{07}\u{202E}c") == "a?[2Jb??c")
    }
}

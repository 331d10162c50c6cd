/// Random bytes from the operating system's cryptographically secure generator.
package enum SecureRandom {
    /// `count` fresh random bytes (keys, nonces, context blinding). Drawn eight at a time: each
    /// draw is a system call, and a handshake needs about a hundred bytes.
    package static func bytes(_ count: Int) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            fill(UnsafeMutableRawBufferPointer(buffer))
            initialized = count
        }
    }

    /// Fills owned secret storage directly, so key material never passes through an array.
    package static func fill(_ buffer: UnsafeMutableRawBufferPointer) {
        var generator = SystemRandomNumberGenerator()
        var offset = 0
        while offset < buffer.count {
            let word = generator.next()
            withUnsafeBytes(of: word) { wordBytes in
                let take = min(wordBytes.count, buffer.count - offset)
                buffer.baseAddress!.advanced(by: offset).copyMemory(from: wordBytes.baseAddress!, byteCount: take)
                offset += take
            }
        }
    }
}

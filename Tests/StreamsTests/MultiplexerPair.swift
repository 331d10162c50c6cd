import SNaP2PStreams
import TestSupport
import SNaP2PWire

/// A dialer and a listener multiplexer wired back to back in memory. Every message crosses as
/// bytes (encoded and decoded), in order per direction, as over one TCP connection.
struct MultiplexerPair {
    enum Side: CaseIterable { case dialer, listener }

    var dialer: StreamMultiplexer
    var listener: StreamMultiplexer
    /// Messages in flight towards each side.
    private(set) var inFlight: [Side: [ControlMessage]] = [.dialer: [], .listener: []]
    /// Every message each side sent, for assertions about what went on the wire.
    private(set) var sent: [Side: [ControlMessage]] = [.dialer: [], .listener: []]
    /// Events other than `send` each side produced, in order.
    var events: [Side: [MultiplexerEvent]] = [.dialer: [], .listener: []]
    /// Sides whose application consumes data the moment it arrives.
    var consumesImmediately: Set<Side> = []

    init(configuration: StreamMultiplexerConfiguration = .init()) {
        dialer = StreamMultiplexer(role: .dialer, configuration: configuration)
        listener = StreamMultiplexer(role: .listener, configuration: configuration)
    }

    init(flowControl: FlowControlConfiguration?) {
        self.init(configuration: StreamMultiplexerConfiguration(flowControl: flowControl))
    }

    subscript(side: Side) -> StreamMultiplexer {
        get { side == .dialer ? dialer : listener }
        set {
            if side == .dialer { dialer = newValue } else { listener = newValue }
        }
    }

    static func other(_ side: Side) -> Side { side == .dialer ? .listener : .dialer }

    /// Puts messages from `side` on the wire.
    mutating func send(_ messages: [ControlMessage], from side: Side) {
        for message in messages {
            let onTheWire = try! ControlMessage.decode(message.encoded())
            sent[side]!.append(onTheWire)
            inFlight[Self.other(side)]!.append(onTheWire)
        }
    }

    mutating func open(from side: Side, label: String? = nil) throws -> StreamID {
        let (id, messages) = try self[side].openStream(label: label)
        send(messages, from: side)
        return id
    }

    @discardableResult
    mutating func write(_ data: ArraySlice<UInt8>, on id: StreamID, from side: Side, fin: Bool = false) throws -> WriteOutcome {
        let outcome = try self[side].write(data, on: id, fin: fin)
        send(outcome.messages, from: side)
        return outcome
    }

    @discardableResult
    mutating func write(_ data: [UInt8], on id: StreamID, from side: Side, fin: Bool = false) throws -> WriteOutcome {
        try write(data[...], on: id, from: side, fin: fin)
    }

    mutating func finish(_ id: StreamID, from side: Side) throws {
        send(try self[side].finish(id), from: side)
    }

    mutating func reset(_ id: StreamID, code: ProtocolErrorCode, from side: Side) {
        send(self[side].reset(id, code: code), from: side)
    }

    mutating func consume(_ id: StreamID, byteCount: Int, at side: Side) {
        send(self[side].consumed(id, byteCount: byteCount), from: side)
    }

    /// Delivers up to `limit` in-flight messages to `side`; returns how many were delivered.
    @discardableResult
    mutating func deliver(to side: Side, limit: Int = .max) -> Int {
        var delivered = 0
        while delivered < limit, !inFlight[side]!.isEmpty {
            let message = inFlight[side]!.removeFirst()
            delivered += 1
            for event in self[side].receive(message) {
                if case .send(let reply) = event {
                    send([reply], from: side)
                    continue
                }
                events[side]!.append(event)
                if consumesImmediately.contains(side), case .data(let id, let data) = event {
                    consume(id, byteCount: data.count, at: side)
                }
            }
        }
        return delivered
    }

    /// Delivers until nothing is in flight either way.
    mutating func deliverAll() {
        while deliver(to: .listener) + deliver(to: .dialer) > 0 {}
    }

    /// Removes and returns the events `side` has produced so far.
    mutating func takeEvents(_ side: Side) -> [MultiplexerEvent] {
        defer { events[side] = [] }
        return events[side]!
    }

    /// The bytes delivered to `side` on `id`, concatenated.
    func received(on id: StreamID, at side: Side) -> [UInt8] {
        events[side]!.flatMap { event -> [UInt8] in
            if case .data(id, let data) = event { return data }
            return []
        }
    }

    func sentWindowUpdates() -> Int {
        sent.values.joined().filter { if case .windowUpdate = $0 { true } else { false } }.count
    }
}

/// FNV-1a 64, a checksum to compare what was sent with what arrived.
func checksum(_ bytes: some Sequence<UInt8>) -> UInt64 {
    bytes.reduce(0xcbf2_9ce4_8422_2325) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
}

func pattern(count: Int, seed: UInt64) -> [UInt8] {
    (0..<count).map { UInt8(truncatingIfNeeded: (UInt64($0) &* 2_654_435_761) ^ seed) }
}

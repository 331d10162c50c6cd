/// Ids of streams we reset lately, so data the peer sent before it saw our CLOSE_STREAM is
/// dropped quietly instead of answered. Bounded: the oldest ids are forgotten first (answering
/// a very late straggler with STREAM_NOT_FOUND is harmless, as nobody answers a CLOSE_STREAM).
struct RecentlyResetStreams: Sendable {
    private let capacity: Int
    private var order: [StreamID] = []
    private var next = 0
    private var members: Set<StreamID> = []

    init(capacity: Int) {
        self.capacity = capacity
    }

    func contains(_ id: StreamID) -> Bool {
        members.contains(id)
    }

    mutating func insert(_ id: StreamID) {
        guard members.insert(id).inserted else { return }
        if order.count < capacity {
            order.append(id)
        } else {
            members.remove(order[next])
            order[next] = id
            next = (next + 1) % capacity
        }
    }
}

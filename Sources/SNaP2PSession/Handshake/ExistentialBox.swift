/// An existential (`any Protocol`) behind one immutable reference.
///
/// Stored inline, an `any Protocol` makes every struct holding it address-only, and so every enum
/// carrying those structs: each switch over the session's state then copied the whole state
/// through value witnesses (a retain of every key and buffer it holds), several times per frame.
/// Behind a reference the structs stay loadable, and copying one is a single retain.
final class ExistentialBox<Value: Sendable>: Sendable {
    let value: Value

    init(_ value: Value) {
        self.value = value
    }
}

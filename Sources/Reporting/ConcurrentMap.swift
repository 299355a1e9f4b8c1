import Dispatch

/// `map` that runs on every core once there are enough elements to be worth it; the results
/// keep the order of the input.
enum ConcurrentMap {
  static func map<Element, Result>(
    _ elements: [Element], concurrentlyFrom threshold: Int, _ transform: (Element) -> Result
  ) -> [Result] {
    guard elements.count >= threshold else { return elements.map(transform) }
    return withoutActuallyEscaping(transform) { transform in
      [Result?](unsafeUninitializedCapacity: elements.count) { slots, initialized in
        slots.initialize(repeating: nil)
        let shared = Shared<Element, Result>(elements: elements, slots: slots, transform: transform)
        DispatchQueue.concurrentPerform(iterations: elements.count) { index in
          shared.slots[index] = shared.transform(shared.elements[index])
        }
        initialized = elements.count
      }.map { $0! }
    }
  }

  /// What the workers share: disjoint slots, one each, and the transform.
  private struct Shared<Element, Result>: @unchecked Sendable {
    let elements: [Element]
    let slots: UnsafeMutableBufferPointer<Result?>
    let transform: (Element) -> Result
  }
}

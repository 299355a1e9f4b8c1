import Dispatch

#if canImport(Glibc)
  import Glibc
#endif

/// `map` across threads, results in the order of the input: the one helper every stage that
/// fans out uses (judging a host's domains, reading files, asking libvirtd for XML).
public enum Parallel {
  /// Work that computes: `transform` on every core, once there are at least `minimumCount`
  /// elements (below that, in order on the calling thread).
  public static func map<Element, Result>(
    _ elements: [Element], minimumCount: Int = 2, _ transform: (Element) -> Result
  ) -> [Result] {
    guard elements.count >= max(2, minimumCount) else { return elements.map(transform) }
    return withoutActuallyEscaping(transform) { transform in
      let work = Work(elements: elements, transform: transform)
      DispatchQueue.concurrentPerform(iterations: elements.count) { work.run(at: $0) }
      return work.results
    }
  }

  /// Work that waits (a daemon's answers): `threads` threads, each taking the next element, so
  /// that that many requests are in flight however many cores there are.
  public static func map<Element, Result>(
    _ elements: [Element], threads: Int, _ transform: (Element) -> Result
  ) -> [Result] {
    let count = min(threads, elements.count)
    guard count > 1 else { return elements.map(transform) }
    return withoutActuallyEscaping(transform) { transform in
      let work = Work(elements: elements, transform: transform)
      var workers: [pthread_t] = []
      // The calling thread is one of the `threads`.
      for _ in 1..<count {
        var thread = pthread_t()
        let context = Unmanaged.passRetained(work).toOpaque()
        guard pthread_create(&thread, nil, { context in
          let work = Unmanaged<AnyWork>.fromOpaque(context!).takeRetainedValue()
          work.drain()
          return nil
        }, context) == 0 else {
          Unmanaged<AnyWork>.fromOpaque(context).release()
          continue
        }
        workers.append(thread)
      }
      work.drain()  // the calling thread helps, and finishes the work if no thread started
      for thread in workers { pthread_join(thread, nil) }
      return work.results
    }
  }

  /// A type-erased handle for thread entry points.
  private class AnyWork: @unchecked Sendable {
    func drain() {}
  }

  /// Elements, their results in disjoint slots, and the next index to take.
  private final class Work<Element, Result>: AnyWork, @unchecked Sendable {
    let elements: [Element]
    let transform: (Element) -> Result
    private let slots: UnsafeMutableBufferPointer<Result?>
    private var next = 0
    private let lock = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)

    init(elements: [Element], transform: @escaping (Element) -> Result) {
      self.elements = elements
      self.transform = transform
      slots = .allocate(capacity: elements.count)
      slots.initialize(repeating: nil)
      super.init()
      pthread_mutex_init(lock, nil)
    }

    deinit {
      slots.deinitialize()
      slots.deallocate()
      pthread_mutex_destroy(lock)
      lock.deallocate()
    }

    func run(at index: Int) { slots[index] = transform(elements[index]) }

    override func drain() {
      while true {
        pthread_mutex_lock(lock)
        let index = next
        next += 1
        pthread_mutex_unlock(lock)
        guard index < elements.count else { return }
        run(at: index)
      }
    }

    var results: [Result] { slots.map { $0! } }
  }
}

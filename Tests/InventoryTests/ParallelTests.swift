import Parallel
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// The fan-out helper every stage uses: results in input order, every element once, and with
/// threads, that many in flight at once.
@Suite struct ParallelTests {
  @Test func resultsKeepTheInputOrder() {
    let input = Array(0..<1000)
    #expect(Parallel.map(input) { $0 * 2 } == input.map { $0 * 2 })
    #expect(Parallel.map(input, threads: 8) { $0 * 2 } == input.map { $0 * 2 })
    #expect(Parallel.map([Int](), threads: 8) { $0 }.isEmpty)
    #expect(Parallel.map([7], minimumCount: 64) { $0 + 1 } == [8])
  }

  @Test func threadsKeepThatManyWaitsInFlight() {
    // Each element waits a little while it is counted in flight: with 8 threads the count
    // reaches 8, on any number of cores, and never more.
    let counter = InFlight()
    _ = Parallel.map(Array(0..<32), threads: 8) { _ in
      counter.enter()
      usleep(20_000)
      counter.leave()
    }
    #expect(counter.most == 8)
  }
}

/// How many callers are between `enter` and `leave`, and the most there ever were.
private final class InFlight: @unchecked Sendable {
  private let lock = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
  private var current = 0
  private(set) var most = 0

  init() { pthread_mutex_init(lock, nil) }

  func enter() {
    pthread_mutex_lock(lock)
    current += 1
    most = max(most, current)
    pthread_mutex_unlock(lock)
  }

  func leave() {
    pthread_mutex_lock(lock)
    current -= 1
    pthread_mutex_unlock(lock)
  }
}

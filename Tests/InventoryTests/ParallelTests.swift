import Foundation
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
    // The first elements wait at a barrier until 8 are in flight together: with 8 threads they
    // meet, on any number of cores, and never more than 8 are in flight. (With fewer threads
    // the barrier gives up after 10 s and the count shows it; no time is asserted.)
    let counter = InFlight(barrier: 8)
    _ = Parallel.map(Array(0..<32), threads: 8) { _ in
      counter.enter()
      counter.leave()
    }
    #expect(counter.most == 8)
    #expect(counter.met)
  }
}

/// How many callers are between `enter` and `leave`, and the most there ever were; the first
/// callers wait in `enter` until `barrier` of them are in flight.
private final class InFlight: @unchecked Sendable {
  private let condition = NSCondition()
  private let barrier: Int
  private var current = 0
  private(set) var most = 0
  private(set) var met = false

  init(barrier: Int) { self.barrier = barrier }

  func enter() {
    condition.lock()
    defer { condition.unlock() }
    current += 1
    most = max(most, current)
    if current == barrier {
      met = true
      condition.broadcast()
    }
    let giveUp = Date().addingTimeInterval(10)
    while !met && condition.wait(until: giveUp) {}
  }

  func leave() {
    condition.lock()
    current -= 1
    condition.unlock()
  }
}

#if canImport(Glibc)
  import Glibc
#endif

/// The time a report is made, read once by the command and passed to the reporters (which stay
/// pure: a test gives them a fixed time instead).
enum WallClock {
  /// Seconds since the Unix epoch, to the millisecond.
  static func now() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_REALTIME, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec / 1_000_000) / 1000
  }
}

#if canImport(Glibc)
  import Glibc
#endif

/// A calendar day in UTC, written `YYYY-MM-DD`: when a waiver expires, and the day it is judged on.
///
/// A waiver applies through the whole of its `expires` day, UTC: `expires: 2025-06-30` still
/// holds at 2025-06-30T23:59:59Z and no longer at 2025-07-01T00:00:00Z. Days are compared, never
/// instants, so the only clock reading is ``today()`` (the CLI and the hook); tests pass a day.
public struct PolicyDate: Hashable, Comparable, Sendable, CustomStringConvertible {
  /// The year, 1 to 9999.
  public let year: Int
  /// The month, 1 to 12.
  public let month: Int
  /// The day of the month, 1 to 28, 29, 30 or 31.
  public let day: Int

  /// 1970-01-01, the first day of Unix time.
  public static let epoch = PolicyDate(daysSinceEpoch: 0)

  /// The ``daysSinceEpoch`` of every day from 0001-01-01 to 9999-12-31.
  public static let validDays = -719_162...2_932_896

  /// The day, or `nil` if there is no such day (2025-02-29, 2025-13-01).
  public init?(year: Int, month: Int, day: Int) {
    guard (1...9999).contains(year), (1...12).contains(month), day >= 1, day <= Self.days(inMonth: month, of: year) else {
      return nil
    }
    self.year = year
    self.month = month
    self.day = day
  }

  /// Reads `YYYY-MM-DD` exactly (four, two and two ASCII digits), or `nil` if the text is not a
  /// day that exists.
  public init?(_ text: String) {
    let bytes = Array(text.utf8)
    guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-") else { return nil }
    func number(_ range: Range<Int>) -> Int? {
      var value = 0
      for byte in bytes[range] {
        guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
        value = value * 10 + Int(byte - UInt8(ascii: "0"))
      }
      return value
    }
    guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10) else { return nil }
    self.init(year: year, month: month, day: day)
  }

  /// The day `days` after 1970-01-01 (before it, for a negative count).
  public init(daysSinceEpoch days: Int) {
    // Howard Hinnant's civil_from_days: eras of 400 years (146,097 days) starting on March 1.
    let shifted = days + 719_468
    let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
    let dayOfEra = shifted - era * 146_097
    let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
    let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
    let monthIndex = (5 * dayOfYear + 2) / 153
    day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
    month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
    year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
  }

  /// The day in UTC at `seconds` after 1970-01-01T00:00:00Z.
  public init(unixTime seconds: Int64) {
    let perDay: Int64 = 86_400
    let days = seconds >= 0 ? seconds / perDay : (seconds - perDay + 1) / perDay
    self.init(daysSinceEpoch: Int(days))
  }

  /// Today in UTC, by the system's real-time clock: what the CLI and the hook judge waivers on.
  public static func today() -> PolicyDate {
    var now = timespec()
    clock_gettime(CLOCK_REALTIME, &now)
    return PolicyDate(unixTime: Int64(now.tv_sec))
  }

  /// Days from 1970-01-01 to this day (negative before it).
  public var daysSinceEpoch: Int {
    // Howard Hinnant's days_from_civil.
    let shiftedYear = month <= 2 ? year - 1 : year
    let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
    let yearOfEra = shiftedYear - era * 400
    let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
    let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
    return era * 146_097 + dayOfEra - 719_468
  }

  /// The day `days` later (earlier, for a negative count).
  public func adding(days: Int) -> PolicyDate {
    PolicyDate(daysSinceEpoch: daysSinceEpoch + days)
  }

  /// Orders days by the calendar.
  public static func < (lhs: PolicyDate, rhs: PolicyDate) -> Bool {
    (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
  }

  /// `YYYY-MM-DD`.
  public var description: String {
    func padded(_ value: Int, _ width: Int) -> String {
      let digits = String(value)
      return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
    return "\(padded(year, 4))-\(padded(month, 2))-\(padded(day, 2))"
  }

  private static func days(inMonth month: Int, of year: Int) -> Int {
    switch month {
    case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
    case 4, 6, 9, 11: 30
    default: 31
    }
  }
}

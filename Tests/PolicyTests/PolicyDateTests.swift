import Policy
import Testing

/// `YYYY-MM-DD` days in UTC: what waivers expire on.
@Suite struct PolicyDateTests {
  @Test func readsExactlyFourTwoAndTwoDigitsOfADayThatExists() {
    #expect(PolicyDate("2025-09-30") == PolicyDate(year: 2025, month: 9, day: 30))
    #expect(PolicyDate("2024-02-29")?.description == "2024-02-29")
    #expect(PolicyDate("0001-01-01")?.description == "0001-01-01")
    for bad in ["2025-02-29", "1900-02-29", "2025-06-31", "2025-9-30", "25-09-30", "2025/09/30", "2025-09-30 ", "２０２５-09-30", "", "0000-12-31"] {
      #expect(PolicyDate(bad) == nil, "\(bad)")
    }
  }

  @Test func daysSinceTheEpochRoundTripOverFourCenturies() {
    #expect(PolicyDate.epoch.description == "1970-01-01")
    #expect(PolicyDate(year: 2000, month: 3, day: 1)?.daysSinceEpoch == 11_017)
    #expect(PolicyDate(year: 1969, month: 12, day: 31)?.daysSinceEpoch == -1)
    #expect(PolicyDate(daysSinceEpoch: PolicyDate.validDays.lowerBound).description == "0001-01-01")
    #expect(PolicyDate(daysSinceEpoch: PolicyDate.validDays.upperBound).description == "9999-12-31")
    var day = PolicyDate(year: 1900, month: 1, day: 1)
    for _ in 0..<(400 * 366) {
      guard let current = day else { break }
      let next = current.adding(days: 1)
      #expect(next.daysSinceEpoch == current.daysSinceEpoch + 1)
      #expect(current < next)
      #expect(PolicyDate(next.description) == next, "\(next)")
      day = next.year < 2300 ? next : nil
    }
  }

  @Test func aDayInUTCFromUnixTime() {
    #expect(PolicyDate(unixTime: 0) == .epoch)
    // 2025-06-30T23:59:59Z is still the 30th; a second later it is the 1st.
    #expect(PolicyDate(unixTime: 1_751_327_999).description == "2025-06-30")
    #expect(PolicyDate(unixTime: 1_751_328_000).description == "2025-07-01")
    #expect(PolicyDate(unixTime: -1).description == "1969-12-31")
    #expect(PolicyDate(unixTime: -86_400).description == "1969-12-31")
    #expect(PolicyDate(unixTime: -86_401).description == "1969-12-30")
  }

  @Test func todayIsAPlausibleDay() {
    #expect(PolicyDate.today() > PolicyDate(year: 2025, month: 1, day: 1)!)
  }
}

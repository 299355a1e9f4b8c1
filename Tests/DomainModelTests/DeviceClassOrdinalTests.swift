@testable import DomainModel
import Testing

@Suite struct DeviceClassOrdinalTests {
  /// The attribute table is looked up by ordinal: each must be the class's place in `known`.
  @Test func ordinalsAreThePositionsInKnown() {
    #expect(DeviceClass.known.map(\.ordinal) == Array(0..<DeviceClass.known.count))
    #expect(DeviceClass(elementName: "x-new").ordinal == nil)
    #expect(DeviceAttributes.names(for: .interface).first == "type")
    #expect(DeviceAttributes.names(for: .unknown("x-new")) == ["type", "model"])
  }
}

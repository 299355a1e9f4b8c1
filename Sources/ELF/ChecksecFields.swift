import TextEscaping
/// The ten per-file values `checksec --file=F --output=json` (checksec 2.6) prints, as the same strings.
///
/// Built from a `HardeningReport`, it shows checksec's answers, bugs included (`checksecRELRO`,
/// `checksecNX`), so it can be compared field by field with checksec's own output.
public struct ChecksecFields: Equatable, Sendable {
  /// The JSON keys in checksec's order.
  public static let keys = [
    "relro", "canary", "nx", "pie", "rpath", "runpath", "symbols", "fortify_source", "fortified", "fortify-able",
  ]

  /// The values by key, e.g. `["relro": "full", "pie": "dso", "fortified": "3"]`.
  public let values: [String: String]

  /// checksec's strings for `report`.
  public init(report: HardeningReport) {
    let relro: String
    switch report.checksecRELRO {
    case .full: relro = "full"
    case .partial: relro = "partial"
    case .none: relro = "no"
    }
    let pie: String
    switch report.pie {
    case .pieEnabled: pie = "yes"
    case .dso: pie = "dso"
    case .rel: pie = "rel"
    case .noPIE: pie = "no"
    case .notApplicable: pie = "not_elf"
    }
    let yesNo = { (flag: Bool) in flag ? "yes" : "no" }
    values = [
      "relro": relro,
      "canary": yesNo(report.canary),
      "nx": yesNo(report.checksecNX),
      "pie": pie,
      "rpath": yesNo(!(report.rpath ?? "").isEmpty),
      "runpath": yesNo(!(report.runpath ?? "").isEmpty),
      "symbols": yesNo(report.hasSymbols),
      "fortify_source": yesNo(report.fortifySource),
      "fortified": String(report.fortified),
      "fortify-able": String(report.fortifiable),
    ]
  }

  /// One value by key ("" for an unknown key).
  public subscript(key: String) -> String { values[key] ?? "" }

  /// The object checksec prints for `path`, e.g. `{ "/bin/ls": { "relro":"full",… } }` (path escaped).
  public func json(path: String) -> String {
    let body = Self.keys.map { "\"\($0)\":\"\(self[$0])\"" }.joined(separator: ",")
    return "{ \(JSONString.quoted(path)): { \(body) } }"
  }
}

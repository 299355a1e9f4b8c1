import Foundation
import Testing

/// Reads `kvmpolicy check --format json` output the way tests compare it.
public enum CheckJSON {
  /// Every finding as "domain check [device class]", sorted.
  public static func findings(_ json: String) throws -> [String] {
    let root = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
    var result: [String] = []
    for source in root["sources"] as? [[String: Any]] ?? [] {
      for domain in source["domains"] as? [[String: Any]] ?? [] {
        for finding in domain["findings"] as? [[String: Any]] ?? [] {
          let device = (finding["device"] as? [String: Any])?["class"] as? String
          result.append([domain["name"] as? String, finding["check"] as? String, device].compactMap { $0 }.joined(separator: " "))
        }
      }
    }
    return result.sorted()
  }
}

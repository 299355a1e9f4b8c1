/// Unified diffs of two texts, line by line, as `diff -u` prints them.
public enum UnifiedDiff {
  /// The diff of `old` and `new` with `context` lines around each change; empty when equal.
  public static func make(_ old: String, _ new: String, oldName: String, newName: String, context: Int = 3) -> String {
    let a = old.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    let b = new.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    let edits = script(a, b)
    guard edits.contains(where: { $0.kind != .same }) else { return "" }
    var output = "--- \(oldName)\n+++ \(newName)\n"
    var index = 0
    while index < edits.count {
      guard let firstChange = edits[index...].firstIndex(where: { $0.kind != .same }) else { break }
      var start = max(index, firstChange - context)
      if start < index { start = index }
      // Extend the hunk while changes are within 2*context of each other.
      var end = firstChange
      var cursor = firstChange
      while cursor < edits.count {
        if edits[cursor].kind != .same {
          end = cursor
          cursor += 1
          continue
        }
        let nextChange = edits[cursor...].firstIndex { $0.kind != .same }
        if let next = nextChange, next - end <= 2 * context { cursor = next } else { break }
      }
      let stop = min(edits.count, end + context + 1)
      let hunk = edits[start..<stop]
      let oldStart = (hunk.first { $0.kind != .insert }?.oldLine ?? 0) + 1
      let newStart = (hunk.first { $0.kind != .delete }?.newLine ?? 0) + 1
      let oldCount = hunk.filter { $0.kind != .insert }.count
      let newCount = hunk.filter { $0.kind != .delete }.count
      output += "@@ -\(oldStart),\(oldCount) +\(newStart),\(newCount) @@\n"
      for edit in hunk {
        switch edit.kind {
        case .same: output += " " + a[edit.oldLine] + "\n"
        case .delete: output += "-" + a[edit.oldLine] + "\n"
        case .insert: output += "+" + b[edit.newLine] + "\n"
        }
      }
      index = stop
    }
    return output
  }

  private struct Edit {
    enum Kind { case same, delete, insert }
    let kind: Kind
    let oldLine: Int
    let newLine: Int
  }

  /// An edit script from the longest common subsequence (domain XML is small: O(n*m) is fine).
  private static func script(_ a: [String], _ b: [String]) -> [Edit] {
    let n = a.count
    let m = b.count
    var lengths = [[Int]](repeating: [Int](repeating: 0, count: m + 1), count: n + 1)
    for i in stride(from: n - 1, through: 0, by: -1) {
      for j in stride(from: m - 1, through: 0, by: -1) {
        lengths[i][j] = a[i] == b[j] ? lengths[i + 1][j + 1] + 1 : max(lengths[i + 1][j], lengths[i][j + 1])
      }
    }
    var edits: [Edit] = []
    var i = 0
    var j = 0
    while i < n || j < m {
      if i < n && j < m && a[i] == b[j] {
        edits.append(Edit(kind: .same, oldLine: i, newLine: j))
        i += 1
        j += 1
      } else if i < n && (j == m || lengths[i + 1][j] >= lengths[i][j + 1]) {
        // Deletions before insertions, as diff -u prints them.
        edits.append(Edit(kind: .delete, oldLine: i, newLine: j))
        i += 1
      } else {
        edits.append(Edit(kind: .insert, oldLine: i, newLine: j))
        j += 1
      }
    }
    return edits
  }
}

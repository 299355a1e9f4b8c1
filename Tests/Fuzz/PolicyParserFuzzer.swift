// libFuzzer target for the policy language: lexer, parser, schema and diagnostic formatter.
//
// Not part of Package.swift: scripts/fuzz-policy compiles this file together with
// Sources/Policy/*.swift as one module (so `Policy` is not imported there) and links it with
// -sanitize=fuzzer,address. Any input must give either a policy or at least one error, every
// diagnostic must point into the text, and nothing may crash, hang or leak.

#if canImport(Policy)
  import Policy
#endif

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
  let result = PolicyLoader.load(text: text, file: "fuzz.yaml")
  let diagnostics: [PolicyDiagnostic]
  switch result {
  case .success(let loaded):
    diagnostics = loaded.warnings
    check(loaded.warnings.allSatisfy { $0.severity == .warning }, "a loaded policy came with an error")
  case .failure(let errors):
    diagnostics = errors.diagnostics
    check(errors.diagnostics.contains { $0.severity == .error }, "the load failed without an error: \(errors)")
  }
  // Lines as the lexer cuts them (at "\n", without a trailing "\r" or the first line's BOM), with
  // their length in Unicode scalars: columns count scalars, as the caret renderer does. (Counting
  // Characters was wrong where a combining mark follows another scalar: found by scripts/fuzz.)
  var lines: [Int] = []
  for (number, line) in text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
    var count = line.count
    if line.last == "\r" { count -= 1 }
    if number == 0, line.first == "\u{FEFF}" { count -= 1 }
    lines.append(count)
  }
  for diagnostic in diagnostics {
    let location = diagnostic.location
    check(location.file == "fuzz.yaml", "diagnostic names another file: \(diagnostic)")
    check(location.line >= 1 && location.line <= lines.count, "line outside the text: \(diagnostic)")
    // One past the end is where a missing value is; two past it only for the value of an empty key
    // (`:` alone), whose key length is counted as 1.
    check(location.column >= 1 && location.column <= lines[location.line - 1] + 2, "column outside its line: \(diagnostic)")
    check(diagnostic.length >= 1 && !diagnostic.id.isEmpty && !diagnostic.message.isEmpty, "malformed diagnostic: \(diagnostic)")
  }
  // The renderer sees the same text kvmpolicy would give it.
  _ = DiagnosticFormatter(colors: true).format(diagnostics, source: text)
  return 0
}

/// `precondition` that keeps its message in optimised builds, so a crash file's log says which
/// invariant broke.
@inline(never)
func check(_ condition: Bool, _ message: @autoclosure () -> String) {
  if !condition { fatalError("fuzz invariant: " + message()) }
}

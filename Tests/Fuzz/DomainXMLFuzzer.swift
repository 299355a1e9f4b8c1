// libFuzzer target for the domain XML path: libxml2's SAX reader (Domain.parse), the tree reader
// (DomainDocument) and the engine.
//
// Not part of Package.swift: `scripts/fuzz domain-xml` compiles this file together with
// Sources/Engine/*.swift as one module (so `Engine` is not imported there) and links it with
// -sanitize=fuzzer,address. Invariants: both readers give the same model (and the same device
// properties) or the same error; a model the engine judges never crashes it, under every
// shipped policy; nothing crashes, hangs or leaks.

import DomainModel
import Policy

#if canImport(Glibc)
  import Glibc
#endif

#if canImport(Engine)
  import Engine
#endif

/// The shipped policies, loaded once (the fuzz script copies them into `.build-fuzz/policies`).
let policies: [Policy] = {
  let directory = getenv("KVMPOLICY_FUZZ_POLICIES").map { String(cString: $0) } ?? ".build-fuzz/policies"
  let loaded = ["baseline", "desktop", "gpu-host"].compactMap { name in
    try? PolicyLoader.load(path: "\(directory)/\(name).yaml").get().policy
  }
  check(loaded.count == 3, "the shipped policies are not in \(directory)")
  return loaded
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  let bytes = UnsafeRawBufferPointer(start: data, count: size)
  let tree = Result { () throws(DomainXMLError) in try DomainDocument(bytes: bytes, source: "fuzz.xml").domain }
  let streamed = Result { () throws(DomainXMLError) in try Domain.parse(bytes: bytes, source: "fuzz.xml") }
  switch (tree, streamed) {
  case (.success(let expected), .success(let actual)):
    check(actual == expected, "the streamed model differs from the tree's")
    check(actual.devices.map(\.properties) == expected.devices.map(\.properties), "device properties differ")
    for policy in policies {
      let evaluation = Engine.evaluate(actual, against: policy, today: .epoch)
      for finding in evaluation.findings {
        check(!finding.message.isEmpty && finding.id.hasPrefix("KP-"), "malformed finding: \(finding)")
      }
    }
  case (.failure(let expected), .failure(let actual)):
    check(actual == expected, "the readers' errors differ: \(expected) / \(actual)")
  default:
    check(false, "one reader failed, the other did not: tree \(tree), stream \(streamed)")
  }
  return 0
}

func check(_ condition: Bool, _ message: @autoclosure () -> String) {
  if !condition {
    fputs("invariant broken: \(message())\n", stderr)
    abort()
  }
}

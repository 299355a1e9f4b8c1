import Foundation
import Policy
import Testing

/// The compiled form the hook reads: exactly the policy the YAML gives, and never used when it
/// is not the YAML's.
@Suite struct CompiledPolicyTests {
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

  /// Every shipped and test policy that loads.
  static let policies: [String] = ["policies", "Tests/Fixtures/policies"].flatMap { folder -> [String] in
    let directory = root.appendingPathComponent(folder).path
    let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
    return names.filter { $0.hasSuffix(".yaml") }.sorted().map { directory + "/" + $0 }
  }

  static func load(_ path: String) throws -> (Policy, String) {
    let text = try String(contentsOfFile: path, encoding: .utf8)
    return (try PolicyLoader.load(text: text, file: path).get().policy, text)
  }

  @Test func everyPolicyRoundTripsExactly() throws {
    #expect(Self.policies.count >= 7)
    for path in Self.policies {
      let (policy, text) = try Self.load(path)
      let hash = CompiledPolicy.hash(text)
      let bytes = CompiledPolicy.encode(policy, sourceHash: hash)
      #expect(CompiledPolicy.decode(bytes, sourceHash: hash) == policy, "\(path)")
      #expect(CompiledPolicy.encode(policy, sourceHash: hash) == bytes, "\(path): not deterministic")
    }
  }

  @Test func anotherSourceAVersionOrMalformedBytesAreRefused() throws {
    let (policy, text) = try Self.load(Self.root.appendingPathComponent("policies/baseline.yaml").path)
    let hash = CompiledPolicy.hash(text)
    let bytes = CompiledPolicy.encode(policy, sourceHash: hash)
    #expect(CompiledPolicy.decode(bytes, sourceHash: CompiledPolicy.hash(text + " ")) == nil)
    var otherVersion = bytes
    otherVersion[18] &+= 1
    #expect(CompiledPolicy.decode(otherVersion, sourceHash: hash) == nil)
    // Every truncation is refused, never read past the end.
    for length in stride(from: 0, to: bytes.count, by: 7) {
      #expect(CompiledPolicy.decode(Array(bytes[..<length]), sourceHash: hash) == nil)
    }
    #expect(CompiledPolicy.decode(bytes + [0], sourceHash: hash) == nil)
    // A flipped byte either breaks the form or decodes to some policy; it never crashes.
    for offset in stride(from: 27, to: bytes.count, by: 3) {
      var damaged = bytes
      damaged[offset] ^= 0xFF
      _ = CompiledPolicy.decode(damaged, sourceHash: hash)
    }
  }

  @Test func waiversRoundTripWithEveryMatcherAndTheirDay() throws {
    let text = """
      version: 1
      devices:
        sound: deny
      waivers:
        - name: lab
          match: {name: ["lab-*", db], uuid: 6f50bc6f-293b-4fac-9d57-23a266112312, tag: [a, b]}
          findings: {check: [class-denied], class: sound, rule: devices.sound, id: KP-0123456789ab}
          reason: "the lab's sound cards: ü"
          owner: alice@example.com
          expires: 2025-09-30
        - findings: {check: seclabel-shared}
          reason: r
          owner: o
          expires: 9999-12-31
      """
    let policy = try PolicyLoader.load(text: text, file: "p.yaml").get().policy
    let hash = CompiledPolicy.hash(text)
    let bytes = CompiledPolicy.encode(policy, sourceHash: hash)
    let decoded = try #require(CompiledPolicy.decode(bytes, sourceHash: hash))
    #expect(decoded == policy)
    #expect(decoded.waivers.map(\.expires.description) == ["2025-09-30", "9999-12-31"])
    #expect(decoded.waivers[0].reference.location == SourceLocation(file: "p.yaml", line: 5, column: 5))
    #expect(bytes[18] == 5, "the format version")
    // Every truncation and flipped byte of the waivers is refused or decodes to some policy; a
    // day out of 0001-01-01 ... 9999-12-31 never decodes.
    for length in 0..<bytes.count {
      #expect(CompiledPolicy.decode(Array(bytes[..<length]), sourceHash: hash) == nil)
    }
    for offset in 27..<bytes.count {
      var damaged = bytes
      damaged[offset] ^= 0xFF
      if let other = CompiledPolicy.decode(damaged, sourceHash: hash) {
        #expect(other.waivers.allSatisfy { PolicyDate.validDays.contains($0.expires.daysSinceEpoch) })
      }
    }
  }

  @Test func aPolicyWithoutWaiversCostsOneByteForThem() throws {
    let (policy, text) = try Self.load(Self.root.appendingPathComponent("policies/baseline.yaml").path)
    let hash = CompiledPolicy.hash(text)
    let withOne = Policy(
      file: policy.file, description: policy.description, base: policy.base, overrides: policy.overrides,
      waivers: [
        Waiver(
          name: nil, reference: RuleReference(path: "waivers[0]", location: nil), domains: DomainSelector(),
          findings: FindingSelector(checks: ["class-denied"]), reason: "r", owner: "o", expires: .epoch)
      ], sourceHash: hash)
    #expect(CompiledPolicy.encode(policy, sourceHash: hash).last == 0, "an empty list of waivers")
    #expect(CompiledPolicy.decode(CompiledPolicy.encode(withOne, sourceHash: hash), sourceHash: hash) == withOne)
  }

  @Test func theCompiledFileSitsHiddenBesideTheYAML() {
    #expect(CompiledPolicy.path(for: "/etc/kvmpolicy/policy.yaml") == "/etc/kvmpolicy/.policy.yaml.compiled")
    #expect(CompiledPolicy.path(for: "p.yaml") == ".p.yaml.compiled")
  }

  /// A scratch directory with a copy of a policy.
  func withPolicy(_ name: String, _ body: (String) throws -> Void) throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kvmpolicy-compiled-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let path = directory.appendingPathComponent("policy.yaml").path
    try FileManager.default.copyItem(atPath: Self.root.appendingPathComponent("policies/\(name).yaml").path, toPath: path)
    try body(path)
  }

  @Test func theLoaderUsesAMatchingTrustedCompiledFormAndOnlyThat() throws {
    try withPolicy("baseline") { path in
      let parsed = try PolicyLoader.load(path: path).get().policy
      #expect(try PolicyLoader.compile(path: path).get() == parsed)
      #expect(FileManager.default.fileExists(atPath: CompiledPolicy.path(for: path)))
      #expect(try PolicyLoader.load(path: path, preferringCompiledWhere: { _ in true }).get().policy == parsed)

      // Proof that the compiled form is what gets used: one that says something else, for the
      // same source bytes, is returned as it is.
      let text = try String(contentsOfFile: path, encoding: .utf8)
      let (desktop, _) = try Self.load(Self.root.appendingPathComponent("policies/desktop.yaml").path)
      let impostor = Policy(file: path, description: "compiled", base: desktop.base, overrides: [], sourceHash: CompiledPolicy.hash(text))
      try Data(CompiledPolicy.encode(impostor, sourceHash: CompiledPolicy.hash(text)))
        .write(to: URL(fileURLWithPath: CompiledPolicy.path(for: path)))
      #expect(try PolicyLoader.load(path: path, preferringCompiledWhere: { _ in true }).get().policy == impostor)
      // ... but not when the caller does not trust the file,
      #expect(try PolicyLoader.load(path: path, preferringCompiledWhere: { _ in false }).get().policy == parsed)
      // ... nor once the YAML changed: an edit is never shadowed by a stale compiled form.
      try (text + "# edited\n").write(toFile: path, atomically: false, encoding: .utf8)
      let edited = try PolicyLoader.load(path: path, preferringCompiledWhere: { _ in true }).get().policy
      #expect(edited == Policy(file: path, description: parsed.description, base: parsed.base, overrides: parsed.overrides, sourceHash: CompiledPolicy.hash(text + "# edited\n")))
    }
  }

  @Test func anInvalidPolicyCompilesToNothing() throws {
    try withPolicy("baseline") { path in
      try "version: 1\ndevices:\n  sound: maybe\n".write(toFile: path, atomically: false, encoding: .utf8)
      guard case .failure(.invalid(let errors)) = PolicyLoader.compile(path: path) else {
        Issue.record("an invalid policy compiled")
        return
      }
      #expect(errors.diagnostics.first?.location.line == 3)
      #expect(!FileManager.default.fileExists(atPath: CompiledPolicy.path(for: path)))
    }
  }
}

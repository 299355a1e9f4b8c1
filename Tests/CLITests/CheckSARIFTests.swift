import Foundation
import TestSupport
import Testing

/// `kvmpolicy check --format sarif`: valid SARIF 2.1.0, results where the devices are.
@Suite struct CheckSARIFTests {
  static let root = KVMPolicyProcess.repositoryRoot
  static let schema = root.appendingPathComponent("Tests/Fixtures/sarif/sarif-schema-2.1.0.json").path
  static let domains = root.appendingPathComponent("policies/tests/domains").path
  static let policy = root.appendingPathComponent("policies/baseline.yaml").path

  /// Validates a SARIF document against the official schema with python3-jsonschema; the
  /// problems it finds, empty when valid.
  static func validate(_ sarif: String) throws -> String {
    let script = """
      import json, sys, jsonschema
      schema = json.load(open(sys.argv[1]))
      errors = sorted(jsonschema.Draft4Validator(schema).iter_errors(json.load(sys.stdin)), key=str)
      print("\\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors))
      """
    let result = try Command.run("/usr/bin/python3", ["-c", script, schema], stdin: Array(sarif.utf8), separateErrors: true)
    try #require(result.status == 0, "python3-jsonschema failed: \(result.stderr)")
    return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
  }

  static func results(_ sarif: String) throws -> [[String: Any]] {
    let root = try #require(try JSONSerialization.jsonObject(with: Data(sarif.utf8)) as? [String: Any])
    let run = try #require((root["runs"] as? [[String: Any]])?.first)
    return run["results"] as? [[String: Any]] ?? []
  }

  @Test(.requiresExecutable("/usr/bin/python3")) func filesGiveResultsAtTheirDeviceLinesAndValidate() throws {
    let sound = Self.domains + "/sound.xml"
    let result = try KVMPolicyProcess.run([
      "check", "--policy", Self.policy, "--format", "sarif", "--xml", sound, Self.domains + "/no-svirt.xml", Self.domains + "/server.xml",
    ])
    #expect(result.status == 1)
    #expect(try Self.validate(result.stdout) == "")
    let results = try Self.results(result.stdout)
    #expect(results.map { $0["ruleId"] as? String } == ["class-denied", "seclabel-none"])
    let location = try #require(((results[0]["locations"] as? [[String: Any]])?.first?["physicalLocation"]) as? [String: Any])
    #expect((location["artifactLocation"] as? [String: Any])?["uri"] as? String == sound)
    let lines = try String(contentsOfFile: sound, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
    let soundLine = try #require(lines.firstIndex { $0.contains("<sound") }) + 1
    #expect((location["region"] as? [String: Any])?["startLine"] as? Int == soundLine)
    let fingerprint = (results[0]["partialFingerprints"] as? [String: String])?["kvmpolicyFindingId/v1"]
    #expect(fingerprint?.hasPrefix("KP-") == true)
    // The same finding in JSON has the same ID.
    let json = try KVMPolicyProcess.run(["check", "--policy", Self.policy, "--format", "json", "--xml", sound])
    #expect(fingerprint.map { json.stdout.contains("\"id\": \"\($0)\"") } == true)
  }

  @Test(.requiresExecutable("/usr/bin/python3")) func libvirtSourcesPointAtTheDefinitionFilesAndValidate() throws {
    let fleet = Self.root.appendingPathComponent("scripts/fleet/demo.xml").path
    let result = try KVMPolicyProcess.run(["check", "--policy", Self.policy, "--format", "sarif", "-c", "test://\(fleet)"])
    #expect(result.status == 1)
    #expect(try Self.validate(result.stdout) == "")
    let uris = Set(try Self.results(result.stdout).compactMap {
      (($0["locations"] as? [[String: Any]])?.first?["physicalLocation"] as? [String: Any]).flatMap { ($0["artifactLocation"] as? [String: Any])?["uri"] as? String }
    })
    #expect(!uris.isEmpty && uris.allSatisfy { $0.hasPrefix("/etc/libvirt/qemu/") && $0.hasSuffix(".xml") })
  }

  @Test(.requiresExecutable("/usr/bin/python3")) func theValidatorCatchesABrokenDocument() throws {
    // The check above can fail: a result without a message is not SARIF.
    let broken = #"{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": [{"ruleId": "r"}]}]}"#
    #expect(try Self.validate(broken).contains("'message' is a required property"))
  }
}

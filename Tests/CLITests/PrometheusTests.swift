import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// `--format prometheus` as node_exporter's textfile collector reads it, checked by the real
/// `promtool` (Debian's `prometheus` package): the output of `check` and `host`, the shipped alert
/// rules, and their tests in `prometheus/kvmpolicy-alerts.test.yml`.
@Suite struct PrometheusTests {
  static let promtool = "/usr/bin/promtool"
  static let rules = KVMPolicyProcess.repositoryRoot.appendingPathComponent("prometheus/kvmpolicy-alerts.yml").path
  static let ruleTests = KVMPolicyProcess.repositoryRoot.appendingPathComponent("prometheus/kvmpolicy-alerts.test.yml").path

  /// `promtool check metrics < file` (promtool reads the metrics on standard input).
  static func checkMetrics(_ file: String) throws -> Command.Result {
    try Command.run("/bin/sh", ["-c", "exec \"$0\" check metrics < \"$1\"", promtool, file])
  }

  /// Runs `kvmpolicy arguments... --format prometheus --output DIR/name` and returns the status
  /// and the file's text; the directory holds just that file afterwards.
  static func write(_ arguments: [String], name: String) throws -> (status: Int32, text: String, stderr: String) {
    let directory = try TemporaryDirectory.make("prometheus")
    defer { try? FileManager.default.removeItem(at: directory) }
    let file = directory.appendingPathComponent(name).path
    let result = try KVMPolicyProcess.run(arguments + ["--format", "prometheus", "--output", file])
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == [name], "no temporary file left beside it")
    var info = stat()
    #expect(stat(file, &info) == 0 && info.st_mode & 0o777 == 0o644, "readable by node_exporter's user")
    let text = try String(contentsOfFile: file, encoding: .utf8)
    let checked = try checkMetrics(file)
    #expect(checked.status == 0 && checked.output.isEmpty, "promtool check metrics: \(checked.output)")
    return (result.status, text, result.stderr)
  }

  /// The value of the sample written exactly as `series` (name and labels), if there is one.
  static func value(_ text: String, _ series: String) -> String? {
    text.split(separator: "\n").first { $0.hasPrefix(series + " ") }.map { String($0.dropFirst(series.count + 1)) }
  }

  @Test(.requiresExecutable(promtool)) func checkOnTheTestDriverPassesPromtool() throws {
    let before = Date().timeIntervalSince1970.rounded(.down)
    let run = try Self.write(["check", "-c", "test:///default", "--policy", CheckCommandTests.policy("baseline")], name: "kvmpolicy-check.prom")
    let after = Date().timeIntervalSince1970.rounded(.up)
    #expect(run.status == 1, "the test driver's domain violates baseline: \(run.stderr)")
    #expect(Self.value(run.text, "kvmpolicy_domain_compliant{source=\"test:///default\",domain=\"test\"}") == "0")
    #expect(Self.value(run.text, "kvmpolicy_input_errors{source=\"test:///default\"}") == "0")
    let info = try #require(
      run.text.firstMatch(of: /kvmpolicy_build_info\{report="check",version="([^"]+)",policy_hash="fnv1a64:[0-9a-f]{16}"\} 1\n/))
    #expect(String(info.output.1) == (try KVMPolicyProcess.run(["--version"])).stdout.trimmingCharacters(in: .newlines))
    let stamp = try #require(Self.value(run.text, "kvmpolicy_last_run_timestamp_seconds{report=\"check\"}").flatMap(Double.init))
    #expect(before <= stamp && stamp <= after, "the run's own time, not a fixed one")
  }

  /// The demo fleet's findings by kind, and an unreachable source counted as an input error in a
  /// file that is still written (exit 2).
  @Test(.requiresExecutable(promtool)) func checkCountsFindingsAndInputErrors() throws {
    let run = try Self.write(
      ["check", "-c", "test:///nonexistent.xml", "-c", CheckCommandTests.fleet, "--policy", CheckCommandTests.policy("baseline")],
      name: "kvmpolicy-check.prom")
    #expect(run.status == 2)
    #expect(Self.value(run.text, "kvmpolicy_input_errors{source=\"test:///nonexistent.xml\"}") == "1")
    #expect(Self.value(run.text, "kvmpolicy_input_errors{source=\"\(CheckCommandTests.fleet)\"}") == "0")
    let compliant = run.text.split(separator: "\n").filter { $0.hasPrefix("kvmpolicy_domain_compliant{") }
    #expect(compliant.count == 7)
    #expect(compliant.filter { $0.hasSuffix(" 0") }.count == 4)
    let findings = run.text.split(separator: "\n").filter { $0.hasPrefix("kvmpolicy_findings{") }
    #expect(findings.compactMap { Int($0.split(separator: " ").last ?? "") }.reduce(0, +) == 20, "the demo's 20 errors")
    #expect(
      Self.value(
        run.text,
        "kvmpolicy_findings{source=\"\(CheckCommandTests.fleet)\",domain=\"legacy-01\",check=\"seclabel-none\",severity=\"error\",action=\"refuse\"}")
        == "1")
  }

  /// `--xml` with a reporter that cannot stream (every family needs every source).
  @Test(.requiresExecutable(promtool)) func checkOverFilesPassesPromtool() throws {
    let directory = try CheckManyFilesTests.corpus(10)
    defer { try? FileManager.default.removeItem(at: directory) }
    let run = try Self.write(["check", "--xml", directory.path, "--policy", CheckCommandTests.policy("baseline")], name: "kvmpolicy-check.prom")
    #expect(run.status == 1)
    let compliant = run.text.split(separator: "\n").filter { $0.hasPrefix("kvmpolicy_domain_compliant{") }
    #expect(compliant.count == 10)
    #expect(compliant.filter { $0.hasSuffix(" 0") }.count == 4, "many-0000, -0003, -0006 and -0009 have a sound card")
  }

  @Test(.requiresExecutable(promtool)) func hostOnTheTestDriverPassesPromtool() throws {
    let json = try KVMPolicyProcess.run(["host", "-c", "test:///default", "--format", "json"])
    let root = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
    let checks = try #require(root["checks"] as? [[String: Any]])
    let run = try Self.write(["host", "-c", "test:///default"], name: "kvmpolicy-host.prom")
    #expect(run.status == json.status)
    let statuses = ["PASS": "0", "FAIL": "1", "WARN": "2", "UNKNOWN": "3"]
    var expected = 0
    for check in checks {
      let id = try #require(check["id"] as? String), section = try #require(check["section"] as? String)
      let series = "kvmpolicy_host_check_status{id=\"\(id)\",section=\"\(section)\"}"
      if id == "hook-veto" {
        #expect(Self.value(run.text, series) == nil, "not probed: not asked for, so no sample")
        continue
      }
      expected += 1
      #expect(Self.value(run.text, series) == statuses[check["status"] as? String ?? ""], "\(id)")
    }
    #expect(run.text.split(separator: "\n").filter { $0.hasPrefix("kvmpolicy_host_check_status{") }.count == expected)
    #expect(run.text.contains("kvmpolicy_build_info{report=\"host\","))
    #expect(run.text.contains("kvmpolicy_last_run_timestamp_seconds{report=\"host\"} "))
  }

  @Test(.requiresExecutable(promtool)) func shippedRulesAreValid() throws {
    let result = try Command.run(Self.promtool, ["check", "rules", Self.rules])
    #expect(result.status == 0, "\(result.output)")
    #expect(result.output.contains("SUCCESS: 6 rules found"), "\(result.output)")
  }

  /// `prometheus/kvmpolicy-alerts.test.yml`: every alert fires where it should and stays quiet
  /// where it should not.
  @Test(.requiresExecutable(promtool)) func shippedRulesPassTheirTests() throws {
    let result = try Command.run(Self.promtool, ["test", "rules", Self.ruleTests])
    #expect(result.status == 0, "\(result.output)")
    #expect(result.output.contains("SUCCESS"), "\(result.output)")
  }

  /// The rule tests must fail when a rule is wrong: UNKNOWN no longer alerting breaks them.
  @Test(.requiresExecutable(promtool)) func theRuleTestsCatchABrokenRule() throws {
    let directory = try TemporaryDirectory.make("rules")
    defer { try? FileManager.default.removeItem(at: directory) }
    let rules = try String(contentsOfFile: Self.rules, encoding: .utf8)
    let broken = rules.replacingOccurrences(of: "kvmpolicy_host_check_status == 3", with: "kvmpolicy_host_check_status == 2")
    #expect(broken != rules)
    try Data(broken.utf8).write(to: directory.appendingPathComponent("kvmpolicy-alerts.yml"))
    try Data(contentsOf: URL(fileURLWithPath: Self.ruleTests)).write(to: directory.appendingPathComponent("kvmpolicy-alerts.test.yml"))
    let result = try Command.run(Self.promtool, ["test", "rules", directory.appendingPathComponent("kvmpolicy-alerts.test.yml").path])
    #expect(result.status != 0)
    #expect(result.output.contains("alertname: KVMPolicyHostCheckUnknown"), "\(result.output)")
  }

  /// Every kvmpolicy metric and label the rules use is one the reporters write.
  @Test func theRulesUseWhatTheReportersWrite() throws {
    let rules = try String(contentsOfFile: Self.rules, encoding: .utf8)
    let check = try KVMPolicyProcess.run(["check", "-c", CheckCommandTests.fleet, "--policy", CheckCommandTests.policy("baseline"), "--format", "prometheus"])
    let host = try KVMPolicyProcess.run(["host", "-c", "test:///default", "--format", "prometheus"])
    let written = check.stdout + host.stdout
    let metrics = Set(rules.matches(of: /kvmpolicy_[a-z_]+/).map { String($0.output) })
    #expect(metrics == ["kvmpolicy_domain_compliant", "kvmpolicy_findings", "kvmpolicy_input_errors", "kvmpolicy_host_check_status", "kvmpolicy_build_info"])
    for metric in metrics { #expect(written.contains("\n\(metric){"), "\(metric)") }
    for label in Set(rules.matches(of: /\$labels\.([a-z_]+)/).map { String($0.output.1) }).subtracting(["instance", "file"]) {
      #expect(written.contains("{\(label)=\"") || written.contains(",\(label)=\""), "\(label)")
    }
    #expect(written.contains(",policy_hash=\""))
  }
}

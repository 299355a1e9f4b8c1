import Foundation
import TestSupport
import Testing

@testable import kvmpolicy

/// `--xml` values lifted out of the command line before parsing (the parser is quadratic in them).
@Suite struct XMLArgumentsTests {
  @Test func everyRunKeepsItsFirstValueAndTheListKeepsTheOrder() {
    let (arguments, files) = XMLArguments.lift(["check", "--policy", "p.yaml", "--xml", "a.xml", "b.xml", "-", "--domain", "x*", "--xml", "c.xml", "--xml=d.xml"])
    #expect(arguments == ["check", "--policy", "p.yaml", "--xml", "a.xml", "--domain", "x*"])
    #expect(files == ["a.xml", "b.xml", "-", "c.xml", "d.xml"])
    #expect(XMLArguments.lift(["host", "--xml", "a", "b"]).files == nil)
    #expect(XMLArguments.lift(["check", "-c", "test:///default"]).files == nil)
    // One flag a file keeps one flag.
    let perFlag = XMLArguments.lift(["inventory", "--xml", "a", "--xml", "b", "--xml", "c"])
    #expect(perFlag.arguments == ["inventory", "--xml", "a"] && perFlag.files == ["a", "b", "c"])
    // A value-less --xml after a good one is left for the parser to reject.
    #expect(XMLArguments.lift(["check", "--xml", "a", "--xml"]).arguments == ["check", "--xml", "a", "--xml"])
  }

  @Test func manyFilesGiveWhatTheDirectoryGivesAndStandardInputStaysSingle() throws {
    let domains = KVMPolicyProcess.repositoryRoot.appendingPathComponent("policies/tests/domains").path
    let policy = KVMPolicyProcess.repositoryRoot.appendingPathComponent("policies/baseline.yaml").path
    let files = try FileManager.default.contentsOfDirectory(atPath: domains).filter { $0.hasSuffix(".xml") }.sorted().map { domains + "/" + $0 }
    let directory = try KVMPolicyProcess.run(["check", "--policy", policy, "--format", "json", "--xml", domains])
    let glob = try KVMPolicyProcess.run(["check", "--policy", policy, "--format", "json", "--xml"] + files)
    let perFlag = try KVMPolicyProcess.run(["check", "--policy", policy, "--format", "json"] + files.flatMap { ["--xml", $0] })
    #expect(directory.status == 1)
    #expect(glob.stdout == directory.stdout && glob.status == 1)
    #expect(perFlag.stdout == directory.stdout && perFlag.status == 1)
    let twice = try KVMPolicyProcess.run(["check", "--policy", policy, "--xml", files[0], "-", "-"], stdin: "")
    #expect(twice.status == 2)
    #expect(twice.stderr.contains("Standard input (-) can be read only once"))
    let both = try KVMPolicyProcess.run(["inventory", "--xml", files[0], files[1], "-c", "test:///default"])
    #expect(both.status == 2)
    #expect(both.stderr.contains("Use either --connect or --xml, not both"))
  }
}

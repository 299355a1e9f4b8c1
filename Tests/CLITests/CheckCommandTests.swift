import Foundation
import TestSupport
import Testing

#if canImport(FoundationXML)
  import FoundationXML
#endif

/// `kvmpolicy check` and `kvmpolicy policy check` as an operator runs them.
@Suite struct CheckCommandTests {
  static let fleet = "test://" + KVMPolicyProcess.repositoryRoot.appendingPathComponent("scripts/fleet/demo.xml").path
  static func policy(_ name: String) -> String {
    KVMPolicyProcess.repositoryRoot.appendingPathComponent("policies/\(name).yaml").path
  }

  /// `domain check class` for every finding of a JSON report, sorted.
  static func findings(_ json: String) throws -> [String] { try CheckJSON.findings(json) }

  @Test func baselineFindsExactlyWhatTheDemoFleetWasBuiltToShow() throws {
    let result = try KVMPolicyProcess.run(["check", "--policy", Self.policy("baseline"), "-c", Self.fleet, "--format", "json"])
    #expect(result.status == 1)
    #expect(
      try Self.findings(result.stdout) == [
        // desktop-01: SPICE on all interfaces, sound, USB tablet, USB redirection, qxl, spice channel/audio
        "desktop-01 class-denied redirdev", "desktop-01 class-denied redirdev", "desktop-01 class-denied sound",
        "desktop-01 device-denied input", "desktop-01 device-not-allowed audio", "desktop-01 device-not-allowed channel",
        "desktop-01 device-not-allowed graphics", "desktop-01 device-not-allowed video",
        // gpu-01: host devices
        "gpu-01 class-denied hostdev", "gpu-01 class-denied hostdev",
        // legacy-01: sVirt off, IDE disks, e1000, VNC on 0.0.0.0, cirrus
        "legacy-01 device-denied interface", "legacy-01 device-not-allowed disk", "legacy-01 device-not-allowed disk",
        "legacy-01 device-not-allowed graphics", "legacy-01 device-not-allowed video", "legacy-01 seclabel-none",
        // template-01: smartcard (and its ccid controller), parallel port, watchdog
        "template-01 class-denied parallel", "template-01 class-denied smartcard", "template-01 class-denied watchdog",
        "template-01 device-not-allowed controller",
      ])
    let root = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    #expect(root["schema"] as? String == "kvmpolicy.check")
    #expect((root["summary"] as? [String: Int])?["compliant"] == 3)
  }

  @Test func everyFormatReportsTheSameFindings() throws {
    let base = ["check", "--policy", Self.policy("baseline"), "-c", Self.fleet, "--format"]
    let json = try KVMPolicyProcess.run(base + ["json"]).stdout
    let ids = Set(json.matches(of: /KP-[0-9a-f]{12}/).map { String($0.output) })
    #expect(ids.count == 20)
    for format in ["text", "junit", "html"] {
      let result = try KVMPolicyProcess.run(base + [format])
      #expect(result.status == 1, "\(format)")
      #expect(Set(result.stdout.matches(of: /KP-[0-9a-f]{12}/).map { String($0.output) }) == ids, "\(format)")
    }
  }

  @Test func gpuHostAllowsNVIDIADevicesOnlyForGPUVMs() throws {
    let result = try KVMPolicyProcess.run(["check", "--policy", Self.policy("gpu-host"), "-c", Self.fleet, "--domain", "gpu-*", "--explain"])
    #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
    #expect(result.stdout.contains("  gpu-01 (running, override gpu-vms-by-name): compliant\n"))
    #expect(result.stdout.contains("allowed hostdev pci (alias ua-gpu01-gpu) by overrides[gpu-vms-by-name].devices.hostdev.allow[0]"))
    #expect(result.stdout.hasSuffix("1 domain checked: 1 compliant, 0 with violations; 0 errors, 0 warnings\n"))
  }

  @Test func desktopPolicyWarnsAboutUSBRedirection() throws {
    let result = try KVMPolicyProcess.run(["check", "--policy", Self.policy("desktop"), "-c", Self.fleet, "--domain", "desktop-01"])
    #expect(result.status == 1)
    #expect(result.stdout.contains("  desktop-01 (running): 1 violation, 2 warnings\n"))
    #expect(result.stdout.contains("    warning [warn] redirdev spicevmc (alias ua-desktop01-redir0) is not allowed: 'redirdev' devices are denied\n"))
    #expect(result.stdout.contains("needs listen in [127.0.0.1, ::1, /run/**, /var/lib/libvirt/**] (has listen=0.0.0.0)"))
  }

  @Test func aCompliantDomainExitsZero() throws {
    let result = try KVMPolicyProcess.run(["check", "--policy", Self.policy("baseline"), "-c", Self.fleet, "--domain", "web-01", "--domain", "db-*"])
    #expect(result.status == 0)
    #expect(
      result.stdout == """
        policy \(Self.policy("baseline")): Baseline server hardening (virtio-only devices, sVirt required)

        libvirt \(Self.fleet)
          db-01 (shut off): compliant
          web-01 (running): compliant

        2 domains checked: 2 compliant, 0 with violations; 0 errors, 0 warnings

        """)
  }

  @Test func xmlFilesAreCheckedTooAndPassthroughIsCaught() throws {
    let file = KVMPolicyProcess.repositoryRoot.appendingPathComponent("Tests/Fixtures/domains/qemu-commandline.xml").path
    let result = try KVMPolicyProcess.run(["check", "--policy", Self.policy("baseline"), "--xml", file, "--format", "json"])
    #expect(result.status == 1)
    #expect(try Self.findings(result.stdout).contains("fx-qemu-commandline qemu-passthrough"))
  }

  @Test func junitOutputIsWellFormedXMLWithOneTestcasePerDomain() throws {
    let directory = try TemporaryDirectory.make("junit")
    defer { try? FileManager.default.removeItem(at: directory) }
    let output = directory.appendingPathComponent("report.xml")
    let result = try KVMPolicyProcess.run(["check", "--policy", Self.policy("baseline"), "-c", Self.fleet, "--format", "junit", "--output", output.path])
    #expect(result.status == 1)
    #expect(result.stdout == "")
    let data = try Data(contentsOf: output)
    let parser = XMLParser(data: data)
    #expect(parser.parse(), "JUnit output is not well-formed: \(String(describing: parser.parserError))")
    let text = String(decoding: data, as: UTF8.self)
    #expect(text.components(separatedBy: "<testcase ").count - 1 == 7)
    #expect(text.components(separatedBy: "<failure ").count - 1 == 4)
  }

  @Test func aBrokenPolicyExitsTwoWithPositionsAndCarets() throws {
    let directory = try TemporaryDirectory.make("policy")
    defer { try? FileManager.default.removeItem(at: directory) }
    let file = directory.appendingPathComponent("bad.yaml")
    try "version: 1\ndevices:\n  sond: deny\n  disk:\n    action: reject\n".write(to: file, atomically: false, encoding: .utf8)
    for arguments in [["check", "--policy", file.path, "-c", Self.fleet], ["policy", "check", file.path]] {
      let result = try KVMPolicyProcess.run(arguments)
      #expect(result.status == 2)
      #expect(result.stdout == "")
      #expect(
        result.stderr == """
          \(file.path):3:3: error: unknown device class 'sond'; did you mean 'sound'?
            sond: deny
            ^~~~
          \(file.path):5:13: error: 'reject' is not a valid action; use one of: refuse, detach, rewrite, warn
              action: reject
                      ^~~~~~

          """)
    }
  }

  @Test func policyCompileWritesWhatTheHookReadsAndRefusesABrokenPolicy() throws {
    let directory = try TemporaryDirectory.make("compile")
    defer { try? FileManager.default.removeItem(at: directory) }
    let file = directory.appendingPathComponent("policy.yaml")
    try FileManager.default.copyItem(atPath: Self.policy("baseline"), toPath: file.path)
    let compiled = directory.appendingPathComponent(".policy.yaml.compiled").path
    let result = try KVMPolicyProcess.run(["policy", "compile", file.path])
    #expect(result.status == 0)
    #expect(result.stdout == "compiled \(file.path) -> \(compiled)\n")
    let bytes = try #require(FileManager.default.contents(atPath: compiled))
    #expect(bytes.starts(with: Array("KVMPOLICY-COMPILED".utf8)))
    #expect((try FileManager.default.attributesOfItem(atPath: compiled)[.posixPermissions] as? Int) == 0o644)

    try "version: 1\ndevices:\n  sond: deny\n".write(to: file, atomically: false, encoding: .utf8)
    let broken = try KVMPolicyProcess.run(["policy", "compile", file.path])
    #expect(broken.status == 2)
    #expect(broken.stderr.hasPrefix("\(file.path):3:3: error: unknown device class 'sond'"))
    // The old compiled form stays, and no longer matches the YAML, so nothing reads it.
    #expect(FileManager.default.contents(atPath: compiled) == bytes)
  }

  @Test func aMissingPolicyExitsTwo() throws {
    let result = try KVMPolicyProcess.run(["check", "--policy", "/nonexistent/policy.yaml", "-c", Self.fleet])
    #expect(result.status == 2)
    #expect(result.stderr == "/nonexistent/policy.yaml: error: cannot read the policy: No such file or directory\n")
  }

  @Test func anUnreachableHostIsAnInputErrorButTheOthersAreReported() throws {
    let result = try KVMPolicyProcess.run(["check", "--policy", Self.policy("baseline"), "-c", "test:///nonexistent.xml", "-c", Self.fleet])
    #expect(result.status == 2)
    #expect(result.stdout.contains("  legacy-01 (running): 6 violations\n"))
    #expect(result.stderr.contains("test:///nonexistent.xml: error: "))
  }

  @Test func policyCheckPrintsTheEffectiveRules() throws {
    let result = try KVMPolicyProcess.run(["policy", "check", Self.policy("gpu-host")])
    #expect(result.status == 0)
    #expect(result.stdout.contains("  hostdev     deny all\n"))
    #expect(result.stdout.contains("override gpu-vms-by-tag for domains with tag gpu ("))
    #expect(result.stdout.contains("    hostdev  allow mode=subsystem type=pci managed=yes vendor=10de  @"))
  }

  @Test func colourOnlyWhenAsked() throws {
    let plain = try KVMPolicyProcess.run(["check", "--policy", Self.policy("baseline"), "-c", Self.fleet, "--domain", "legacy-01"])
    #expect(!plain.stdout.contains("\u{1B}["))
    let colored = try KVMPolicyProcess.run(["check", "--policy", Self.policy("baseline"), "-c", Self.fleet, "--domain", "legacy-01", "--color", "always"])
    #expect(colored.stdout.contains("\u{1B}[1;31merror\u{1B}[0m"))
  }

  @Test func unknownFormatIsAUsageError() throws {
    let result = try KVMPolicyProcess.run(["check", "--policy", Self.policy("baseline"), "--format", "yaml"])
    #expect(result.status == 2)
    #expect(result.stderr.hasPrefix("Error: Unknown format 'yaml'; use one of: text, json, junit"))
  }
}

/// `check --xml` over many files: streamed in batches across cores, written in order.
@Suite struct CheckManyFilesTests {
  /// A directory of `count` small domains: every third one has a sound card, which
  /// `baseline.yaml` refuses; the others are compliant.
  static func corpus(_ count: Int, malformedAt: Int? = nil) throws -> URL {
    let directory = try TemporaryDirectory.make("many")
    for index in 0..<count {
      let sound = index % 3 == 0 ? "<sound model='ich9'/>" : ""
      var xml = """
        <domain type='kvm'><name>many-\(String(format: "%04d", index))</name><seclabel type='dynamic' model='selinux' relabel='yes'/>
        <devices><emulator>/usr/bin/qemu-system-x86_64</emulator><memballoon model='virtio'/>\(sound)</devices></domain>
        """
      if index == malformedAt { xml = "<domain><name>broken</name>" }
      try Data(xml.utf8).write(to: directory.appendingPathComponent(String(format: "d%04d.xml", index)))
    }
    return directory
  }

  @Test func aDirectoryOfMoreFilesThanOneBatchIsReportedInOrderWithExactCounts() throws {
    // 600 files: more than two batches of 256, so batch boundaries are crossed.
    let directory = try Self.corpus(600)
    defer { try? FileManager.default.removeItem(at: directory) }
    let result = try KVMPolicyProcess.run(
      ["check", "--policy", CheckCommandTests.policy("baseline"), "--xml", directory.path, "--format", "json"])
    #expect(result.status == 1)
    let root = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    let sources = try #require(root["sources"] as? [[String: Any]])
    #expect(sources.compactMap { $0["name"] as? String } == (0..<600).map { directory.path + "/" + String(format: "d%04d.xml", $0) })
    let summary = try #require(root["summary"] as? [String: Int])
    #expect(summary["domains"] == 600)
    #expect(summary["violating"] == 200)
    #expect(summary["compliant"] == 400)
    #expect(summary["errors"] == 200)

    let text = try KVMPolicyProcess.run(["check", "--policy", CheckCommandTests.policy("baseline"), "--xml", directory.path])
    #expect(text.status == 1)
    #expect(text.stdout.hasSuffix("600 domains checked: 400 compliant, 200 with violations; 200 errors, 0 warnings\n"))
    let headers = text.stdout.split(separator: "\n").filter { $0.hasPrefix("file ") }
    #expect(headers.count == 600)
    #expect(headers.first == "file \(directory.path)/d0000.xml" && headers.last == "file \(directory.path)/d0599.xml")
  }

  @Test func streamedOutputEqualsTheWholeReportAndGoesToOutputFiles() throws {
    let directory = try Self.corpus(300, malformedAt: 7)
    defer { try? FileManager.default.removeItem(at: directory) }
    let files = (0..<300).map { directory.path + "/" + String(format: "d%04d.xml", $0) }
    let report = directory.appendingPathComponent("report.json").path
    for format in ["json", "text", "junit"] {
      let base = ["check", "--policy", CheckCommandTests.policy("baseline"), "--format", format]
      let byDirectory = try KVMPolicyProcess.run(base + ["--xml", directory.path])
      let byFiles = try KVMPolicyProcess.run(base + ["--xml"] + files)
      // A malformed file is an input error: exit 2, the rest still reported.
      #expect(byDirectory.status == 2 && byFiles.status == 2, "\(format)")
      #expect(byDirectory.stdout == byFiles.stdout, "\(format)")
      #expect(byDirectory.stderr.contains("d0007.xml:1:"), "\(format)")
      let toFile = try KVMPolicyProcess.run(base + ["--xml", directory.path, "--output", report])
      #expect(toFile.stdout.isEmpty)
      #expect(try String(contentsOfFile: report, encoding: .utf8) == byDirectory.stdout, "\(format)")
    }
  }
}

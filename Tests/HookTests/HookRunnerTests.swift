import Foundation
import Hook
import Policy
import TestSupport
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// The hook's decisions, with the XML and the policy handed in.
@Suite struct HookRunnerTests {
  static let policyText = """
    version: 1
    seclabel:
      models: [selinux, apparmor]
    devices:
      emulator: allow
      memballoon: allow
      input:
        allow: [{bus: ps2}]
        deny:
          - bus: usb
            action: detach
      sound: deny
    """

  static func policy(_ path: String) -> Result<Policy, PolicyErrors> {
    PolicyLoader.load(text: policyText, file: path).map(\.policy)
  }

  static func run(_ operation: String, _ subOperation: String = "begin", xml: String, mode: HookRequest.PolicyErrorMode = .refuse,
    loader: (String) -> Result<Policy, PolicyErrors> = policy, today: PolicyDate = .epoch) -> HookOutcome
  {
    HookRunner.run(
      HookRequest(domain: "vm", operation: operation, subOperation: subOperation, policyPath: "/etc/kvmpolicy/policy.yaml", onPolicyError: mode),
      xml: { Array(xml.utf8) }, loadPolicy: loader, today: { today })
  }

  static let compliant = "<domain type='qemu'><name>vm</name><devices><memballoon model='virtio'/><input type='mouse' bus='ps2'/></devices></domain>"
  static let withSound = "<domain type='qemu'><name>vm</name><devices><sound model='ich6'/><input type='tablet' bus='usb'/></devices></domain>"
  static let dacOnly = """
    <domain type='qemu' id='4'><name>vm</name><devices/>
    <seclabel type='dynamic' model='dac' relabel='yes'><label>+999:+994</label></seclabel></domain>
    """

  @Test func prepareRefusesAViolatingDomainWithOneLinePerViolation() {
    let outcome = Self.run("prepare", xml: Self.withSound)
    #expect(outcome.status == 1)
    #expect(outcome.messages.count == 2)
    // The first line names the policy that answered and the exact text it was read from.
    let fingerprint = Policy.fingerprint(CompiledPolicy.hash(Self.policyText))
    #expect(outcome.messages[0] == "kvmpolicy: refusing to start vm: 1 policy violation (policy /etc/kvmpolicy/policy.yaml, \(fingerprint))")
    #expect(fingerprint.count == "fnv1a64:".count + 16)
    #expect(outcome.messages[1].hasPrefix("kvmpolicy: sound ich6 is not allowed: 'sound' devices are denied [devices.sound (/etc/kvmpolicy/policy.yaml:12:3)] KP-"))
    #expect(outcome.output == "")
  }

  @Test func detachAndRewriteFindingsDoNotBlockAStart() {
    let xml = "<domain type='qemu'><name>vm</name><devices><input type='tablet' bus='usb'/></devices></domain>"
    #expect(Self.run("prepare", xml: xml) == .proceed)
  }

  @Test func prepareLetsACompliantDomainStart() {
    #expect(Self.run("prepare", xml: Self.compliant) == .proceed)
  }

  @Test func prepareDoesNotJudgeLabelsLibvirtHasNotGeneratedYet() {
    // At prepare only explicit labels exist; a DAC-only label is judged at start.
    #expect(Self.run("prepare", xml: Self.dacOnly) == .proceed)
  }

  @Test func startJudgesTheGeneratedLabelsOnly() {
    let outcome = Self.run("start", xml: Self.dacOnly)
    #expect(outcome.status == 1)
    #expect(outcome.messages[1].contains("not confined by sVirt: it has only a DAC label"))
    // Devices were judged at prepare; start does not judge them again.
    let devicesOnly = Self.withSound.replacingOccurrences(of: "<devices>", with: "<devices>") + ""
    let labelled = devicesOnly.replacingOccurrences(
      of: "</devices>", with: "</devices><seclabel type='dynamic' model='selinux' relabel='yes'><label>s0:c1,c2</label></seclabel>")
    #expect(Self.run("start", xml: labelled) == .proceed)
  }

  @Test func reconnectNeverFailsEvenWithViolationsOrABrokenPolicy() {
    let violating = Self.run("reconnect", xml: Self.withSound)
    #expect(violating.status == 0)
    #expect(violating.messages.contains { $0.hasPrefix("kvmpolicy: warning: vm (running) violates the policy: sound ich6") })
    let broken = Self.run("reconnect", xml: Self.withSound) { _ in PolicyLoader.load(text: "version: 9\n", file: "p").map(\.policy) }
    #expect(broken.status == 0)
    #expect(Self.run("reconnect", xml: "<not-xml").status == 0)
  }

  @Test func migrateAndRestoreRefuseAViolatingIncomingDomainWithoutChangingIt() {
    for operation in ["migrate", "restore"] {
      let outcome = Self.run(operation, xml: Self.withSound)
      #expect(outcome.status == 1)
      #expect(outcome.output == "", "a filter that prints nothing leaves libvirt's XML unchanged")
      let accepted = Self.run(operation, xml: Self.compliant)
      #expect(accepted == .proceed)
    }
    #expect(Self.run("migrate", xml: Self.withSound).messages[0].hasPrefix("kvmpolicy: refusing to accept the incoming migration of vm: 1 policy violation (policy "))
  }

  @Test func otherOperationsExitZeroWithoutReadingAnything() {
    for (operation, subOperation) in [("started", "begin"), ("stopped", "end"), ("release", "end"), ("prepare", "end"), ("attach", "begin")] {
      var readXML = false
      var readPolicy = false
      let outcome = HookRunner.run(
        HookRequest(domain: "vm", operation: operation, subOperation: subOperation),
        xml: {
          readXML = true
          return []
        },
        loadPolicy: { _ in
          readPolicy = true
          return Self.policy("p")
        },
        today: {
          Issue.record("the clock was read")
          return .epoch
        })
      #expect(outcome == .proceed)
      #expect(!readXML && !readPolicy, "\(operation) \(subOperation)")
    }
  }

  @Test func anUnusablePolicyFailsClosedByDefaultAndOpenWhenConfigured() {
    let broken: (String) -> Result<Policy, PolicyErrors> = { path in PolicyLoader.load(text: "version: 1\ndevics: {}\n", file: path).map(\.policy) }
    let closed = Self.run("prepare", xml: Self.compliant, loader: broken)
    #expect(closed.status == 1)
    #expect(
      closed.messages == [
        "kvmpolicy: refusing to start vm: the policy cannot be used (fail-closed): /etc/kvmpolicy/policy.yaml:2:1: error: unknown key 'devics' in the policy; did you mean 'devices'?"
      ])
    let open = Self.run("prepare", xml: Self.withSound, mode: .allow, loader: broken)
    #expect(open.status == 0)
    #expect(open.messages[0].hasPrefix("kvmpolicy: warning: vm: policy not enforced: "))
  }

  @Test func malformedXMLIsRefusedAtPrepare() {
    let outcome = Self.run("prepare", xml: "<domain><name>vm</name>")
    #expect(outcome.status == 1)
    #expect(outcome.messages[0].hasPrefix("kvmpolicy: refusing to start vm: vm (hook XML):1:"))
  }

  @Test func parsesLibvirtsArgumentsAndTheHooksOptions() throws {
    let request = try HookRequest.parse(["--policy", "/p.yaml", "--on-policy-error", "allow", "vm", "prepare", "begin", "-"]).get()
    #expect(request == HookRequest(domain: "vm", operation: "prepare", subOperation: "begin", extra: "-", policyPath: "/p.yaml", onPolicyError: .allow))
    #expect(try HookRequest.parse(["vm", "stopped", "end"]).get().policyPath == "/etc/kvmpolicy/policy.yaml")
    #expect(throws: HookUsageError.self) { try HookRequest.parse(["vm"]).get() }
    #expect(throws: HookUsageError.self) { try HookRequest.parse(["--on-policy-error", "maybe", "vm", "prepare", "begin"]).get() }
  }
}

@Suite struct PolicyFileGuardTests {
  /// A fresh directory under /tmp (sticky, so acceptable as a parent) with a policy file.
  func withPolicy(fileMode: mode_t, directoryMode: mode_t, _ body: (String) throws -> Void) rethrows {
    let directory = "/tmp/kvmpolicy-guard-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    guard mkdir(directory, 0o700) == 0 else {
      Issue.record("mkdir failed")
      return
    }
    let file = directory + "/policy.yaml"
    let descriptor = open(file, O_CREAT | O_WRONLY, 0o600)
    close(descriptor)
    chmod(file, fileMode)
    chmod(directory, directoryMode)
    defer {
      unlink(file)
      rmdir(directory)
    }
    try body(file)
  }

  @Test(.requiresRoot) func acceptsARootOwnedPolicyNobodyElseCanWrite() {
    withPolicy(fileMode: 0o644, directoryMode: 0o755) { #expect(PolicyFileGuard.problem(with: $0) == nil) }
  }

  @Test(.requiresRoot) func refusesAWorldWritablePolicy() {
    withPolicy(fileMode: 0o666, directoryMode: 0o755) { path in
      #expect(PolicyFileGuard.problem(with: path) == "\(path) is writable by everyone (mode 666)")
    }
  }

  @Test(.requiresRoot) func refusesAPolicyInAGroupWritableDirectory() {
    withPolicy(fileMode: 0o644, directoryMode: 0o775) { path in
      let directory = String(path.dropLast("/policy.yaml".count))
      #expect(PolicyFileGuard.problem(with: path) == "\(directory) is writable by its group (mode 775)")
    }
  }

  @Test func refusesAPolicyOwnedBySomeoneElse() {
    withPolicy(fileMode: 0o644, directoryMode: 0o755) { path in
      #expect(PolicyFileGuard.problem(with: path, trustedOwner: 4242)?.hasSuffix("not root") == true)
    }
  }

  @Test(.requiresRoot) func theHookLoaderRefusesAnUnsafePolicy() {
    withPolicy(fileMode: 0o666, directoryMode: 0o755) { path in
      guard case .failure(let errors) = HookPolicyLoader.load(path) else {
        Issue.record("an unsafe policy was accepted")
        return
      }
      #expect(errors.diagnostics.first?.id == "unsafe-policy-file")
      #expect(errors.description.contains("refusing a policy that someone other than root could change"))
    }
  }

  @Test(.requiresRoot) func theHookLoaderReadsTheCompiledFormOnlyWhenItIsAsSafeAsThePolicy() throws {
    let yaml = "version: 1\ndescription: from the YAML\ndefaults:\n  devices: deny\n"
    try withPolicy(fileMode: 0o644, directoryMode: 0o755) { path in
      try yaml.write(toFile: path, atomically: false, encoding: .utf8)
      chmod(path, 0o644)
      defer { unlink(CompiledPolicy.path(for: path)) }
      let parsed = try PolicyLoader.load(path: path).get().policy
      // A compiled form that says something else for the same bytes shows which one was read.
      let impostor = Policy(file: path, description: "from the compiled form", base: parsed.base, overrides: [])
      let bytes = CompiledPolicy.encode(impostor, sourceHash: CompiledPolicy.hash(yaml))
      try Data(bytes).write(to: URL(fileURLWithPath: CompiledPolicy.path(for: path)))
      chmod(CompiledPolicy.path(for: path), 0o644)
      #expect(try HookPolicyLoader.load(path).get().description == "from the compiled form")
      chmod(CompiledPolicy.path(for: path), 0o666)
      #expect(try HookPolicyLoader.load(path).get().description == "from the YAML")
    }
  }
}

/// libvirt's arguments after `--` are taken by position, whatever their text.
@Suite struct HookRequestTests {
  @Test func aDomainNamedLikeAnOptionIsADomainAfterTheSeparator() throws {
    for name in ["--policy", "--on-policy-error", "--"] {
      let request = try HookRequest.parse(["--policy", "/etc/kvmpolicy/policy.yaml", "--on-policy-error", "refuse", "--", name, "reconnect", "begin", "-"]).get()
      #expect(request.domain == name)
      #expect(request.operation == "reconnect")
      #expect(request.policyPath == "/etc/kvmpolicy/policy.yaml")
    }
  }

  @Test func withoutTheSeparatorOptionsAreStillOptions() throws {
    let request = try HookRequest.parse(["--on-policy-error", "allow", "vm", "prepare", "begin", "-"]).get()
    #expect(request.onPolicyError == .allow)
    #expect(request.domain == "vm")
  }
}

/// The hook's policy file: never a hang, never a swappable link.
@Suite struct HookPolicyFileTests {
  static func scratch() throws -> String {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kvmpolicy-hookfile-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
    return directory
  }

  @Test(.requiresRoot) func aFIFOAsThePolicyFailsClosedAtOnce() throws {
    let directory = try Self.scratch()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let fifo = directory + "/policy.yaml"
    try #require(mkfifo(fifo, 0o644) == 0)
    guard case .failure(let errors) = HookPolicyLoader.load(fifo) else {
      Issue.record("a FIFO was read as a policy")
      return
    }
    #expect(errors.diagnostics.first?.description == "\(fifo): error: cannot read the policy: not a regular file (a FIFO)")
  }

  @Test(.requiresRoot) func aRootOwnedLinkIntoAUserWritableDirectoryIsUnsafe() throws {
    let directory = try Self.scratch()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let userDirectory = directory + "/user"
    try FileManager.default.createDirectory(atPath: userDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
    try "version: 1\n".write(toFile: userDirectory + "/policy.yaml", atomically: false, encoding: .utf8)
    #expect(chown(userDirectory, 65534, 65534) == 0)
    let link = directory + "/policy.yaml"
    try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: userDirectory + "/policy.yaml")
    #expect(PolicyFileGuard.problem(with: link) == "\(link) resolves to \(userDirectory)/policy.yaml, and \(userDirectory) is owned by uid 65534, not root")
  }
}

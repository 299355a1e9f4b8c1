import Policy
import Testing

/// Loads a policy that must be valid.
func load(_ text: String) throws -> (policy: Policy, warnings: [PolicyDiagnostic]) {
  try PolicyLoader.load(text: text, file: "p.yaml").get()
}

/// The `line:col id` of every diagnostic of a policy that must be invalid.
func errors(_ text: String) -> [String] {
  switch PolicyLoader.load(text: text, file: "p.yaml") {
  case .success: return []
  case .failure(let errors): return errors.diagnostics.map { "\($0.location.line):\($0.location.column) \($0.id)" }
  }
}

@Suite struct PolicySchemaTests {
  @Test func buildsTheTypedPolicy() throws {
    let (policy, warnings) = try load("""
      version: 1
      description: test policy
      defaults:
        action: warn
        devices: allow
      seclabel:
        models: apparmor
        type: any
        relabel: no
        unique: no
        action: refuse
      qemu:
        passthrough: allow
        action: detach
      devices:
        sound: deny
        emulator: allow
        disk:
          action: rewrite
          allow:
            - bus: [virtio, scsi]
              source: "/images/*"
              readonly: true
          deny:
            - bus: ide
              set: {bus: virtio}
              why: legacy
        hostdev:
          allow:
            - vendor: 0x10DE
              product: [~, 0x1B80]
      overrides:
        - name: lab
          match: {name: ["lab-*", lab], uuid: 6F50BC6F-293B-4FAC-9D57-23A266112312, tag: [a, b]}
          defaults: {action: refuse}
      """)
    #expect(warnings.isEmpty)
    #expect(policy.description == "test policy")
    #expect(policy.base.defaultAction == .warn)
    #expect(policy.base.unlistedClassesAllowed == true)
    let seclabel = try #require(policy.base.seclabel)
    #expect(seclabel.models == ["apparmor"])
    #expect(seclabel.type == nil)
    #expect(!seclabel.relabel && !seclabel.unique)
    #expect(seclabel.action == .refuse)
    #expect(policy.base.passthrough?.allowed == true)
    #expect(policy.base.passthrough?.action == .detach)
    #expect(policy.base.classes["sound"]?.allowsAll == false && policy.base.classes["sound"]?.allow.isEmpty == true)
    #expect(policy.base.classes["emulator"]?.allowsAll == true)
    let disk = try #require(policy.base.classes["disk"])
    #expect(disk.action == .rewrite)
    #expect(disk.allow[0].conditions.map { "\($0.attribute)=\($0.matcher)" } == ["bus=[virtio, scsi]", "source=/images/*", "readonly=yes"])
    #expect(disk.allow[0].reference.path == "devices.disk.allow[0]")
    #expect(disk.allow[0].reference.location == SourceLocation(file: "p.yaml", line: 21, column: 9))
    #expect(disk.deny[0].set == [Assignment(attribute: "bus", value: "virtio")])
    #expect(disk.deny[0].why == "legacy")
    let hostdev = try #require(policy.base.classes["hostdev"])
    #expect(hostdev.allow[0].conditions.map { "\($0.attribute)=\($0.matcher)" } == ["vendor=10de", "product=[~, 1b80]"])
    let override = try #require(policy.overrides.first)
    #expect(override.name == "lab")
    #expect(override.selector.names.map(\.pattern) == ["lab-*", "lab"])
    #expect(override.selector.uuids == ["6f50bc6f-293b-4fac-9d57-23a266112312"])
    #expect(override.selector.tags == ["a", "b"])
    #expect(override.ruleset.defaultAction == .refuse)
  }

  @Test func theShippedPoliciesAreValid() throws {
    for name in ["baseline", "desktop", "gpu-host"] {
      let path = #filePath.split(separator: "/").dropLast(3).joined(separator: "/")
      let result = PolicyLoader.load(path: "/\(path)/policies/\(name).yaml")
      let loaded = try result.get()
      #expect(loaded.warnings.isEmpty, "\(name)")
      #expect(loaded.policy.base.seclabel?.models == ["selinux", "apparmor"], "\(name)")
      #expect(loaded.policy.base.unlistedClassesAllowed == false, "\(name)")
    }
  }

  @Test func aClassKvmpolicyDoesNotKnowIsAWarningUnlessItLooksLikeATypo() throws {
    let (_, warnings) = try load("version: 1\ndevices:\n  pstore: allow\n")
    #expect(warnings.map(\.id) == ["unknown-device-class"])
    #expect(warnings.first?.severity == .warning)
    #expect(errors("version: 1\ndevices:\n  sond: allow\n") == ["3:3 unknown-device-class"])
  }

  @Test func collectsEverySchemaErrorInOnePass() {
    #expect(
      errors("""
        version: 2
        defaults:
          action: block
          devices: maybe
        devices:
          disk:
            allow:
              - buss: virtio
              - action: warn
          input:
            deny:
              - bus: usb
                set: {bus: virtio}
        seclabel:
          models: [dac]
          unique: perhaps
        overrides:
          - name: x
            match: {uuid: not-a-uuid, name: "[a"}
        extra: 1
        """) == [
          "1:10 unsupported-version", "3:11 invalid-value", "4:12 invalid-value", "8:9 unknown-attribute",
          "9:9 empty-rule", "13:14 set-without-rewrite", "15:12 invalid-value", "16:11 wrong-type", "19:19 invalid-uuid",
          "19:37 invalid-glob", "20:1 unknown-key",
        ])
  }

  @Test func theRootMustBeAMappingWithAVersion() {
    #expect(errors("- a\n- b\n") == ["1:1 not-a-mapping"])
    #expect(errors("devices: {}\n") == ["1:1 missing-version"])
  }

  @Test func setNeedsAWritableAttribute() {
    #expect(errors("version: 1\ndevices:\n  disk:\n    deny:\n      - bus: ide\n        action: rewrite\n        set: {readonly: yes}\n") == ["7:15 set-not-writable"])
    #expect(errors("version: 1\ndevices:\n  disk:\n    deny:\n      - bus: ide\n        action: rewrite\n        set: {target/@bus: virtio}\n") == [])
  }

  @Test func unknownKeysSuggestTheClosestOrListTheValidOnes() {
    let result = PolicyLoader.load(text: "version: 1\nseclabel:\n  modles: [selinux]\n  frobnicate: 1\n", file: "p.yaml")
    guard case .failure(let failure) = result else {
      Issue.record("expected errors")
      return
    }
    #expect(failure.diagnostics.map(\.message) == [
      "unknown key 'modles' in 'seclabel'; did you mean 'models'?",
      "unknown key 'frobnicate' in 'seclabel'; expected one of: models, type, relabel, unique, action",
    ])
  }

  @Test func unreadableFilesAreErrorsNamingTheFile() {
    guard case .failure(let failure) = PolicyLoader.load(path: "/nonexistent/p.yaml") else {
      Issue.record("expected an error")
      return
    }
    #expect(failure.description == "/nonexistent/p.yaml: error: cannot read the policy: No such file or directory")
  }

  @Test func globsMatchLikeAShell() throws {
    let cases: [(String, String, Bool)] = [
      ("/var/lib/libvirt/images/*", "/var/lib/libvirt/images/a/b.qcow2", false), ("/var/lib/libvirt/images/**", "/var/lib/libvirt/images/a/b.qcow2", true),
      ("*.qcow2", "x.qcow2", true), ("*.qcow2", "x.raw", false), ("gpu-??", "gpu-01", true), ("gpu-??", "gpu-1", false),
      ("[a-c]x", "bx", true), ("[!a-c]x", "bx", false), ("\\*", "*", true), ("\\*", "a", false), ("a*b*c", "aXbYbZc", true),
      ("a*b*c", "aXbY", false), ("", "", true), ("*", "", true),
    ]
    for (pattern, text, expected) in cases {
      #expect(try Glob(pattern).matches(text) == expected, "\(pattern) ~ \(text)")
    }
    #expect(throws: GlobError.self) { try Glob("[abc") }
    #expect(throws: GlobError.self) { try Glob("abc\\") }
  }
}

/// `defaults.detach-timeout`: what watch does about a device a guest never releases.
@Suite struct DetachTimeoutPolicyTests {
  @Test func itIsReadInheritedByOverridesAndCompiled() throws {
    let text = """
      version: 1
      defaults:
        detach-timeout: shutdown
      overrides:
        - name: lab
          match: {name: "lab-*"}
          defaults:
            detach-timeout: report
      """
    let policy = try PolicyLoader.load(text: text, file: "p.yaml").get().policy
    #expect(policy.base.detachTimeout == .shutdown)
    #expect(policy.ruleset(forName: "lab-1", uuid: nil, tags: []).0.detachTimeout == .report)
    #expect(policy.ruleset(forName: "web-1", uuid: nil, tags: []).0.detachTimeout == .shutdown)
    let hash = CompiledPolicy.hash(text)
    #expect(CompiledPolicy.decode(CompiledPolicy.encode(policy, sourceHash: hash), sourceHash: hash) == policy)
  }

  @Test func anUnknownValueIsAnErrorAtItsPosition() {
    let result = PolicyLoader.load(text: "version: 1\ndefaults:\n  detach-timeout: reboot\n", file: "p.yaml")
    guard case .failure(let errors) = result else {
      Issue.record("an unknown detach-timeout was accepted")
      return
    }
    #expect(errors.diagnostics.first?.location.line == 3)
    #expect(errors.diagnostics.first?.message.contains("reboot") == true)
  }
}

/// The `boot` section: accepted paths per `<os>` element.
@Suite struct BootPolicyTests {
  @Test func itIsReadAndCompiled() throws {
    let text = """
      version: 1
      boot:
        kernel: "/var/lib/libvirt/boot/*"
        loader: [/usr/share/OVMF/OVMF_CODE.fd, "/usr/share/qemu/*.fd"]
        action: warn
      """
    let policy = try PolicyLoader.load(text: text, file: "p.yaml").get().policy
    #expect(policy.base.boot?.accepted.map(\.attribute) == ["kernel", "loader"])
    #expect(policy.base.boot?.action == .warn)
    let hash = CompiledPolicy.hash(text)
    #expect(CompiledPolicy.decode(CompiledPolicy.encode(policy, sourceHash: hash), sourceHash: hash) == policy)
  }

  @Test func aMisspeltElementIsAnErrorWithASuggestion() {
    #expect(errors("version: 1\nboot:\n  kernal: /boot/vmlinuz\n") == ["3:3 unknown-key"])
    let result = PolicyLoader.load(text: "version: 1\nboot:\n  kernal: /boot/vmlinuz\n", file: "p.yaml")
    if case .failure(let failure) = result {
      #expect(failure.diagnostics.first?.message.contains("kernel") == true)
    } else {
      Issue.record("a misspelt boot key was accepted")
    }
  }
}

/// A policy full of mistakes is reported by its first errors, and checking stops there.
@Suite struct ErrorLimitTests {
  @Test func twoHundredThousandErrorsAreReportedAsTheFirstHundredAndANote() {
    var text = "version: 1\ndevices:\n"
    for index in 0..<200_000 { text += "  sound\(index): maybe\n" }
    guard case .failure(let errors) = PolicyLoader.load(text: text, file: "p.yaml") else {
      Issue.record("a policy of unknown classes loaded")
      return
    }
    #expect(errors.diagnostics.count == PolicyLoader.errorLimit + 1)
    #expect(errors.diagnostics.last?.id == "too-many-errors")
    #expect(errors.diagnostics.last?.message == "too many errors: stopped after the first 100; fix these and check again")
    #expect(errors.diagnostics.first?.location.line == 3)
  }
}

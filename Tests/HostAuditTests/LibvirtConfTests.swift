import HostAudit
import Testing

/// qemu.conf read the way libvirt's virConfParse reads it.
@Suite struct LibvirtConfTests {
  @Test func statementsCommentsListsAndQuotes() throws {
    let conf = try LibvirtConf(
      parsing: """
        # Master configuration file for the QEMU driver.
        user = "libvirt-qemu"   # a comment after a value
        group = 'kvm'; seccomp_sandbox = -1
        cgroup_device_acl = [
            "/dev/null", "/dev/full",
            "/dev/kvm",
        ]
        namespaces = []
        remember_owner = +1
        note = \"\"\"two
        lines\"\"\"
        user = "root"
        """)
    #expect(conf["user"] == .string("libvirt-qemu"), "the first statement of a name is the one libvirt uses")
    #expect(conf["group"] == .string("kvm"))
    #expect(conf["seccomp_sandbox"] == .number(-1))
    #expect(conf["cgroup_device_acl"]?.strings == ["/dev/null", "/dev/full", "/dev/kvm"])
    #expect(conf["namespaces"] == .list([]))
    #expect(conf["remember_owner"] == .number(1))
    #expect(conf["note"] == .string("two\nlines"))
    #expect(conf["dynamic_ownership"] == nil)
    #expect(conf.entry("cgroup_device_acl")?.line == 4)
    #expect(conf.entry("namespaces")?.line == 8)
    #expect(conf["cgroup_device_acl"]?.description == "[ \"/dev/null\", \"/dev/full\", \"/dev/kvm\" ]")
    #expect(conf["user"]?.strings == nil, "a lone string is not a list")
  }

  @Test(arguments: [
    ("cgroup_device_acl = [\n  \"/dev/null\", # not here\n  \"/dev/kvm\"\n]\n", 2, "expecting a value"),
    ("user = \"root\n", 1, "unterminated string"),
    ("\n\nuser \"root\"\n", 3, "expecting an assignment"),
    ("a = 1 b = 2\n", 1, "expecting a separator"),
    ("namespaces = [ \"mount\" \"ipc\" ]\n", 1, "expecting a separator in list"),
    ("namespaces = [ \"mount\"\n", 2, "list is not closed with ]"),
    ("seccomp_sandbox = -\n", 1, "unterminated number"),
    ("seccomp_sandbox = on\n", 1, "expecting a value"),
    ("_x = 1\n", 1, "expecting a name"),
  ])
  func whatLibvirtRejectsIsASyntaxErrorWithItsLine(text: String, line: Int, message: String) {
    #expect(throws: LibvirtConf.SyntaxError(line: line, message: message)) { try LibvirtConf(parsing: text) }
  }

  @Test func readingTellsAbsentFromInvalid() throws {
    let host = try FakeHost()
    #expect(LibvirtConf.read(LibvirtConf.qemuConf, files: host.files) == .absent)
    #expect(LibvirtConf.read(LibvirtConf.qemuConf, files: host.files).conf?.entries == [])
    try host.write(LibvirtConf.qemuConf, "user = root\n")
    #expect(LibvirtConf.read(LibvirtConf.qemuConf, files: host.files) == .invalid(LibvirtConf.SyntaxError(line: 1, message: "expecting a value")))
    #expect(LibvirtConf.read(LibvirtConf.qemuConf, files: host.files).conf == nil)
  }
}

import Policy
import Testing

/// Names are compared as libvirt compares them: exact scalars, not Unicode equivalence.
@Suite struct GlobTests {
  @Test func canonicallyEquivalentSpellingsAreDifferentNames() throws {
    let composed = "m\u{00FC}ller-*"  // ü as one scalar (NFC)
    let decomposed = "mu\u{0308}ller-01"  // u + combining diaeresis (NFD)
    #expect(try Glob(composed).matches("m\u{00FC}ller-01"))
    #expect(!(try Glob(composed).matches(decomposed)))
    #expect(try Glob("mu\u{0308}ller-??").matches(decomposed))
  }
}

/// `*` stays within one path component; `**` crosses `/`.
@Suite struct GlobPathTests {
  @Test(arguments: [
    ("/var/lib/libvirt/images/*", "/var/lib/libvirt/images/vm.qcow2", true),
    ("/var/lib/libvirt/images/*", "/var/lib/libvirt/images/sub/vm.qcow2", false),
    ("/var/lib/libvirt/images/**", "/var/lib/libvirt/images/sub/vm.qcow2", true),
    ("/run/**", "/run/libvirt/qemu/vnc.sock", true),
    ("/run/*", "/run/libvirt/qemu/vnc.sock", false),
    ("*", "", true), ("*", "web-01", true), ("*", "a/b", false), ("**", "a/b", true),
    ("a*b*c", "aXbYc", true), ("a*b*c", "abc", true), ("a*b*c", "aXb/c", false), ("a**c", "aXb/c", true),
    ("**/x.sock", "/run/libvirt/x.sock", true), ("*/x.sock", "/run/libvirt/x.sock", false),
    ("web-*", "web-01", true), ("web-*", "db-01", false), ("web-?[0-9]", "web-01", true),
    ("*.qcow2", "vm.qcow2", true), ("*.qcow2", "vm.raw", false), ("***", "a/b/c", true),
  ])
  func starStaysInAComponent(pattern: String, text: String, matches: Bool) throws {
    #expect(try Glob(pattern).matches(text) == matches, "\(pattern) on \(text)")
  }
}

/// Exact values are compared as bytes too.
@Suite struct ExactValueTests {
  @Test func anNFDSpellingIsNotTheNFCValue() {
    let matcher = ValueMatcher([.exact("m\u{00FC}ller")])
    #expect(matcher.matches(["m\u{00FC}ller"]))
    #expect(!matcher.matches(["mu\u{0308}ller"]))
  }
}

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

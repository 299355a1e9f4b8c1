import Testing

@testable import ELF

/// Symbol and section names are searched as bytes, as checksec's grep does.
@Suite struct ByteStringTests {
  @Test func containsBytesFindsByteRuns() {
    #expect("__stack_chk_fail@GLIBC_2.4".containsBytes("__stack_chk_fail"))
    #expect("x__intel_security_cookie".containsBytes("__intel_security_cookie"))
    #expect(".symtab".containsBytes(".symtab"))
    #expect(!"__stack_chk".containsBytes("__stack_chk_fail"))
    #expect(!"".containsBytes("a"))
    #expect("abc".containsBytes(""))
    #expect("aab".containsBytes("ab"))
  }

  @Test func replacingBytesReplacesEveryRun() {
    #expect("memcpy_chk".replacingBytes("_chk", with: "") == "memcpy")
    #expect("a_chk_chkb_chk".replacingBytes("_chk", with: "") == "ab")
    #expect("chk".replacingBytes("_chk", with: "") == "chk")
    #expect("".replacingBytes("_chk", with: "") == "")
  }
}

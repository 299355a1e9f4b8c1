import ArgumentParser

#if canImport(Glibc)
  import Glibc
#endif

// argument-parser exits 64 (EX_USAGE) on a usage error; kvmpolicy promises 2 for any bad input.
do {
  var command = try KVMPolicy.parseAsRoot()
  try command.run()
} catch {
  let code = KVMPolicy.exitCode(for: error)
  if code == .validationFailure {
    StandardError.print(KVMPolicy.fullMessage(for: error))
    exit(ExitStatus.badInput)
  }
  KVMPolicy.exit(withError: error)
}

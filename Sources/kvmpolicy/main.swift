import ArgumentParser

#if canImport(Glibc)
  import Glibc
#endif

// argument-parser exits 64 (EX_USAGE) on a usage error; kvmpolicy promises 2 for any bad input.
do {
  let (arguments, files) = XMLArguments.lift(Array(CommandLine.arguments.dropFirst()))
  var command = try KVMPolicy.parseAsRoot(arguments)
  if let files, var sourced = command as? any SourcedCommand {
    sourced.sources.xml = files
    try sourced.sources.validate()
    try sourced.validate()
    command = sourced
  }
  try command.run()
} catch {
  let code = KVMPolicy.exitCode(for: error)
  if code == .validationFailure {
    StandardError.print(KVMPolicy.fullMessage(for: error))
    exit(ExitStatus.badInput)
  }
  KVMPolicy.exit(withError: error)
}

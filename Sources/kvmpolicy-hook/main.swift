// kvmpolicy-hook: libvirt's QEMU hook, installed in /etc/libvirt/hooks/qemu.d/ by
// `kvmpolicy install-hook`. Kept apart from the `kvmpolicy` CLI so that it links neither
// libvirt nor Foundation: it sits on every VM start.
import Hook
import Policy

#if canImport(Glibc)
  import Glibc
#endif

/// Reads all of standard input.
func readStandardInput() -> [UInt8] {
  var bytes: [UInt8] = []
  var buffer = [UInt8](repeating: 0, count: 65536)
  while true {
    let count = buffer.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
    if count < 0 && errno == EINTR { continue }
    if count <= 0 { break }
    bytes += buffer[0..<count]
  }
  return bytes
}

/// Writes text to a file descriptor.
func write(_ text: String, to descriptor: Int32) {
  var text = text
  text.withUTF8 { buffer in
    var offset = 0
    while offset < buffer.count {
      guard let base = buffer.baseAddress else { return }
      let written = Glibc.write(descriptor, base + offset, buffer.count - offset)
      if written < 0 && errno == EINTR { continue }
      if written <= 0 { return }
      offset += written
    }
  }
}

let outcome: HookOutcome
switch HookRequest.parse(Array(CommandLine.arguments.dropFirst())) {
case .failure(let error):
  write("kvmpolicy-hook: \(error.message)\n", to: 2)
  exit(2)
case .success(let request):
  var input: [UInt8]?
  let stdin = { () -> [UInt8] in
    if let input { return input }
    let bytes = readStandardInput()
    input = bytes
    return bytes
  }
  outcome = HookRunner.run(request, xml: stdin, loadPolicy: HookPolicyLoader.load)
  // Drain what libvirt wrote, so it never sees a broken pipe.
  _ = stdin()
}
for line in outcome.messages { write(line + "\n", to: 2) }
if !outcome.output.isEmpty { write(outcome.output, to: 1) }
exit(outcome.status)

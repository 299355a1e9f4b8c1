// kvmpolicy-hook: libvirt's QEMU hook, installed in /etc/libvirt/hooks/qemu.d/ by
// `kvmpolicy install-hook`. Kept apart from the `kvmpolicy` CLI so that it links neither
// libvirt nor Foundation: it sits on every VM start.
import Hook
import Policy

#if canImport(Glibc)
  import Glibc
#endif

/// Reads all of standard input, straight into the array's spare capacity: no zeroed buffer
/// whose pages the kernel would fault in for nothing (a domain XML is a few kilobytes).
func readStandardInput() -> [UInt8] {
  var bytes: [UInt8] = []
  var capacity = 16384
  while true {
    if bytes.count == capacity { capacity *= 2 }
    let start = bytes.count
    var got = 0
    var chunk = [UInt8](unsafeUninitializedCapacity: capacity - start) { buffer, initialized in
      got = read(0, buffer.baseAddress, buffer.count)
      initialized = max(got, 0)
    }
    if got < 0 && errno == EINTR { continue }
    if got <= 0 { break }
    if bytes.isEmpty {
      swap(&bytes, &chunk)
    } else {
      bytes += chunk
    }
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
  outcome = HookRunner.run(request, xml: stdin, loadPolicy: HookPolicyLoader.load, today: PolicyDate.today)
  // Drain what libvirt wrote, so it never sees a broken pipe.
  _ = stdin()
}
for line in outcome.messages { write(line + "\n", to: 2) }
if !outcome.output.isEmpty { write(outcome.output, to: 1) }
exit(outcome.status)

// kvmpolicy-hook: libvirt's QEMU hook, installed in /etc/libvirt/hooks/qemu.d/ by
// `kvmpolicy install-hook`. Kept apart from the `kvmpolicy` CLI so that it links neither
// libvirt nor Foundation: it sits on every VM start.
import Hook
import Policy
import SystemIO

#if canImport(Glibc)
  import Glibc
#endif

let outcome: HookOutcome
switch HookRequest.parse(Array(CommandLine.arguments.dropFirst())) {
case .failure(let error):
  FileDescriptorIO.write("kvmpolicy-hook: \(error.message)\n", to: 2)
  exit(2)
case .success(let request):
  var input: [UInt8]?
  let stdin = { () -> [UInt8] in
    if let input { return input }
    // A read error leaves no XML, which the hook refuses: it never judges half a document.
    let bytes = (try? FileDescriptorIO.readAll(0, name: "<stdin>").get()) ?? []
    input = bytes
    return bytes
  }
  outcome = HookRunner.run(request, xml: stdin, loadPolicy: HookPolicyLoader.load, today: PolicyDate.today)
  // Drain what libvirt wrote, so it never sees a broken pipe.
  _ = stdin()
}
for line in outcome.messages { FileDescriptorIO.write(line + "\n", to: 2) }
if !outcome.output.isEmpty { FileDescriptorIO.write(outcome.output, to: 1) }
exit(outcome.status)

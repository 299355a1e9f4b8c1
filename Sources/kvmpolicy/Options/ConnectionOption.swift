import ArgumentParser
import Enforcement
import Policy

/// `-c/--connect URI` for commands that talk to one libvirt.
struct ConnectionOption: ParsableArguments {
  @Option(
    name: [.customShort("c"), .customLong("connect")],
    help: ArgumentHelp("The libvirt URI, e.g. qemu:///system (default: libvirt's default, as virsh).", valueName: "uri"))
  var connect: String?
}

#!/usr/bin/env python3
"""BASELINE for scripts/bench, not part of kvmpolicy: the hook an operator would write by hand.

Reads the domain XML on stdin with lxml, judges every <devices> child against a small allowlist
(the same classes and attributes as policies/baseline.yaml's main rules), and exits 1 with one
line per violation, like a libvirt prepare-begin hook.
"""
import sys
from lxml import etree

ALLOWED = {
    "emulator": None,
    "disk": lambda d: d.get("device", "disk") in ("disk", "cdrom") and (d.find("target") is not None and d.find("target").get("bus") in ("virtio", "scsi", "sata")),
    "controller": lambda d: d.get("type") in ("pci", "virtio-serial", "scsi", "sata", "ide", "usb"),
    "interface": lambda d: d.find("model") is not None and d.find("model").get("type") == "virtio",
    "input": lambda d: d.get("bus") in ("virtio", "ps2"),
    "graphics": lambda d: all(a in ("127.0.0.1", "::1") for a in [d.get("listen")] + [l.get("address") for l in d.findall("listen")] if a),
    "video": lambda d: d.find("model") is not None and d.find("model").get("type") in ("virtio", "none", "vga", "bochs"),
    "serial": None, "console": None, "channel": None, "memballoon": None, "rng": None, "tpm": None,
    "panic": None, "vsock": None, "audio": None,
}

def judge(root):
    """The device classes of a <domain> element that the allowlist refuses."""
    problems = []
    devices = root.find("devices")
    for device in (devices if devices is not None else []):
        if not isinstance(device.tag, str):
            continue
        rule = ALLOWED.get(device.tag, False)
        if rule is False or (rule is not None and not rule(device)):
            problems.append(device.tag)
    return problems

def main():
    if len(sys.argv) < 4 or sys.argv[2] != "prepare" or sys.argv[3] != "begin":
        return 0
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    problems = [f"python-hook: {tag} is not allowed" for tag in judge(etree.fromstring(sys.stdin.buffer.read(), parser))]
    for line in problems:
        print(line, file=sys.stderr)
    return 1 if problems else 0

if __name__ == "__main__":
    sys.exit(main())

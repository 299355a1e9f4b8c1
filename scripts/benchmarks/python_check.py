#!/usr/bin/env python3
"""BASELINE for scripts/bench, not part of kvmpolicy: an offline check written with lxml.

Judges every domain XML file given on the command line with python_hook.py's allowlist and
prints one JSON line per domain, the way an operator's script would.
"""
import json
import sys
from lxml import etree
from python_hook import judge

def main():
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    bad = 0
    for path in sys.argv[1:]:
        root = etree.parse(path, parser).getroot()
        problems = judge(root)
        bad += bool(problems)
        print(json.dumps({"domain": root.findtext("name"), "violations": problems}))
    return 1 if bad else 0

if __name__ == "__main__":
    sys.exit(main())

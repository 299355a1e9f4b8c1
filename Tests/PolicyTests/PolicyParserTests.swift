import Policy
import Testing

/// Renders a node tree compactly: `{key: value}` mappings, `[a, b]` lists, `'text'` scalars with
/// their line:column, so a test states the whole parse in one string.
func render(_ node: PolicyNode?) -> String {
  guard let node else { return "nil" }
  switch node.kind {
  case .scalar(let text, let style):
    let quote = style == .plain ? "" : (style == .singleQuoted ? "'" : "\"")
    return "\(quote)\(text)\(quote)@\(node.location.line):\(node.location.column)"
  case .sequence(let items):
    return "[" + items.map(render).joined(separator: ", ") + "]"
  case .mapping(let entries):
    return "{" + entries.map { "\($0.key): \(render($0.value))" }.joined(separator: ", ") + "}"
  }
}

/// Parses `text` and returns the dump and the diagnostics as `line:col id`.
func parse(_ text: String) -> (tree: String, errors: [String]) {
  let result = PolicyParser.parse(text, file: "p.yaml")
  return (render(result.root), result.diagnostics.map { "\($0.location.line):\($0.location.column) \($0.id)" })
}

@Suite struct PolicyParserTests {
  @Test func blockMappingsAndSequences() {
    let result = parse("""
      version: 1
      devices:
        disk:
          allow:
            - bus: virtio
              device: disk
            - bus: [scsi, sata]
        sound: deny
      """)
    #expect(result.errors == [])
    #expect(
      result.tree
        == "{version: 1@1:10, devices: {disk: {allow: [{bus: virtio@5:14, device: disk@6:17}, {bus: [scsi@7:15, sata@7:21]}]}, sound: deny@8:10}}"
    )
  }

  @Test func sequenceAtTheKeysIndentation() {
    let result = parse("models:\n- selinux\n- apparmor\nunique: yes\n")
    #expect(result.errors == [])
    #expect(result.tree == "{models: [selinux@2:3, apparmor@3:3], unique: yes@4:9}")
  }

  @Test func flowCollectionsMayNestAndSpanLines() {
    let result = parse("a: {x: [1, 2], y: {z: w}}\nb: [\n  one,\n  'two',\n]\nc: []\nd: {}\n")
    #expect(result.errors == [])
    #expect(result.tree == "{a: {x: [1@1:9, 2@1:12], y: {z: w@1:23}}, b: [one@3:3, 'two'@4:3], c: [], d: {}}")
  }

  @Test func quotedScalarsAndEscapes() {
    let result = parse(#"""
      a: 'it''s # not a comment'
      b: "tab\there \u00e9 \x41 \"q\""
      c: plain with spaces   # a comment
      "quoted key": 1
      """#)
    #expect(result.errors == [])
    #expect(result.tree == "{a: 'it's # not a comment'@1:4, b: \"tab\there é A \"q\"\"@2:4, c: plain with spaces@3:4, quoted key: 1@4:15}")
  }

  @Test func commentsBlankLinesAndDocumentMarkers() {
    let result = parse("# header\n---\n\nkey: value # trailing\n  # indented comment\nother: x#not-comment\n...\nignored: after end\n")
    #expect(result.errors == [])
    #expect(result.tree == "{key: value@4:6, other: x#not-comment@6:8}")
  }

  @Test func emptyValuesAreNull() {
    let result = parse("a:\nb: ~\nc:\n  - \n")
    #expect(result.errors == [])
    #expect(result.tree == "{a: @1:3, b: ~@2:4, c: [@4:4]}")
  }

  @Test func listItemsMayHoldListsAndMappings() {
    let result = parse("- - a\n  - b\n- k: v\n  k2: v2\n-\n  nested: yes\n")
    #expect(result.errors == [])
    #expect(result.tree == "[[a@1:5, b@2:5], {k: v@3:6, k2: v2@4:7}, {nested: yes@6:11}]")
  }

  @Test func windowsLineEndingsAndByteOrderMark() {
    let result = parse("\u{FEFF}a: 1\r\nb: 2\r\n")
    #expect(result.errors == [])
    #expect(result.tree == "{a: 1@1:4, b: 2@2:4}")
  }

  @Test(arguments: [
    ("a: 1\n\tb: 2\n", "2:1 tab-indentation"),
    ("a: 1\na: 2\n", "2:1 duplicate-key"),
    ("a: {x: 1, x: 2}\n", "1:11 duplicate-key"),
    ("a: 'open\n", "1:4 unterminated-string"),
    ("a: \"bad \\q\"\n", "1:9 invalid-escape"),
    ("a: 'x' y\n", "1:8 trailing-content"),
    ("a: &anchor 1\n", "1:4 unsupported-anchor"),
    ("a: *alias\n", "1:4 unsupported-alias"),
    ("a: !!str 1\n", "1:4 unsupported-tag"),
    ("a: |\n  text\n", "1:4 unsupported-block-scalar"),
    ("%YAML 1.2\na: 1\n", "1:1 unsupported-directive"),
    ("a: 1\n---\nb: 2\n", "2:1 multiple-documents"),
    ("? complex\n", "1:1 unsupported-complex-key"),
    ("a: b: c\n", "1:5 nested-mapping-value"),
    ("a: [1, 2\n", "1:4 unclosed-flow"),
    ("a: ['x' 2]\n", "1:9 expected-flow-separator"),
    ("a: {x 1}\n", "1:8 expected-flow-colon"),
    ("a: [1,, 2]\n", "1:7 unexpected-flow-character"),
    ("a: 1\n   b: 2\n", "2:4 unexpected-indentation"),
    ("a:\n  b: 1\n c: 2\n", "3:2 unaligned-indentation"),
    ("a: 1\n- b\n", "2:1 unexpected-list-item"),
    ("- a\nb\n", "2:1 expected-list-item"),
    ("a: 1\njust text\n", "2:1 expected-key"),
    ("\n# only a comment\n", "1:1 empty-policy"),
    ("'': 1\n", "1:1 empty-key"),
  ])
  func rejectsWithPosition(text: String, expected: String) {
    #expect(parse(text).errors.first == expected)
  }

  @Test func reportsSeveralErrorsInOnePass() {
    let result = parse("a: 1\na: 2\n\tb: 3\nc: *x\nd: [1\n")
    #expect(result.errors == ["2:1 duplicate-key", "3:1 tab-indentation", "4:4 unsupported-alias", "5:4 unclosed-flow"])
  }

  @Test func duplicateKeysAreFoundInLargeMappingsToo() {
    // Small mappings are scanned, large ones indexed: both must name the first occurrence.
    let keys = (1...40).map { "k\($0): \($0)" }
    for duplicate in [3, 16, 17, 18, 39] {
      let text = (keys + ["k\(duplicate): again"]).joined(separator: "\n") + "\n"
      let diagnostics = PolicyParser.parse(text, file: "p.yaml").diagnostics
      #expect(diagnostics.map(\.message) == [PolicyMessage.duplicateKey("k\(duplicate)", firstLine: duplicate).text], "k\(duplicate)")
      #expect(diagnostics.first?.location.line == 41)
    }
    let twice = (keys[0..<20] + ["k5: x", "k21: y", "k5: z", "k21: w"]).joined(separator: "\n") + "\n"
    #expect(PolicyParser.parse(twice, file: "p.yaml").diagnostics.map(\.message) == [
      PolicyMessage.duplicateKey("k5", firstLine: 5).text, PolicyMessage.duplicateKey("k5", firstLine: 5).text,
      PolicyMessage.duplicateKey("k21", firstLine: 22).text,
    ])
    #expect(PolicyParser.parse(keys.joined(separator: "\n") + "\n", file: "p.yaml").diagnostics.isEmpty)
  }

  @Test func aGlobStartingWithAStarMustBeQuoted() {
    #expect(parse("source: '*.qcow2'\n").errors == [])
    #expect(parse("source: /images/*.qcow2\n").errors == [])
  }

  @Test func formatterShowsTheLineAndACaretUnderTheProblem() {
    let text = "version: 1\ndevices:\n  sound: deny\n  sound: allow\n"
    let diagnostics = PolicyParser.parse(text, file: "p.yaml").diagnostics
    #expect(
      DiagnosticFormatter().format(diagnostics, source: text) == """
        p.yaml:4:3: error: duplicate key 'sound' (first given on line 3)
          sound: allow
          ^~~~~

        """)
  }
}

@Suite struct PolicyRobustnessTests {
  @Test func deepNestingIsRefusedNotRecursedInto() {
    let flow = "description: " + String(repeating: "[", count: 5000) + "\n"
    #expect(parse(flow).errors.contains("1:\(13 + PolicyParser.maximumDepth) too-deep"))
    let staircase = (0..<3000).map { String(repeating: " ", count: $0) + "k\($0):" }.joined(separator: "\n") + "\n"
    #expect(parse(staircase).errors.contains { $0.hasSuffix("too-deep") })
  }

  @Test func aQuoteInsideAPlainValueIsText() {
    #expect(parse("description: rock 'n roll # a comment\n").tree == "{description: rock 'n roll@1:14}")
  }

  @Test func setMayTakeRewriteFromDefaults() {
    let text = "version: 1\ndevices:\n  interface:\n    deny:\n      - model: e1000\n        set: {model: virtio}\ndefaults:\n  action: rewrite\n"
    #expect(errors(text) == [])
    #expect(errors(text.replacingOccurrences(of: "action: rewrite", with: "action: refuse")) == ["6:14 set-without-rewrite"])
  }

  @Test func theFormatterShowsLinesOfWindowsFiles() {
    let text = "version: 2\r\ndevices:\r\n  sond: deny\r\n"
    let result = PolicyLoader.load(text: text, file: "w.yaml")
    guard case .failure(let failure) = result else {
      Issue.record("expected errors")
      return
    }
    #expect(DiagnosticFormatter().format(failure.diagnostics, source: text).contains("  sond: deny\n  ^~~~\n"))
  }
}

/// Columns count Unicode scalars, as the caret renderer does, combining marks included.
@Suite struct ColumnUnitTests {
  @Test func aCombiningMarkCountsAsAColumn() {
    // "e" + U+0301 is one Character but two scalars: the unclosed "{" is column 6, not 5.
    let result = PolicyLoader.load(text: "version: 1\ne\u{301}x: {a\n", file: "p.yaml")
    guard case .failure(let errors) = result else {
      Issue.record("an unclosed flow mapping loaded")
      return
    }
    let location = errors.diagnostics.first { $0.id == "unclosed-flow" }?.location
    #expect(location?.line == 2)
    #expect(location?.column == 6)
  }
}

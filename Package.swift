// swift-tools-version:6.0
// kvmpolicy: make a KVM host obey a written hardening policy.
//
// Data flows one way: libvirt / XML in -> typed domain model -> policy evaluation -> findings
// -> report or enforcement action. One module per stage; each imports only stages before it
// (every import is declared below). The graph, read from the targets (A <- B: B imports A):
//
//   in         CLibvirt <- Libvirt            C wrapper: connections, domains, events, labels
//              CLibXML2 <- DomainModel        typed Domain, RunState, ProcessLabel; minimal edits
//              Libvirt, DomainModel <- Inventory          collect domains (libvirt or files)
//              Inventory <- QEMUProbe         run QEMU: device models per module, machine trees
//   model      DomainModel <- Policy          in-house lexer, parser, schema, compiled form
//   judge      Policy <- Engine               pure: (Domain, Policy) -> findings, typed remedies
//              Engine <- Hook                 pure pre-start decisions (kvmpolicy-hook: no
//                                             libvirt, no Foundation)
//              Engine, Inventory <- Checking  pure: sources -> CheckReport
//              Engine <- PolicyTesting        `policy test` files judged by the engine
//              QEMUProbe <- QEMUSurface       pure: layers, module exclusion, devices file
//              Inventory, KernelModules, ELF, HookInstallation <- HostAudit
//                                             host checks on files and collected facts
//   act        Engine, Libvirt, HostAudit <- Enforcement   plan and apply; watch; hook probe
//              Hook, ELF <- HookInstallation  install the hook, refuse non-self-contained ones
//   present    Checking, HostAudit, Enforcement, PolicyTesting, QEMUSurface <- Reporting
//                                             every renderer, one Reporter protocol
//   CLI        everything <- kvmpolicy        parse arguments, call, map exit codes
//
// Shared below the stages: SystemIO (the one file reader, atomic writer, descriptor I/O),
// Parallel (fan-out), TextEscaping (JSON strings), ELF (in-house reader), KernelModules
// (module files, decompression; CLzma, CZstd, CZlib), CXattr (POSIX ACLs).
import PackageDescription

// The modules on the pre-start hook's path, which runs once per VM start: concrete generic
// types get metadata accessor functions instead of mangled names, so a short-lived process does
// not demangle them, or scan every protocol conformance, on first use (about 0.45 M of 6 M
// instructions and 20 page faults per hook call).
let hookPath: [SwiftSetting] = [.unsafeFlags(["-Xfrontend", "-disable-concrete-type-metadata-mangled-name-accessors"])]

let package = Package(
  name: "kvmpolicy",
  products: [
    .executable(name: "kvmpolicy", targets: ["kvmpolicy"]),
    .executable(name: "kvmpolicy-hook", targets: ["kvmpolicy-hook"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    .package(url: "https://github.com/JohnSundell/Plot", from: "0.14.0"),
  ],
  targets: [
    .systemLibrary(
      name: "CLibvirt",
      pkgConfig: "libvirt",
      providers: [.apt(["libvirt-dev"])]
    ),
    .systemLibrary(
      name: "CLibXML2",
      pkgConfig: "libxml-2.0",
      providers: [.apt(["libxml2-dev"])]
    ),
    .systemLibrary(
      name: "CLzma",
      pkgConfig: "liblzma",
      providers: [.apt(["liblzma-dev"])]
    ),
    .systemLibrary(
      name: "CZstd",
      pkgConfig: "libzstd",
      providers: [.apt(["libzstd-dev"])]
    ),
    .systemLibrary(
      name: "CZlib",
      pkgConfig: "zlib",
      providers: [.apt(["zlib1g-dev"])]
    ),
    // sys/xattr.h, which Swift's Glibc module leaves out (libc itself: nothing to link).
    .systemLibrary(name: "CXattr"),
    .target(name: "Parallel"),
    // Foundation-free file I/O shared by every module: atomic files, EINTR-safe writes, errors
    // that keep the path.
    .target(name: "SystemIO", swiftSettings: hookPath),
    // The one JSON string escaper (reports, watch logs, checksec fields).
    .target(name: "TextEscaping"),
    .target(name: "Libvirt", dependencies: ["CLibvirt", "DomainModel"]),
    .target(name: "KernelModules", dependencies: ["CLzma", "CZstd", "CZlib", "SystemIO"]),
    .target(name: "DomainModel", dependencies: ["CLibXML2"], swiftSettings: hookPath),
    .target(name: "Policy", dependencies: ["DomainModel", "SystemIO"], swiftSettings: hookPath),
    .target(name: "Engine", dependencies: ["Policy", "DomainModel"], swiftSettings: hookPath),
    .target(name: "Hook", dependencies: ["Engine", "Policy", "DomainModel"], swiftSettings: hookPath),
    // `kvmpolicy policy test`: test files in the policy language's YAML subset, judged by the engine.
    .target(name: "PolicyTesting", dependencies: ["Policy", "Engine", "DomainModel", "SystemIO"]),
    .target(name: "Inventory", dependencies: ["Libvirt", "DomainModel", "Parallel", "SystemIO"]),
    // Runs QEMU binaries (device help per module, a paused machine's device tree) beside the
    // inventory's command lines: the collecting side of `kvmpolicy qemu`.
    .target(name: "QEMUProbe", dependencies: ["Inventory", "DomainModel", "ELF"]),
    // Pure judgement of the QEMU device surface, with the model -> CONFIG_* table that
    // scripts/qemu-device-table generates from QEMU's sources, compiled into the binary.
    .target(name: "QEMUSurface", dependencies: ["QEMUProbe"], resources: [.embedInCode("Resources/qemu-device-table.tsv")]),
    // Installs and removes the hook; finds libvirtd by its pid file.
    .target(name: "HookInstallation", dependencies: ["Hook", "Policy", "ELF", "SystemIO"]),
    .target(
      name: "HostAudit",
      dependencies: [
        "Inventory", "QEMUProbe", "DomainModel", "KernelModules", "ELF", "Policy", "Hook", "HookInstallation", "SystemIO", "CXattr",
      ]),
    .target(
      name: "Enforcement",
      dependencies: ["Engine", "Policy", "DomainModel", "Libvirt", "SystemIO", "HostAudit", "Hook", "HookInstallation"]),
    .target(name: "Checking", dependencies: ["Inventory", "Engine", "Policy", "Parallel"]),
    .target(name: "ELF", dependencies: ["TextEscaping"]),
    .target(
      name: "Reporting",
      dependencies: [
        "Inventory", "Checking", "HostAudit", "Enforcement", "Engine", "Policy", "DomainModel", "PolicyTesting", "Parallel",
        "TextEscaping", "QEMUSurface",
        .product(name: "Plot", package: "Plot"),
      ],
      // The HTML report's stylesheet, compiled into the binary.
      resources: [.embedInCode("Resources/report.css")]
    ),
    // The libvirt hook: no libvirt, no Foundation, no argument parser; it sits on every start.
    .executableTarget(name: "kvmpolicy-hook", dependencies: ["Hook", "Policy", "SystemIO"], swiftSettings: hookPath),
    .executableTarget(
      name: "kvmpolicy",
      dependencies: [
        "Inventory",
        "Checking",
        "Reporting",
        "Engine",
        "Policy",
        "PolicyTesting",
        "Hook",
        "Enforcement",
        "HostAudit",
        "HookInstallation",
        "SystemIO",
        "QEMUProbe",
        "QEMUSurface",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),
    // What tests share: traits for what a test needs (root, a tool, the real libvirtd, the
    // package), running commands and kvmpolicy, and the TCG test guests.
    .target(name: "TestSupport", path: "Tests/TestSupport"),
    .testTarget(name: "DomainModelTests", dependencies: ["DomainModel"]),
    .testTarget(name: "LibvirtTests", dependencies: ["Libvirt", "DomainModel"]),
    .testTarget(name: "PolicyTests", dependencies: ["Policy"], exclude: ["BadPolicies"]),
    .testTarget(name: "PolicyTestingTests", dependencies: ["PolicyTesting", "Engine", "Policy", "TestSupport"]),
    .testTarget(name: "EngineTests", dependencies: ["Engine", "DomainModel", "Policy"]),
    .testTarget(name: "HookTests", dependencies: ["Hook", "Policy", "TestSupport"]),
    .testTarget(name: "HostAuditTests", dependencies: ["HostAudit", "QEMUProbe", "DomainModel", "Policy", "CXattr", "TestSupport"]),
    .testTarget(name: "EnforcementTests", dependencies: ["Enforcement", "HostAudit", "Policy", "TestSupport"]),
    .testTarget(name: "InventoryTests", dependencies: ["Inventory", "DomainModel", "Parallel"]),
    .testTarget(
      name: "ReportingTests", dependencies: ["Reporting", "Checking", "Inventory", "DomainModel", "Policy", "Enforcement"], exclude: ["Golden"]),
    .testTarget(name: "CLITests", dependencies: ["kvmpolicy", "TestSupport"]),
    // The suites that drive the real libvirtd (QEMU driver, TCG guests) and install the package:
    // scripts/test runs this target on its own, one test at a time, after all the others.
    .testTarget(name: "RealLibvirtdTests", dependencies: ["kvmpolicy", "Libvirt", "DomainModel", "Policy", "TestSupport"]),
    .testTarget(name: "ELFTests", dependencies: ["ELF", "TestSupport"]),
    .testTarget(name: "QEMUSurfaceTests", dependencies: ["QEMUSurface", "QEMUProbe", "Reporting", "TestSupport"]),
    .testTarget(name: "KernelModulesTests", dependencies: ["KernelModules", "TestSupport"]),
    .testTarget(name: "TextEscapingTests", dependencies: ["TextEscaping", "Reporting", "Enforcement", "ELF"]),
  ]
)

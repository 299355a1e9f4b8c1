/// A domain's run state as an inventory reports it, spelled as `virsh domstate` does.
///
/// Inventory's own value, so that what reads an inventory (checks, reports) need not link libvirt.
public enum RunState: String, Sendable, CaseIterable {
  /// libvirt reports no state.
  case noState = "no state"
  /// Running.
  case running = "running"
  /// Blocked on a resource.
  case blocked = "idle"
  /// Paused by the user or libvirt.
  case paused = "paused"
  /// Being shut down.
  case shuttingDown = "in shutdown"
  /// Not running.
  case shutOff = "shut off"
  /// Crashed.
  case crashed = "crashed"
  /// Suspended by guest power management.
  case suspended = "pmsuspended"
}

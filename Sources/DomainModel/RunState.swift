/// A domain's run state (`virDomainState`), spelled as `virsh domstate` does.
///
/// A model value: the libvirt wrapper returns it, and what reads an inventory (checks,
/// reports) uses it without linking libvirt.
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

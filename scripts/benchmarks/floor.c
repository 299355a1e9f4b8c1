/* FLOOR for scripts/bench, not part of kvmpolicy: the least any fleet sweep must do.
 * Lists all domains and fetches the live and the inactive XML of each one whose name starts
 * with argv[2], then frees everything. Build: gcc -O2 floor.c -o floor $(pkg-config --cflags --libs libvirt) */
#include <libvirt/libvirt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
  const char *prefix = argc > 2 ? argv[2] : "";
  virConnectPtr conn = virConnectOpenReadOnly(argc > 1 ? argv[1] : NULL);
  if (!conn) return 2;
  virDomainPtr *domains = NULL;
  int count = virConnectListAllDomains(conn, &domains, 0);
  size_t bytes = 0;
  int judged = 0;
  for (int i = 0; i < count; i++) {
    const char *name = virDomainGetName(domains[i]);
    if (name && strncmp(name, prefix, strlen(prefix)) == 0) {
      char *live = virDomainGetXMLDesc(domains[i], 0);
      char *inactive = virDomainGetXMLDesc(domains[i], VIR_DOMAIN_XML_INACTIVE);
      bytes += (live ? strlen(live) : 0) + (inactive ? strlen(inactive) : 0);
      free(live);
      free(inactive);
      judged++;
    }
    virDomainFree(domains[i]);
  }
  free(domains);
  virConnectClose(conn);
  printf("%d domains, %zu bytes of XML\n", judged, bytes);
  return 0;
}

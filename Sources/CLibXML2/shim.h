#ifndef KVMPOLICY_CLIBXML2_SHIM_H
#define KVMPOLICY_CLIBXML2_SHIM_H

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlsave.h>

#endif

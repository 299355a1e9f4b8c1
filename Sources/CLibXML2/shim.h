#ifndef KVMPOLICY_CLIBXML2_SHIM_H
#define KVMPOLICY_CLIBXML2_SHIM_H

/* Debian's libxml2 is built with ICU, so encoding.h would include <unicode/ucnv.h>. A Swift
 * module that also imports Foundation then sees two definitions of ICU's types (the system's
 * and Foundation's own copy) and the build fails now and then with "'UErrorCode' has different
 * definitions in different modules". kvmpolicy never touches libxml2's encoding handlers (the
 * ICU fields are the last two of xmlCharEncodingHandler, only ever behind a pointer), so the
 * ICU part of the headers is left out. */
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlsave.h>

#endif

// libxml2's parser and tree. Debian builds libxml2 with ICU, whose headers clash with Foundation's own ICU module;
// nothing used here depends on it (only xmlCharEncodingHandler, never touched, has ICU fields), so it is left out.
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

// libxml2 prints some errors (encoding conversion) through its generic error function even with XML_PARSE_NOERROR;
// answers from the network are refused quietly by the caller instead. The handler is per thread in libxml2, so it is
// set before each parse.
static inline void rtcc_xml_discard(void *context, const char *message, ...) { (void)context; (void)message; }
static inline void rtcc_xml_quiet(void) { xmlSetGenericErrorFunc(NULL, rtcc_xml_discard); }

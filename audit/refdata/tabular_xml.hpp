#pragma once
// The CDC ICD-10-CM tabular XML (chapter > section > diag > diag ...), read with a SAX
// parser (Poco::XML over expat). Any DOCTYPE is refused before parsing, so no DTD,
// entity declaration or external resource is ever processed (XXE / billion laughs).
// This and source.cpp are the only refdata files that include Poco headers.
#include <vector>

#include "audit/model/code.hpp"
#include "audit/model/reject.hpp"
#include "audit/refdata/refdata.hpp"
#include "audit/refdata/source.hpp"

namespace coderaudit::refdata::detail {

struct TabularEntry {
  Code code;
  TabularNotes notes;  // own notes merged with those of every ancestor
};

struct TabularRows {
  std::vector<TabularEntry> entries;  // codes with own notes, plus every category
  int64_t diags = 0;                  // <diag> elements read (the rows of this table)
};

// Throws InputError when the document is not well-formed XML (with line:column), has a
// DOCTYPE, or is larger than 256 MB decompressed. A <diag> whose <name> is not an
// ICD-10-CM code is a Reject (its subtree is still read, its notes are not stored).
TabularRows ReadTabular(Source& src, std::vector<Reject>& rejects);

}  // namespace coderaudit::refdata::detail

#pragma once
// Sums of counts read from input (universe and sample sizes, item counts). Each count
// fits in int64, but a few strata of 9e18 items do not add up in it: the sum is refused
// with a clear error instead of wrapping to a negative universe.
#include <cstdint>
#include <string>

#include "audit/model/error.hpp"

namespace coderaudit::sampling {

inline void AddCount(int64_t& total, int64_t add, const char* what) {
  if (__builtin_add_overflow(total, add, &total))
    throw InputError(std::string(what) + " add up to more than 9,223,372,036,854,775,807");
}

}  // namespace coderaudit::sampling

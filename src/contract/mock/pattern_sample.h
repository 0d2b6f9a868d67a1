// A value for a regular expression: the string the mock writes where an example says
// "$match(pattern: ...)" (and where a schema declares a `pattern`), so that what it sends
// matches what the contract expects.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace driftline::contract::mock {

// A short string that the ECMAScript regular expression `pattern` matches as a whole (as
// std::regex_match, which is how the runner's "$match(pattern: ...)" compares). Quantifiers take
// their least count (`.*` is empty, `+` once, `{2,5}` twice), an alternation its first branch, a
// class its first member (a negated class the first of a few common characters it leaves out).
// The result is checked against the pattern; nullopt when the pattern is not a valid expression
// or uses what this does not follow (back-references, lookaheads, a first branch that cannot
// match).
std::optional<std::string> SampleMatching(std::string_view pattern);

}  // namespace driftline::contract::mock

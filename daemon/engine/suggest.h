// "Did you mean ...?" hints for misspelt names, by edit distance.
#ifndef AMPARO_DAEMON_ENGINE_SUGGEST_H_
#define AMPARO_DAEMON_ENGINE_SUGGEST_H_

#include <span>
#include <string>
#include <string_view>

namespace amparo {

// Levenshtein distance between `a` and `b`.
std::size_t EditDistance(std::string_view a, std::string_view b);

// "did you mean X?" for the candidate closest to `word` (ties: the first),
// when it is within a third of the word's length (at least 2 edits); else "".
// `quote` wraps X in double quotes.
std::string DidYouMean(std::string_view word, std::span<const std::string_view> candidates,
                       bool quote = false);

// "a, b, c".
std::string JoinNames(std::span<const std::string_view> names);

}  // namespace amparo

#endif  // AMPARO_DAEMON_ENGINE_SUGGEST_H_

#include "contract/mock/generate.h"

#include <arpa/inet.h>

#include <algorithm>
#include <bitset>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <map>
#include <memory>
#include <numeric>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "contract/check/matcher.h"
#include "contract/spec/document.h"

namespace driftline::contract::mock {
namespace {

using nlohmann::json;

// A length no string or array reaches: "unbounded" in length arithmetic.
constexpr std::size_t kUnbounded = std::numeric_limits<std::size_t>::max() / 4;
// Schemas nest this deep at most (a `$ref` loop would otherwise never end).
constexpr int kMaxDepth = 64;
// Integers stay where a double holds them exactly.
constexpr double kMaxExactInteger = 9007199254740992.0;  // 2^53

std::size_t AddLengths(std::size_t a, std::size_t b) {
  if (a >= kUnbounded || b >= kUnbounded || a + b >= kUnbounded) return kUnbounded;
  return a + b;
}

std::size_t MultiplyLength(std::size_t a, std::size_t k) {
  if (a == 0 || k == 0) return 0;
  if (a >= kUnbounded || k >= kUnbounded || a > kUnbounded / k) return kUnbounded;
  return a * k;
}

std::string ShowLength(std::size_t n) {
  return n >= kUnbounded ? std::string("unbounded") : std::to_string(n);
}

// --- randomness: SplitMix64, so a seed gives the same values on every platform ---

class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed * 0xD1342543DE82EF95ULL + 0x2545F4914F6CDD1DULL) {}

  std::uint64_t Next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  // Uniform in [lo, hi]; lo when hi <= lo.
  std::uint64_t Between(std::uint64_t lo, std::uint64_t hi) {
    if (hi <= lo) return lo;
    const std::uint64_t span = hi - lo;
    if (span == std::numeric_limits<std::uint64_t>::max()) return Next();
    return lo + Next() % (span + 1);
  }
  std::size_t Below(std::size_t n) { return n == 0 ? 0 : static_cast<std::size_t>(Next() % n); }
  double Unit() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  bool Coin() { return (Next() & 1U) != 0; }

 private:
  std::uint64_t state_;
};

// Splits `total` over parts of lengths [min_i, max_i] at random; nullopt when it cannot.
std::optional<std::vector<std::size_t>> Distribute(
    std::size_t total, const std::vector<std::pair<std::size_t, std::size_t>>& parts, Rng& rng) {
  std::size_t minimum = 0;
  for (const auto& p : parts)
    minimum = AddLengths(minimum, p.first);
  if (minimum > total) return std::nullopt;
  std::vector<std::size_t> room_after(parts.size() + 1, 0);
  for (std::size_t i = parts.size(); i-- > 0;) {
    const std::size_t room =
        parts[i].second >= kUnbounded ? kUnbounded : parts[i].second - parts[i].first;
    room_after[i] = AddLengths(room_after[i + 1], room);
  }
  std::size_t extra = total - minimum;
  std::vector<std::size_t> out(parts.size(), 0);
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const std::size_t room =
        parts[i].second >= kUnbounded ? kUnbounded : parts[i].second - parts[i].first;
    const std::size_t lower = extra > room_after[i + 1] ? extra - room_after[i + 1] : 0;
    const std::size_t upper = std::min(extra, room);
    if (lower > upper) return std::nullopt;
    const std::size_t take = static_cast<std::size_t>(rng.Between(lower, upper));
    out[i] = parts[i].first + take;
    extra -= take;
  }
  if (extra != 0) return std::nullopt;
  return out;
}

// --- UTF-8: JSON Schema lengths count code points ---

std::size_t CodePoints(std::string_view s) {
  std::size_t n = 0;
  for (char c : s) {
    if ((static_cast<unsigned char>(c) & 0xC0U) != 0x80U) ++n;
  }
  return n;
}

void AppendUtf8(std::string& out, char32_t cp) {
  const auto byte = [&out](std::uint32_t b) { out.push_back(static_cast<char>(b)); };
  const std::uint32_t c = cp;
  if (c < 0x80) {
    byte(c);
  } else if (c < 0x800) {
    byte(0xC0 | (c >> 6));
    byte(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    byte(0xE0 | (c >> 12));
    byte(0x80 | ((c >> 6) & 0x3F));
    byte(0x80 | (c & 0x3F));
  } else {
    byte(0xF0 | (c >> 18));
    byte(0x80 | ((c >> 12) & 0x3F));
    byte(0x80 | ((c >> 6) & 0x3F));
    byte(0x80 | (c & 0x3F));
  }
}

// Code points of `s`; a byte that starts no valid sequence stands for itself.
std::u32string DecodeUtf8(std::string_view s) {
  std::u32string out;
  for (std::size_t i = 0; i < s.size();) {
    const auto b = static_cast<unsigned char>(s[i]);
    std::size_t extra = 0;
    std::uint32_t cp = b;
    if (b >= 0xF0 && b < 0xF8) {
      extra = 3;
      cp = b & 0x07U;
    } else if (b >= 0xE0) {
      extra = b < 0xF0 ? 2 : 0;
      cp = b & 0x0FU;
    } else if (b >= 0xC0) {
      extra = 1;
      cp = b & 0x1FU;
    }
    if (i + extra >= s.size()) extra = 0;  // a sequence cut short
    bool valid = extra > 0;
    for (std::size_t k = 1; valid && k <= extra; ++k) {
      const auto c = static_cast<unsigned char>(s[i + k]);
      if ((c & 0xC0U) != 0x80U) valid = false;
      cp = (cp << 6) | (c & 0x3FU);
    }
    if (valid) {
      out.push_back(static_cast<char32_t>(cp));
      i += extra + 1;
    } else {
      out.push_back(static_cast<char32_t>(b));
      ++i;
    }
  }
  return out;
}

// The first `n` code points of `s`.
std::string FirstCodePoints(const std::string& s, std::size_t n) {
  std::size_t seen = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0U) != 0x80U) {
      if (seen == n) return s.substr(0, i);
      ++seen;
    }
  }
  return s;
}

constexpr std::string_view kAlnum =
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
constexpr std::string_view kLowerAlnum = "abcdefghijklmnopqrstuvwxyz0123456789";
constexpr std::string_view kHex = "0123456789abcdef";

std::string RandomChars(std::size_t n, std::string_view alphabet, Rng& rng) {
  std::string s;
  s.reserve(n);
  for (std::size_t i = 0; i < n; ++i)
    s.push_back(alphabet[rng.Below(alphabet.size())]);
  return s;
}

// --- patterns: a parsed ECMAScript regular expression that strings are produced from ---

struct CharSet {
  std::bitset<128> ascii;
  std::vector<std::pair<char32_t, char32_t>> wide;  // ranges above ASCII
  bool negated = false;
  std::string pool;  // the ASCII characters picked from (readable ones), set by Seal()

  void Add(char32_t lo, char32_t hi) {
    for (char32_t c = lo; c <= hi && c < 128; ++c)
      ascii.set(static_cast<std::size_t>(c));
    if (hi >= 128) wide.emplace_back(std::max<char32_t>(lo, 128), hi);
  }
  void AddSet(const CharSet& other) {
    if (!other.negated) {
      ascii |= other.ascii;
      wide.insert(wide.end(), other.wide.begin(), other.wide.end());
      return;
    }
    ascii |= ~other.ascii;  // a negated class inside a class: everything it does not exclude
    wide.emplace_back(128, 0x10FFFF);
  }
  bool Contains(char32_t c) const {
    if (c < 128) return ascii.test(static_cast<std::size_t>(c)) != negated;
    for (const auto& r : wide) {
      if (c >= r.first && c <= r.second) return !negated;
    }
    return negated;
  }
  // Fills `pool`: printable members (letters and digits first for a negated set), else any.
  void Seal() {
    pool.clear();
    if (negated) {
      for (char c : kAlnum) {
        if (Contains(static_cast<char32_t>(c))) pool.push_back(c);
      }
      if (pool.empty()) {
        for (char32_t c = 32; c < 127; ++c) {
          if (Contains(c)) pool.push_back(static_cast<char>(c));
        }
      }
      wide.clear();
      return;
    }
    for (char32_t c = 32; c < 127; ++c) {
      if (ascii.test(static_cast<std::size_t>(c))) pool.push_back(static_cast<char>(c));
    }
    if (pool.empty()) {
      for (char32_t c = 0; c < 128; ++c) {
        if (ascii.test(static_cast<std::size_t>(c))) pool.push_back(static_cast<char>(c));
      }
    }
  }
  bool Pick(Rng& rng, std::string& out) const {
    if (pool.empty() && wide.empty()) return false;
    if (!wide.empty() && (pool.empty() || rng.Coin())) {
      const auto& r = wide[rng.Below(wide.size())];
      AppendUtf8(out, static_cast<char32_t>(rng.Between(r.first, r.second)));
      return true;
    }
    out.push_back(pool[rng.Below(pool.size())]);
    return true;
  }
};

struct PatternNode {
  enum class Kind { kChars, kSequence, kAlternation, kRepeat, kStart, kEnd };
  Kind kind = Kind::kSequence;
  CharSet chars;                      // kChars
  std::vector<PatternNode> children;  // kSequence, kAlternation; kRepeat: exactly one
  std::size_t min_count = 0;          // kRepeat
  std::size_t max_count = 0;
  std::size_t min_length = 0;  // of the strings the node produces (set by Measure)
  std::size_t max_length = 0;
};

void Measure(PatternNode& node) {
  switch (node.kind) {
    case PatternNode::Kind::kChars:
      node.min_length = node.max_length = 1;
      return;
    case PatternNode::Kind::kStart:
    case PatternNode::Kind::kEnd:
      node.min_length = node.max_length = 0;
      return;
    case PatternNode::Kind::kSequence:
      node.min_length = node.max_length = 0;
      for (PatternNode& c : node.children) {
        Measure(c);
        node.min_length = AddLengths(node.min_length, c.min_length);
        node.max_length = AddLengths(node.max_length, c.max_length);
      }
      return;
    case PatternNode::Kind::kAlternation:
      node.min_length = kUnbounded;
      node.max_length = 0;
      for (PatternNode& c : node.children) {
        Measure(c);
        node.min_length = std::min(node.min_length, c.min_length);
        node.max_length = std::max(node.max_length, c.max_length);
      }
      return;
    case PatternNode::Kind::kRepeat: {
      PatternNode& c = node.children.front();
      Measure(c);
      node.min_length = MultiplyLength(c.min_length, node.min_count);
      node.max_length = MultiplyLength(c.max_length, node.max_count);
      return;
    }
  }
}

// Reads the subset of ECMAScript regular expressions listed in generate.h.
class PatternReader {
 public:
  explicit PatternReader(std::u32string text) : text_(std::move(text)) {}

  // The tree, or nullopt with error() saying what cannot be read.
  std::optional<PatternNode> Read() {
    PatternNode root;
    if (!Alternation(root)) return std::nullopt;
    if (pos_ < text_.size()) {
      Refuse("unbalanced ')'");
      return std::nullopt;
    }
    Measure(root);
    return root;
  }
  const std::string& error() const { return error_; }

 private:
  bool Refuse(std::string why) {
    if (error_.empty()) error_ = std::move(why);
    return false;
  }
  bool AtEnd() const { return pos_ >= text_.size(); }
  char32_t Peek(std::size_t ahead = 0) const {
    return pos_ + ahead < text_.size() ? text_[pos_ + ahead] : U'\0';
  }

  bool Alternation(PatternNode& out) {
    PatternNode first;
    if (!Sequence(first)) return false;
    if (AtEnd() || Peek() != U'|') {
      out = std::move(first);
      return true;
    }
    out = PatternNode{};
    out.kind = PatternNode::Kind::kAlternation;
    out.children.push_back(std::move(first));
    while (!AtEnd() && Peek() == U'|') {
      ++pos_;
      PatternNode branch;
      if (!Sequence(branch)) return false;
      out.children.push_back(std::move(branch));
    }
    return true;
  }

  bool Sequence(PatternNode& out) {
    out = PatternNode{};
    out.kind = PatternNode::Kind::kSequence;
    while (!AtEnd() && Peek() != U'|' && Peek() != U')') {
      PatternNode atom;
      if (!Atom(atom)) return false;
      std::size_t min = 0;
      std::size_t max = 0;
      bool found = false;
      if (!Quantifier(min, max, found)) return false;
      if (found) {
        PatternNode repeat;
        repeat.kind = PatternNode::Kind::kRepeat;
        repeat.min_count = min;
        repeat.max_count = max;
        repeat.children.push_back(std::move(atom));
        out.children.push_back(std::move(repeat));
      } else {
        out.children.push_back(std::move(atom));
      }
    }
    return true;
  }

  // Reads "{n}", "{n,}", "{n,m}" at pos_ without moving when it is not one.
  bool BraceQuantifier(std::size_t& min, std::size_t& max, std::size_t& length) const {
    std::size_t i = pos_ + 1;
    auto number = [&](std::size_t& value) {
      const std::size_t start = i;
      value = 0;
      while (i < text_.size() && text_[i] >= U'0' && text_[i] <= U'9') {
        if (value < 1000000000) value = value * 10 + (text_[i] - U'0');
        ++i;
      }
      return i > start;
    };
    if (!number(min)) return false;
    max = min;
    if (i < text_.size() && text_[i] == U',') {
      ++i;
      if (!number(max)) max = kUnbounded;
    }
    if (i >= text_.size() || text_[i] != U'}') return false;
    length = i + 1 - pos_;
    return true;
  }

  bool Quantifier(std::size_t& min, std::size_t& max, bool& found) {
    found = false;
    if (AtEnd()) return true;
    const char32_t c = Peek();
    if (c == U'*') {
      min = 0;
      max = kUnbounded;
      ++pos_;
    } else if (c == U'+') {
      min = 1;
      max = kUnbounded;
      ++pos_;
    } else if (c == U'?') {
      min = 0;
      max = 1;
      ++pos_;
    } else if (c == U'{') {
      std::size_t length = 0;
      if (!BraceQuantifier(min, max, length)) return true;  // a literal '{'
      pos_ += length;
      if (min > max) return Refuse("a {n,m} quantifier with n above m");
      if (min > 100000 || (max != kUnbounded && max > 100000))
        return Refuse("a repetition count above 100000");
    } else {
      return true;
    }
    found = true;
    if (!AtEnd() && Peek() == U'?') ++pos_;  // lazy: the same strings
    if (!AtEnd() && (Peek() == U'*' || Peek() == U'+' || Peek() == U'?'))
      return Refuse("a quantifier that follows a quantifier");
    return true;
  }

  static CharSet ClassEscape(char32_t letter) {
    CharSet set;
    switch (letter) {
      case U'd':
      case U'D':
        set.Add(U'0', U'9');
        break;
      case U'w':
      case U'W':
        set.Add(U'a', U'z');
        set.Add(U'A', U'Z');
        set.Add(U'0', U'9');
        set.Add(U'_', U'_');
        break;
      default:  // s, S
        set.Add(U' ', U' ');
        set.Add(U'\t', U'\r');
        set.Add(0xA0, 0xA0);
        set.Add(0x2028, 0x2029);
        set.Add(0xFEFF, 0xFEFF);
        break;
    }
    set.negated = letter == U'D' || letter == U'W' || letter == U'S';
    return set;
  }

  static int HexValue(char32_t c) {
    if (c >= U'0' && c <= U'9') return static_cast<int>(c - U'0');
    if (c >= U'a' && c <= U'f') return static_cast<int>(c - U'a') + 10;
    if (c >= U'A' && c <= U'F') return static_cast<int>(c - U'A') + 10;
    return -1;
  }

  // After a backslash: one code point (`single`) or a class (`set`, when `is_set`).
  bool Escape(bool in_class, char32_t& single, CharSet& set, bool& is_set) {
    is_set = false;
    if (AtEnd()) return Refuse("a pattern that ends with a backslash");
    const char32_t c = text_[pos_++];
    switch (c) {
      case U'd':
      case U'D':
      case U'w':
      case U'W':
      case U's':
      case U'S':
        set = ClassEscape(c);
        is_set = true;
        return true;
      case U'b':
        if (in_class) {
          single = 0x08;
          return true;
        }
        return Refuse("a word boundary (\\b)");
      case U'B':
        return Refuse("a word boundary (\\B)");
      case U'k':
        return Refuse("a named back-reference (\\k)");
      case U'p':
      case U'P':
        return Refuse("a Unicode property escape (\\p)");
      case U'n':
        single = U'\n';
        return true;
      case U'r':
        single = U'\r';
        return true;
      case U't':
        single = U'\t';
        return true;
      case U'f':
        single = U'\f';
        return true;
      case U'v':
        single = U'\v';
        return true;
      case U'0':
        single = 0;
        return true;
      case U'c':
        if (!AtEnd() &&
            ((Peek() >= U'a' && Peek() <= U'z') || (Peek() >= U'A' && Peek() <= U'Z'))) {
          single = text_[pos_++] % 32;
          return true;
        }
        single = U'c';
        return true;
      case U'x':
      case U'u': {
        const std::size_t digits = c == U'x' ? 2 : 4;
        std::uint32_t value = 0;
        bool ok = pos_ + digits <= text_.size();
        for (std::size_t k = 0; ok && k < digits; ++k) {
          const int h = HexValue(text_[pos_ + k]);
          if (h < 0) ok = false;
          value = value * 16 + static_cast<std::uint32_t>(h < 0 ? 0 : h);
        }
        if (ok) {
          pos_ += digits;
          single = static_cast<char32_t>(value);
        } else {
          single = c;
        }
        return true;
      }
      default:
        if (c >= U'1' && c <= U'9') {
          if (in_class) {
            single = c;  // octal-like escapes in classes: the digit itself
            return true;
          }
          return Refuse("a back-reference (\\" + std::string(1, static_cast<char>(c)) + ")");
        }
        single = c;
        return true;
    }
  }

  bool Class(PatternNode& out) {
    ++pos_;  // '['
    out.kind = PatternNode::Kind::kChars;
    CharSet& set = out.chars;
    if (!AtEnd() && Peek() == U'^') {
      set.negated = true;
      ++pos_;
    }
    while (true) {
      if (AtEnd()) return Refuse("an unterminated character class");
      if (Peek() == U']') {
        ++pos_;
        break;
      }
      char32_t first = 0;
      CharSet first_set;
      bool first_is_set = false;
      if (Peek() == U'\\') {
        ++pos_;
        if (!Escape(true, first, first_set, first_is_set)) return false;
      } else {
        first = text_[pos_++];
      }
      if (first_is_set) {
        set.AddSet(first_set);
        continue;
      }
      if (Peek() == U'-' && pos_ + 1 < text_.size() && text_[pos_ + 1] != U']') {
        ++pos_;  // '-'
        char32_t last = 0;
        CharSet last_set;
        bool last_is_set = false;
        if (Peek() == U'\\') {
          ++pos_;
          if (!Escape(true, last, last_set, last_is_set)) return false;
        } else {
          last = text_[pos_++];
        }
        if (last_is_set) {  // "[a-\d]": a, '-' and the digits
          set.Add(first, first);
          set.Add(U'-', U'-');
          set.AddSet(last_set);
          continue;
        }
        if (last < first) return Refuse("a character range out of order");
        set.Add(first, last);
        continue;
      }
      set.Add(first, first);
    }
    set.Seal();
    return true;
  }

  bool Atom(PatternNode& out) {
    const char32_t c = Peek();
    switch (c) {
      case U'(': {
        ++pos_;
        if (Peek() == U'?') {
          if (Peek(1) != U':') return Refuse("a look-around or named group ((?=, (?!, (?<)");
          pos_ += 2;
        }
        if (!Alternation(out)) return false;
        if (AtEnd() || Peek() != U')') return Refuse("an unterminated group");
        ++pos_;
        return true;
      }
      case U'[':
        return Class(out);
      case U'.':
        ++pos_;
        out.kind = PatternNode::Kind::kChars;
        out.chars.negated = true;
        out.chars.Add(U'\n', U'\n');
        out.chars.Add(U'\r', U'\r');
        out.chars.Add(0x2028, 0x2029);
        out.chars.Seal();
        return true;
      case U'^':
        ++pos_;
        out.kind = PatternNode::Kind::kStart;
        return true;
      case U'$':
        ++pos_;
        out.kind = PatternNode::Kind::kEnd;
        return true;
      case U'*':
      case U'+':
      case U'?':
        return Refuse("a quantifier with nothing to repeat");
      case U'\\': {
        ++pos_;
        char32_t single = 0;
        bool is_set = false;
        out.kind = PatternNode::Kind::kChars;
        if (!Escape(false, single, out.chars, is_set)) return false;
        if (!is_set) out.chars.Add(single, single);
        out.chars.Seal();
        return true;
      }
      case U'{': {
        std::size_t min = 0;
        std::size_t max = 0;
        std::size_t length = 0;
        if (BraceQuantifier(min, max, length)) return Refuse("a quantifier with nothing to repeat");
        break;
      }
      default:
        break;
    }
    ++pos_;
    out.kind = PatternNode::Kind::kChars;
    out.chars.Add(c, c);
    out.chars.Seal();
    return true;
  }

  std::u32string text_;
  std::size_t pos_ = 0;
  std::string error_;
};

// Appends a string of exactly `length` code points that `node` matches; false (and `out`
// unchanged) when this attempt cannot.
bool Produce(const PatternNode& node, std::size_t length, Rng& rng, std::string& out) {
  if (length < node.min_length || length > node.max_length) return false;
  const std::size_t before = out.size();
  const auto undo = [&] {
    out.resize(before);
    return false;
  };
  switch (node.kind) {
    case PatternNode::Kind::kChars:
      return node.chars.Pick(rng, out);
    case PatternNode::Kind::kStart:
    case PatternNode::Kind::kEnd:
      return true;
    case PatternNode::Kind::kSequence: {
      std::vector<std::pair<std::size_t, std::size_t>> parts;
      parts.reserve(node.children.size());
      for (const PatternNode& c : node.children)
        parts.emplace_back(c.min_length, c.max_length);
      auto lengths = Distribute(length, parts, rng);
      if (!lengths) return false;
      for (std::size_t i = 0; i < node.children.size(); ++i) {
        if (!Produce(node.children[i], (*lengths)[i], rng, out)) return undo();
      }
      return true;
    }
    case PatternNode::Kind::kAlternation: {
      const std::size_t n = node.children.size();
      const std::size_t start = rng.Below(n);
      for (std::size_t k = 0; k < n; ++k) {
        const PatternNode& branch = node.children[(start + k) % n];
        if (Produce(branch, length, rng, out)) return true;
      }
      return false;
    }
    case PatternNode::Kind::kRepeat: {
      const PatternNode& c = node.children.front();
      if (c.max_length == 0) return length == 0;
      std::size_t lowest = node.min_count;
      if (c.max_length < kUnbounded)
        lowest = std::max(lowest, (length + c.max_length - 1) / c.max_length);
      else if (length > 0)
        lowest = std::max<std::size_t>(lowest, 1);
      std::size_t highest = node.max_count;
      if (c.min_length > 0)
        highest = std::min(highest, length / c.min_length);
      else
        highest = std::min(highest, lowest + 2);
      if (lowest > highest) return false;
      const std::size_t count =
          static_cast<std::size_t>(rng.Between(lowest, std::min(highest, lowest + 3)));
      std::vector<std::pair<std::size_t, std::size_t>> parts(
          count, std::make_pair(c.min_length, c.max_length));
      auto lengths = Distribute(length, parts, rng);
      if (!lengths) return false;
      for (std::size_t i = 0; i < count; ++i) {
        if (!Produce(c, (*lengths)[i], rng, out)) return undo();
      }
      return true;
    }
  }
  return false;
}

struct CompiledPattern {
  bool checkable = false;  // `regex` compiled
  std::regex regex;
  std::optional<PatternNode> tree;  // nullopt: strings cannot be produced (see `why`)
  std::string why;
  bool anchored_start = false;
  bool anchored_end = false;
};

// Parsed and compiled once per thread: contracts have few patterns, used for every message.
using PatternCache = std::unordered_map<std::string, std::unique_ptr<CompiledPattern>>;

PatternCache& ThreadPatterns() {
  thread_local PatternCache cache;
  return cache;
}

// Called between two values only: references into the cache live for one value.
void TrimPatternCache() {
  if (ThreadPatterns().size() > 1024) ThreadPatterns().clear();
}

const CompiledPattern& PatternFor(const std::string& pattern) {
  PatternCache& cache = ThreadPatterns();
  if (auto it = cache.find(pattern); it != cache.end()) return *it->second;
  auto compiled = std::make_unique<CompiledPattern>();
  try {
    // The polynomial executor, as contract/check uses for contract patterns: a contract's
    // pattern must not take exponential time against a generated string.
    compiled->regex =
        std::regex(pattern, std::regex::ECMAScript | std::regex_constants::__polynomial);
    compiled->checkable = true;
  } catch (const std::regex_error& e) {
    compiled->why =
        std::string("it is not a regular expression the checks can use (") + e.what() + ")";
  }
  // What the reader refuses says more than the regex library's message: it goes first.
  PatternReader reader(DecodeUtf8(pattern));
  auto tree = reader.Read();
  if (!tree) {
    compiled->why = "it uses " + reader.error() + ", which is not supported";
  } else if (compiled->checkable) {
    compiled->tree = std::move(tree);
  }
  compiled->anchored_start = !pattern.empty() && pattern.front() == '^';
  if (!pattern.empty() && pattern.back() == '$') {
    std::size_t slashes = 0;
    for (std::size_t i = pattern.size() - 1; i-- > 0 && pattern[i] == '\\';)
      ++slashes;
    compiled->anchored_end = slashes % 2 == 0;
  }
  return *cache.emplace(pattern, std::move(compiled)).first->second;
}

bool PatternMatches(const std::string& pattern, const std::string& s) {
  const CompiledPattern& p = PatternFor(pattern);
  return p.checkable && std::regex_search(s, p.regex);
}

// A string the pattern finds a match in, of [min_length, max_length] code points; an error
// text when there is none the generator can make.
Result<std::string> StringForPattern(const std::string& pattern, std::size_t min_length,
                                     std::size_t max_length, Rng& rng) {
  const CompiledPattern& p = PatternFor(pattern);
  const std::string shown = "pattern '" + pattern + "'";
  if (!p.tree) return Fail(Code::kInvalidArgument, shown + " cannot be produced: " + p.why);
  const PatternNode& tree = *p.tree;
  // An unanchored side may carry extra characters around the match.
  const bool padded = !p.anchored_start || !p.anchored_end;
  const std::size_t lowest = std::max(min_length, tree.min_length);
  const std::size_t highest = padded ? max_length : std::min(max_length, tree.max_length);
  if (lowest > highest || tree.min_length >= kUnbounded) {
    return Fail(Code::kInvalidArgument,
                shown + " matches strings of " + ShowLength(tree.min_length) + " to " +
                    ShowLength(tree.max_length) + " characters; the schema asks for " +
                    ShowLength(min_length) + " to " + ShowLength(max_length));
  }
  const std::size_t spread = std::min<std::size_t>(highest - lowest, 8);
  for (std::size_t attempt = 0; attempt < 48; ++attempt) {
    // Random lengths first, then every length from the shortest up.
    const std::size_t total = attempt < 16 ? lowest + rng.Below(spread + 1) : lowest + attempt - 16;
    if (total > highest) continue;
    const std::size_t core = std::min(total, tree.max_length);
    std::string s;
    if (!Produce(tree, core, rng, s)) continue;
    if (total > core) {
      const std::string pad = RandomChars(total - core, kAlnum, rng);
      s = p.anchored_end ? pad + s : s + pad;
    }
    if (std::regex_search(s, p.regex)) return s;
  }
  return Fail(Code::kInvalidArgument, "no string of " + ShowLength(lowest) + " to " +
                                          ShowLength(highest) + " characters matching " + shown +
                                          " was found");
}

// --- formats ---

bool IsKnownFormat(std::string_view f) {
  return f == "date-time" || f == "date" || f == "time" || f == "email" || f == "uuid" ||
         f == "uri" || f == "hostname" || f == "ipv4" || f == "ipv6";
}

bool IsHostname(std::string_view s) {
  if (s.empty() || s.size() > 253) return false;
  std::size_t start = 0;
  while (start <= s.size()) {
    std::size_t end = s.find('.', start);
    if (end == std::string_view::npos) end = s.size();
    const std::string_view label = s.substr(start, end - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-')
      return false;
    for (char c : label) {
      const bool ok =
          (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
      if (!ok) return false;
    }
    start = end + 1;
  }
  return true;
}

bool IsIpv4(std::string_view s) {
  int parts = 0;
  std::size_t i = 0;
  while (true) {
    std::size_t digits = 0;
    int value = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9' && digits < 4) {
      value = value * 10 + (s[i] - '0');
      ++digits;
      ++i;
    }
    if (digits == 0 || digits > 3 || value > 255) return false;
    if (digits > 1 && s[i - digits] == '0') return false;  // no leading zeros
    ++parts;
    if (i == s.size()) return parts == 4;
    if (s[i] != '.' || parts == 4) return false;
    ++i;
  }
}

bool FormatHolds(std::string_view format, const std::string& s) {
  if (format == "date-time") return HasDataType(json(s), DataType::kDateTime);
  if (format == "date") return HasDataType(json(s), DataType::kDate);
  if (format == "time") {
    // RFC 3339 full-time: the offset is required (valijson requires it too).
    const bool offset =
        !s.empty() && (s.back() == 'Z' || s.back() == 'z' ||
                       (s.size() > 6 && (s[s.size() - 6] == '+' || s[s.size() - 6] == '-')));
    return offset && HasDataType(json(s), DataType::kTime);
  }
  if (format == "email") return HasDataType(json(s), DataType::kEmail);
  if (format == "uuid") return s.size() == 36 && HasDataType(json(s), DataType::kUuid);
  if (format == "uri") return HasDataType(json(s), DataType::kUrl);
  if (format == "hostname") return IsHostname(s);
  if (format == "ipv4") return IsIpv4(s);
  if (format == "ipv6") {
    in6_addr address{};
    return s.find('%') == std::string::npos && inet_pton(AF_INET6, s.c_str(), &address) == 1;
  }
  return true;
}

// Labels of letters and digits (each starting with a letter) joined by dots: `length`
// characters, no label longer than 63.
std::string Labels(std::size_t length, Rng& rng) {
  std::string out;
  std::size_t left = length;
  while (left > 0) {
    std::size_t take = std::min<std::size_t>(63, left);
    if (left - take == 1) --take;  // leave room for '.' and one more character
    out += RandomChars(1, "abcdefghijklmnopqrstuvwxyz", rng);
    out += RandomChars(take - 1, kLowerAlnum, rng);
    left -= take;
    if (left > 0) {
      out.push_back('.');
      --left;
    }
  }
  return out;
}

// A host name with a dot, of exactly `length` (3..253) characters.
std::string DottedHost(std::size_t length, Rng& rng) {
  if (length >= 5) return Labels(length - 4, rng) + ".com";
  return Labels(length - 2, rng) + "." + RandomChars(1, "abcdefghijklmnopqrstuvwxyz", rng);
}

std::string TwoDigits(std::uint64_t v) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02u", static_cast<unsigned>(v % 100));
  return buf;
}

// A value of a known format with [min, max] code points (ASCII: bytes).
Result<std::string> StringForFormat(std::string_view format, std::size_t min, std::size_t max,
                                    Rng& rng) {
  const auto length_error = [&](std::size_t lo, std::size_t hi) {
    return Fail(Code::kInvalidArgument, "format " + std::string(format) + " values have " +
                                            ShowLength(lo) + " to " + ShowLength(hi) +
                                            " characters; the schema asks for " + ShowLength(min) +
                                            " to " + ShowLength(max));
  };
  // A length in [lo, hi] and [min, max], near `preferred`.
  const auto pick = [&](std::size_t lo, std::size_t hi, std::size_t preferred) {
    const std::size_t a = std::max(lo, min);
    const std::size_t b = std::min(hi, max);
    if (a > b) return std::optional<std::size_t>();
    return std::optional<std::size_t>(std::clamp(preferred, a, b));
  };
  if (format == "date-time" || format == "time") {
    std::string base =
        TwoDigits(rng.Below(24)) + ":" + TwoDigits(rng.Below(60)) + ":" + TwoDigits(rng.Below(60));
    if (format == "date-time") {
      base = std::to_string(2024 + rng.Below(4)) + "-" + TwoDigits(1 + rng.Below(12)) + "-" +
             TwoDigits(1 + rng.Below(28)) + "T" + base;
    }
    // "<base>Z", or "<base>.<digits>Z" (at least one digit) to reach a minLength.
    std::size_t length = std::max(min, base.size() + 1);
    if (length == base.size() + 2) ++length;
    if (length > max) return length_error(base.size() + 1, kUnbounded);
    if (length > base.size() + 1)
      base += "." + RandomChars(length - base.size() - 2, "0123456789", rng);
    return base + "Z";
  }
  if (format == "date") {
    if (!pick(10, 10, 10)) return length_error(10, 10);
    return std::to_string(2024 + rng.Below(4)) + "-" + TwoDigits(1 + rng.Below(12)) + "-" +
           TwoDigits(1 + rng.Below(28));
  }
  if (format == "uuid") {
    if (!pick(36, 36, 36)) return length_error(36, 36);
    std::string hex = RandomChars(32, kHex, rng);
    hex[12] = '4';
    hex[16] = "89ab"[rng.Below(4)];
    return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
           hex.substr(16, 4) + "-" + hex.substr(20);
  }
  if (format == "email") {
    auto length = pick(5, 64 + 1 + 253, 20);
    if (!length) return length_error(5, 64 + 1 + 253);
    std::string domain = "example.com";
    if (*length < 13) domain = DottedHost(*length - 2, rng);
    std::size_t local = *length - 1 - domain.size();
    if (local > 64) {
      domain = DottedHost(*length - 1 - 64, rng);
      local = 64;
    }
    std::string name = "user" + RandomChars(local > 4 ? local - 4 : 0, "0123456789", rng);
    return name.substr(0, local) + "@" + domain;
  }
  if (format == "hostname") {
    auto length = pick(1, 253, 20);
    if (!length) return length_error(1, 253);
    return *length >= 3 ? DottedHost(*length, rng) : Labels(*length, rng);
  }
  if (format == "uri") {
    auto length = pick(5, kUnbounded, 28);
    if (!length) return length_error(5, kUnbounded);
    const std::string base = "https://example.com/";
    if (*length >= base.size()) return base + RandomChars(*length - base.size(), kAlnum, rng);
    return "h://" + (*length - 4 >= 3 ? DottedHost(*length - 4, rng) : Labels(*length - 4, rng));
  }
  if (format == "ipv4") {
    auto length = pick(7, 15, 7 + rng.Below(9));
    if (!length) return length_error(7, 15);
    auto digits =
        Distribute(*length - 3, std::vector<std::pair<std::size_t, std::size_t>>(4, {1, 3}), rng);
    std::string s;
    for (std::size_t i = 0; i < 4; ++i) {
      const std::size_t d = (*digits)[i];
      const std::uint64_t value = d == 1   ? rng.Below(10)
                                  : d == 2 ? rng.Between(10, 99)
                                           : rng.Between(100, 255);
      if (i > 0) s.push_back('.');
      s += std::to_string(value);
    }
    return s;
  }
  if (format == "ipv6") {
    auto length = pick(2, 39, 15 + rng.Below(25));
    if (!length) return length_error(2, 39);
    if (*length >= 15) {  // eight groups of 1..4 hex digits
      auto digits =
          Distribute(*length - 7, std::vector<std::pair<std::size_t, std::size_t>>(8, {1, 4}), rng);
      std::string s;
      for (std::size_t i = 0; i < 8; ++i) {
        if (i > 0) s.push_back(':');
        s += RandomChars((*digits)[i], kHex, rng);
      }
      return s;
    }
    std::string s = "::";  // leading groups compressed
    std::size_t left = *length - 2;
    while (left > 0) {
      std::size_t take = std::min<std::size_t>(4, left);
      if (left - take == 1) --take;
      s += RandomChars(take, kHex, rng);
      left -= take;
      if (left > 0) {
        s.push_back(':');
        --left;
      }
    }
    return s;
  }
  return Fail(Code::kInvalidArgument, "format " + std::string(format) + " is not produced");
}

// --- checking: a value against a schema, as strictly as contract/check (valijson) or more ---

// Equal by value and by number kind (an integer never equals a float here).
bool SameValue(const json& a, const json& b) {
  if (a.is_number() && b.is_number()) {
    if (a.is_number_float() != b.is_number_float()) return false;
    return a == b;
  }
  if (a.type() != b.type()) return false;
  if (a.is_array()) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
      if (!SameValue(a[i], b[i])) return false;
    }
    return true;
  }
  if (a.is_object()) {
    if (a.size() != b.size()) return false;
    for (auto it = a.begin(); it != a.end(); ++it) {
      auto other = b.find(it.key());
      if (other == b.end() || !SameValue(it.value(), *other)) return false;
    }
    return true;
  }
  return a == b;
}

bool HasType(const json& value, std::string_view type) {
  if (type == "integer") return value.is_number_integer();
  if (type == "number") return value.is_number();
  if (type == "string") return value.is_string();
  if (type == "boolean") return value.is_boolean();
  if (type == "null") return value.is_null();
  if (type == "array") return value.is_array();
  if (type == "object") return value.is_object();
  return false;
}

bool IsMultiple(const json& value, const json& divisor) {
  if (divisor.is_number_integer()) {
    const auto d = divisor.get<std::int64_t>();
    if (d <= 0) return true;
    if (value.is_number_integer()) {
      const auto i = value.get<std::int64_t>();
      return i % d == 0;
    }
    const double v = value.get<double>();
    return std::fmod(v, static_cast<double>(d)) == 0.0;
  }
  const double d = divisor.get<double>();
  if (!(d > 0)) return true;
  const double v = value.get<double>();
  if (v == 0) return true;
  // valijson's test, kept as it is so that whatever passes here passes there.
  return std::fabs(std::remainder(v, d)) <= std::numeric_limits<double>::epsilon();
}

// A local reference "#", "#/definitions/x" inside `root`; nullptr otherwise.
const json* ResolveLocal(const json& root, const std::string& ref) {
  if (ref == "#") return &root;
  if (ref.rfind("#/", 0) != 0) return nullptr;
  return FindAt(root, std::string_view(ref).substr(1));
}

class Checker {
 public:
  explicit Checker(const json& root) : root_(root) {}

  // True when `value` is valid against `schema`; else `why` (when given) is "<pointer>: <what>"
  // with the pointer into the value.
  bool Check(const json& schema, const json& value, std::string* why, int depth = 0) const {
    if (!Valid(schema, value, why, depth)) {
      if (why != nullptr && (why->empty() || why->front() != '/')) *why = "/" + *why;
      return false;
    }
    return true;
  }

 private:
  static bool No(std::string* why, std::string what) {
    if (why != nullptr) *why = ": " + std::move(what);
    return false;
  }
  static bool Below(std::string* why, std::string_view token, bool ok) {
    if (!ok && why != nullptr) *why = AppendPointer("", token) + *why;
    return ok;
  }

  bool Valid(const json& schema, const json& v, std::string* why, int depth) const {
    if (depth > kMaxDepth) return No(why, "schema nesting too deep");
    if (schema.is_boolean()) return schema.get<bool>() || No(why, "the schema is false");
    if (!schema.is_object()) return true;
    if (auto ref = schema.find("$ref"); ref != schema.end() && ref->is_string()) {
      const json* target = ResolveLocal(root_, ref->get<std::string>());
      if (target == nullptr) return No(why, "$ref " + ref->dump() + " does not resolve");
      return Valid(*target, v, why, depth + 1);
    }
    for (auto it = schema.begin(); it != schema.end(); ++it) {
      if (!Keyword(schema, it.key(), it.value(), v, why, depth)) return false;
    }
    return true;
  }

  bool Keyword(const json& schema, const std::string& k, const json& s, const json& v,
               std::string* why, int depth) const {
    if (k == "type") {
      if (s.is_string()) return HasType(v, s.get<std::string>()) || No(why, "type " + s.dump());
      if (s.is_array()) {
        for (const json& t : s) {
          if (t.is_string() && HasType(v, t.get<std::string>())) return true;
        }
        return No(why, "type " + s.dump());
      }
      return true;
    }
    if (k == "enum") {
      if (!s.is_array()) return true;
      for (const json& e : s) {
        if (SameValue(e, v)) return true;
      }
      return No(why, "enum");
    }
    if (k == "const") return SameValue(s, v) || No(why, "const " + s.dump());
    if (k == "allOf" || k == "anyOf" || k == "oneOf") {
      if (!s.is_array()) return true;
      std::size_t passed = 0;
      for (std::size_t i = 0; i < s.size(); ++i) {
        std::string inner;
        const bool ok = Valid(s[i], v, k == "allOf" ? &inner : nullptr, depth + 1);
        if (k == "allOf" && !ok) {
          if (why != nullptr) *why = inner;
          return false;
        }
        if (ok) ++passed;
      }
      if (k == "anyOf" && passed == 0) return No(why, "anyOf: no branch is valid");
      if (k == "oneOf" && passed != 1)
        return No(why, "oneOf: " + std::to_string(passed) + " branches are valid, not 1");
      return true;
    }
    if (k == "not") return !Valid(s, v, nullptr, depth + 1) || No(why, "not");
    if (k == "if") {
      const bool holds = Valid(s, v, nullptr, depth + 1);
      auto branch = schema.find(holds ? "then" : "else");
      if (branch == schema.end()) return true;
      return Valid(*branch, v, why, depth + 1);
    }
    if (v.is_number()) return NumberKeyword(schema, k, s, v, why);
    if (v.is_string()) return StringKeyword(k, s, v.get_ref<const std::string&>(), why);
    if (v.is_array()) return ArrayKeyword(schema, k, s, v, why, depth);
    if (v.is_object()) return ObjectKeyword(schema, k, s, v, why, depth);
    return true;
  }

  static bool NumberKeyword(const json& schema, const std::string& k, const json& s, const json& v,
                            std::string* why) {
    if (!s.is_number() && !(k == "exclusiveMinimum" || k == "exclusiveMaximum")) return true;
    const double d = v.get<double>();
    if (k == "minimum") {
      const bool exclusive = schema.value("exclusiveMinimum", json()) == json(true);
      return (exclusive ? d > s.get<double>() : d >= s.get<double>()) ||
             No(why, "minimum " + s.dump());
    }
    if (k == "maximum") {
      const bool exclusive = schema.value("exclusiveMaximum", json()) == json(true);
      return (exclusive ? d < s.get<double>() : d <= s.get<double>()) ||
             No(why, "maximum " + s.dump());
    }
    if (k == "exclusiveMinimum" && s.is_number())
      return d > s.get<double>() || No(why, "exclusiveMinimum " + s.dump());
    if (k == "exclusiveMaximum" && s.is_number())
      return d < s.get<double>() || No(why, "exclusiveMaximum " + s.dump());
    if (k == "multipleOf") return IsMultiple(v, s) || No(why, "multipleOf " + s.dump());
    return true;
  }

  static bool StringKeyword(const std::string& k, const json& s, const std::string& v,
                            std::string* why) {
    if (k == "minLength" && s.is_number())
      return static_cast<double>(CodePoints(v)) >= s.get<double>() ||
             No(why, "minLength " + s.dump());
    if (k == "maxLength" && s.is_number())
      return static_cast<double>(CodePoints(v)) <= s.get<double>() ||
             No(why, "maxLength " + s.dump());
    if (k == "pattern" && s.is_string())
      return PatternMatches(s.get<std::string>(), v) || No(why, "pattern " + s.dump());
    if (k == "format" && s.is_string())
      return FormatHolds(s.get<std::string>(), v) || No(why, "format " + s.dump());
    return true;
  }

  bool ArrayKeyword(const json& schema, const std::string& k, const json& s, const json& v,
                    std::string* why, int depth) const {
    if (k == "items") {
      if (s.is_array()) {
        const json* additional = nullptr;
        if (auto a = schema.find("additionalItems"); a != schema.end()) additional = &*a;
        for (std::size_t i = 0; i < v.size(); ++i) {
          const json* item_schema = i < s.size() ? &s[i] : additional;
          if (item_schema == nullptr) break;
          if (!Below(why, std::to_string(i), Valid(*item_schema, v[i], why, depth + 1)))
            return false;
        }
        return true;
      }
      for (std::size_t i = 0; i < v.size(); ++i) {
        if (!Below(why, std::to_string(i), Valid(s, v[i], why, depth + 1))) return false;
      }
      return true;
    }
    if (k == "minItems" && s.is_number())
      return static_cast<double>(v.size()) >= s.get<double>() || No(why, "minItems " + s.dump());
    if (k == "maxItems" && s.is_number())
      return static_cast<double>(v.size()) <= s.get<double>() || No(why, "maxItems " + s.dump());
    if (k == "uniqueItems" && s == json(true)) {
      for (std::size_t i = 0; i < v.size(); ++i) {
        for (std::size_t j = i + 1; j < v.size(); ++j) {
          if (v[i] == v[j])
            return No(why, "uniqueItems: items " + std::to_string(i) + " and " + std::to_string(j) +
                               " are equal");
        }
      }
      return true;
    }
    if (k == "contains") {
      for (const json& item : v) {
        if (Valid(s, item, nullptr, depth + 1)) return true;
      }
      return No(why, "contains");
    }
    return true;
  }

  // Whether member `name` is named by the schema's properties or patternProperties.
  static bool Covered(const json& schema, const std::string& name) {
    if (auto p = schema.find("properties");
        p != schema.end() && p->is_object() && p->contains(name))
      return true;
    if (auto pp = schema.find("patternProperties"); pp != schema.end() && pp->is_object()) {
      for (auto it = pp->begin(); it != pp->end(); ++it) {
        if (PatternMatches(it.key(), name)) return true;
      }
    }
    return false;
  }

  bool ObjectKeyword(const json& schema, const std::string& k, const json& s, const json& v,
                     std::string* why, int depth) const {
    if (k == "properties" && s.is_object()) {
      for (auto it = s.begin(); it != s.end(); ++it) {
        auto member = v.find(it.key());
        if (member == v.end()) continue;
        if (!Below(why, it.key(), Valid(it.value(), *member, why, depth + 1))) return false;
      }
      return true;
    }
    if (k == "patternProperties" && s.is_object()) {
      for (auto pit = s.begin(); pit != s.end(); ++pit) {
        for (auto it = v.begin(); it != v.end(); ++it) {
          if (!PatternMatches(pit.key(), it.key())) continue;
          if (!Below(why, it.key(), Valid(pit.value(), it.value(), why, depth + 1))) return false;
        }
      }
      return true;
    }
    if (k == "additionalProperties") {
      for (auto it = v.begin(); it != v.end(); ++it) {
        if (Covered(schema, it.key())) continue;
        if (s == json(false)) return No(why, "additionalProperties: member '" + it.key() + "'");
        if (!Below(why, it.key(), Valid(s, it.value(), why, depth + 1))) return false;
      }
      return true;
    }
    if (k == "required" && s.is_array()) {
      for (const json& name : s) {
        if (name.is_string() && !v.contains(name.get<std::string>()))
          return No(why, "required member " + name.dump() + " is missing");
      }
      return true;
    }
    if (k == "minProperties" && s.is_number())
      return static_cast<double>(v.size()) >= s.get<double>() ||
             No(why, "minProperties " + s.dump());
    if (k == "maxProperties" && s.is_number())
      return static_cast<double>(v.size()) <= s.get<double>() ||
             No(why, "maxProperties " + s.dump());
    if (k == "dependencies" && s.is_object()) {
      for (auto it = s.begin(); it != s.end(); ++it) {
        if (!v.contains(it.key())) continue;
        if (it.value().is_array()) {
          for (const json& name : it.value()) {
            if (name.is_string() && !v.contains(name.get<std::string>()))
              return No(why, "dependencies: " + it.key() + " needs " + name.dump());
          }
        } else if (!Valid(it.value(), v, why, depth + 1)) {
          return false;
        }
      }
      return true;
    }
    if (k == "propertyNames") {
      for (auto it = v.begin(); it != v.end(); ++it) {
        if (!Valid(s, json(it.key()), nullptr, depth + 1))
          return No(why, "propertyNames: '" + it.key() + "'");
      }
      return true;
    }
    return true;
  }

  const json& root_;
};

// --- constraints: every schema that applies at one place of the value, merged ---

enum TypeBit : unsigned {
  kNullBit = 1U,
  kBooleanBit = 2U,
  kObjectBit = 4U,
  kArrayBit = 8U,
  kStringBit = 16U,
  kIntegerBit = 32U,
  kFractionBit = 64U,  // a number that need not be an integer
};
constexpr unsigned kAnyType = 127U;

unsigned TypeBits(std::string_view t) {
  if (t == "null") return kNullBit;
  if (t == "boolean") return kBooleanBit;
  if (t == "object") return kObjectBit;
  if (t == "array") return kArrayBit;
  if (t == "string") return kStringBit;
  if (t == "integer") return kIntegerBit;
  if (t == "number") return kIntegerBit | kFractionBit;
  return 0;
}

struct Source {
  const json* schema = nullptr;
  std::string pointer;  // into the root schema
};

struct Bound {
  bool set = false;
  double value = 0;
  bool exclusive = false;
  std::size_t source = 0;
};

struct Alternatives {
  enum class Kind { kAnyOf, kOneOf, kConditional };
  Kind kind = Kind::kAnyOf;
  std::size_t source = 0;                     // the schema holding them
  std::vector<std::vector<Source>> branches;  // each merged as a whole when chosen
};

struct ClosedObject {  // additionalProperties of one schema object
  const json* owner = nullptr;
  std::optional<Source> schema;  // nullopt: false (no other member allowed)
  std::size_t source = 0;
};

struct Constraints {
  std::vector<Source> sources;  // every schema object merged here, in order
  std::optional<std::string> conflict;

  unsigned types = kAnyType;
  std::vector<std::string> type_order;  // as the first `type` lists them
  bool typed = false;
  bool enumerated = false;
  std::vector<const json*> enum_values;
  std::size_t enum_source = 0;

  Bound minimum, maximum;
  std::vector<std::pair<const json*, std::size_t>> multiples;

  std::size_t min_length = 0, max_length = kUnbounded;
  std::size_t min_length_source = 0, max_length_source = 0;
  std::vector<std::pair<std::string, std::size_t>> patterns;
  std::vector<std::pair<std::string, std::size_t>> formats;

  std::vector<Source> items;  // every item
  struct Tuple {
    std::vector<Source> items;
    std::optional<Source> additional;
    bool closed = false;  // additionalItems: false
  };
  std::vector<Tuple> tuples;
  std::vector<Source> contains;
  std::size_t min_items = 0, max_items = kUnbounded;
  std::size_t min_items_source = 0, max_items_source = 0;
  bool unique_items = false;

  std::map<std::string, std::vector<Source>> properties;
  std::vector<std::string> required;
  std::vector<std::pair<std::string, Source>> pattern_properties;
  std::vector<ClosedObject> closed;
  std::size_t min_properties = 0, max_properties = kUnbounded;
  std::size_t min_properties_source = 0, max_properties_source = 0;
  std::vector<std::pair<std::string, std::vector<std::string>>> dependent_required;
  std::vector<std::pair<std::string, Source>> dependent_schemas;

  std::vector<Alternatives> alternatives;
  bool needs_check = false;  // a constraint the generator does not build values from
  bool object_hints = false, array_hints = false, string_hints = false, number_hints = false;
};

std::string Shown(const std::string& pointer) {
  return pointer.empty() ? "/" : pointer;
}

std::size_t CountOf(const json& v) {
  if (v.is_number_unsigned()) return static_cast<std::size_t>(v.get<std::uint64_t>());
  if (v.is_number_integer()) {
    const auto i = v.get<std::int64_t>();
    return i < 0 ? 0 : static_cast<std::size_t>(i);
  }
  if (v.is_number_float()) {
    const double d = v.get<double>();
    if (!(d > 0)) return 0;
    return d >= static_cast<double>(kUnbounded) ? kUnbounded
                                                : static_cast<std::size_t>(std::ceil(d));
  }
  return 0;
}

// A count an upper bound allows (maxLength 2.5 allows 2).
std::size_t UpperCount(const json& v) {
  if (v.is_number_float()) {
    const double d = std::floor(v.get<double>());
    if (!(d > 0)) return 0;
    return d >= static_cast<double>(kUnbounded) ? kUnbounded : static_cast<std::size_t>(d);
  }
  return CountOf(v);
}

// A min*/max* count keyword (minLength, minItems, minProperties and their max) tightens the bound
// it names when it is stricter, and the bound remembers which schema set it.
void RaiseCountFloor(const json& v, std::size_t src, std::size_t& floor,
                     std::size_t& floor_source) {
  if (CountOf(v) < floor) return;
  floor = CountOf(v);
  floor_source = src;
}

void LowerCountCeiling(const json& v, std::size_t src, std::size_t& ceiling,
                       std::size_t& ceiling_source) {
  if (!v.is_number() || UpperCount(v) > ceiling) return;
  ceiling = UpperCount(v);
  ceiling_source = src;
}

// An index of the input's members by name, breadth first (shallowest first).
class InputIndex {
 public:
  explicit InputIndex(const json& input) : input_(input) {}

  // The values of members called `name`: the one whose parent is `parent` first.
  template <typename Visit>
  bool ForEach(const std::string& name, const std::string& parent, Visit visit) {
    Build();
    auto it = by_name_.find(name);
    if (it == by_name_.end()) return false;
    for (const Entry& e : it->second) {
      if (e.parent == parent && visit(*e.value)) return true;
    }
    for (const Entry& e : it->second) {
      if (e.parent != parent && visit(*e.value)) return true;
    }
    return false;
  }

 private:
  struct Entry {
    std::string parent;
    const json* value;
  };
  void Build() {
    if (built_) return;
    built_ = true;
    std::vector<std::pair<std::string, const json*>> level{{"", &input_}};
    for (int depth = 0; depth < kMaxDepth && !level.empty(); ++depth) {
      std::vector<std::pair<std::string, const json*>> next;
      for (const auto& [pointer, node] : level) {
        if (node->is_object()) {
          for (auto it = node->begin(); it != node->end(); ++it) {
            by_name_[it.key()].push_back(Entry{pointer, &it.value()});
            if (it->is_structured()) next.emplace_back(AppendPointer(pointer, it.key()), &*it);
          }
        } else if (node->is_array()) {
          for (std::size_t i = 0; i < node->size(); ++i) {
            if ((*node)[i].is_structured())
              next.emplace_back(AppendPointer(pointer, i), &(*node)[i]);
          }
        }
      }
      level = std::move(next);
    }
  }

  const json& input_;
  bool built_ = false;
  std::unordered_map<std::string, std::vector<Entry>> by_name_;
};

std::string ParentOf(const std::string& pointer) {
  const std::size_t slash = pointer.rfind('/');
  return slash == std::string::npos ? std::string() : pointer.substr(0, slash);
}

class Generator {
 public:
  Generator(const json& root, const json& input, std::uint64_t seed, bool all_members)
      : root_(root), checker_(root), index_(input), rng_(seed), all_members_(all_members) {}

  Result<json> Root() {
    Constraints c;
    Merge(c, root_, "", 0);
    auto value = Value(std::move(c), "", "", 0);
    if (!value) return value;
    std::string why;
    if (!checker_.Check(root_, *value, &why)) {
      return Fail(Code::kInvalidArgument,
                  "schema /: no valid value was found; a made-up value fails at " + why);
    }
    return value;
  }

 private:
  static void Conflict(Constraints& c, const std::string& pointer, const std::string& why) {
    if (!c.conflict) c.conflict = "schema " + Shown(pointer) + ": " + why;
  }

  const std::string& Where(const Constraints& c, std::size_t source) const {
    return c.sources[source].pointer;
  }

  // Adds `schema` (at `pointer` in the root) to `c`.
  void Merge(Constraints& c, const json& schema, const std::string& pointer, int depth) {
    if (depth > kMaxDepth) {
      Conflict(
          c, pointer,
          "schemas nest deeper than " + std::to_string(kMaxDepth) + " levels (a recursive $ref?)");
      return;
    }
    if (schema.is_boolean()) {
      if (!schema.get<bool>()) Conflict(c, pointer, "the schema is false: no value is valid");
      return;
    }
    if (!schema.is_object()) return;
    if (auto ref = schema.find("$ref"); ref != schema.end() && ref->is_string()) {
      const std::string text = ref->get<std::string>();
      const json* target = ResolveLocal(root_, text);
      if (target == nullptr) {
        Conflict(c, pointer,
                 "$ref '" + text +
                     "' does not resolve inside the schema (the contract loader "
                     "inlines references between documents)");
        return;
      }
      Merge(c, *target, text.substr(1), depth + 1);
      return;
    }
    const std::size_t src = c.sources.size();
    c.sources.push_back(Source{&schema, pointer});
    for (auto it = schema.begin(); it != schema.end(); ++it)
      MergeKeyword(c, schema, pointer, it.key(), it.value(), src, depth);
    MergeNumberBounds(c, schema, src);
  }

  void MergeNumberBounds(Constraints& c, const json& schema, std::size_t src) {
    const auto tighten = [&](Bound& b, double value, bool exclusive, bool lower) {
      const bool tighter = !b.set || (lower ? value > b.value : value < b.value) ||
                           (value == b.value && exclusive && !b.exclusive);
      if (tighter) b = Bound{true, value, exclusive, src};
      c.number_hints = true;
    };
    const json none;
    const json& min = schema.contains("minimum") ? schema["minimum"] : none;
    const json& max = schema.contains("maximum") ? schema["maximum"] : none;
    const json& emin = schema.contains("exclusiveMinimum") ? schema["exclusiveMinimum"] : none;
    const json& emax = schema.contains("exclusiveMaximum") ? schema["exclusiveMaximum"] : none;
    if (min.is_number()) tighten(c.minimum, min.get<double>(), emin == json(true), true);
    if (max.is_number()) tighten(c.maximum, max.get<double>(), emax == json(true), false);
    if (emin.is_number()) tighten(c.minimum, emin.get<double>(), true, true);
    if (emax.is_number()) tighten(c.maximum, emax.get<double>(), true, false);
  }

  // `at`: the pointer of `schema` (not a reference into c.sources, which merging grows).
  void MergeKeyword(Constraints& c, const json& schema, const std::string& at, const std::string& k,
                    const json& v, std::size_t src, int depth) {
    if (k == "type") {
      unsigned bits = 0;
      std::vector<std::string> order;
      if (v.is_string()) {
        bits = TypeBits(v.get<std::string>());
        order.push_back(v.get<std::string>());
      } else if (v.is_array()) {
        for (const json& t : v) {
          if (!t.is_string()) continue;
          bits |= TypeBits(t.get<std::string>());
          order.push_back(t.get<std::string>());
        }
      }
      if (!c.typed) c.type_order = std::move(order);
      c.typed = true;
      c.types &= bits;
      if (c.types == 0) Conflict(c, at, "type " + v.dump() + " leaves no type the others allow");
    } else if (k == "enum" || k == "const") {
      std::vector<const json*> values;
      if (k == "const") {
        values.push_back(&v);
      } else if (v.is_array()) {
        for (const json& e : v)
          values.push_back(&e);
      }
      if (c.enumerated) {
        std::vector<const json*> kept;
        for (const json* old : c.enum_values) {
          for (const json* e : values) {
            if (SameValue(*old, *e)) {
              kept.push_back(old);
              break;
            }
          }
        }
        values = std::move(kept);
      }
      c.enumerated = true;
      c.enum_values = std::move(values);
      c.enum_source = src;
      if (c.enum_values.empty())
        Conflict(c, at, k + " " + v.dump() + " leaves no value the other enum/const allow");
    } else if (k == "multipleOf") {
      if (v.is_number() && v.get<double>() > 0) c.multiples.emplace_back(&v, src);
      c.number_hints = true;
    } else if (k == "minLength") {
      RaiseCountFloor(v, src, c.min_length, c.min_length_source);
      c.string_hints = true;
    } else if (k == "maxLength") {
      LowerCountCeiling(v, src, c.max_length, c.max_length_source);
      c.string_hints = true;
    } else if (k == "pattern") {
      if (v.is_string()) c.patterns.emplace_back(v.get<std::string>(), src);
      if (c.patterns.size() > 1 || !c.formats.empty()) c.needs_check = true;
      c.string_hints = true;
    } else if (k == "format") {
      if (v.is_string() && IsKnownFormat(v.get<std::string>())) {
        c.formats.emplace_back(v.get<std::string>(), src);
        if (c.formats.size() > 1 || !c.patterns.empty()) c.needs_check = true;
        c.string_hints = true;
      }
    } else if (k == "items") {
      if (v.is_array()) {
        Constraints::Tuple tuple;
        for (std::size_t i = 0; i < v.size(); ++i)
          tuple.items.push_back(Source{&v[i], AppendPointer(at + "/items", i)});
        if (auto a = schema.find("additionalItems"); a != schema.end()) {
          if (*a == json(false))
            tuple.closed = true;
          else
            tuple.additional = Source{&*a, at + "/additionalItems"};
        }
        c.tuples.push_back(std::move(tuple));
      } else {
        c.items.push_back(Source{&v, at + "/items"});
      }
      c.array_hints = true;
    } else if (k == "contains") {
      c.contains.push_back(Source{&v, at + "/contains"});
      c.needs_check = true;
      c.array_hints = true;
    } else if (k == "minItems") {
      RaiseCountFloor(v, src, c.min_items, c.min_items_source);
      c.array_hints = true;
    } else if (k == "maxItems") {
      LowerCountCeiling(v, src, c.max_items, c.max_items_source);
      c.array_hints = true;
    } else if (k == "uniqueItems") {
      if (v == json(true)) c.unique_items = true;
      c.array_hints = true;
    } else if (k == "properties") {
      if (v.is_object()) {
        for (auto it = v.begin(); it != v.end(); ++it)
          c.properties[it.key()].push_back(
              Source{&it.value(), AppendPointer(at + "/properties", it.key())});
      }
      c.object_hints = true;
    } else if (k == "required") {
      if (v.is_array()) {
        for (const json& name : v) {
          if (name.is_string() && std::find(c.required.begin(), c.required.end(),
                                            name.get<std::string>()) == c.required.end())
            c.required.push_back(name.get<std::string>());
        }
      }
      c.object_hints = true;
    } else if (k == "patternProperties") {
      if (v.is_object()) {
        for (auto it = v.begin(); it != v.end(); ++it)
          c.pattern_properties.emplace_back(
              it.key(), Source{&it.value(), AppendPointer(at + "/patternProperties", it.key())});
      }
      c.object_hints = true;
    } else if (k == "additionalProperties") {
      ClosedObject closed{&schema, std::nullopt, src};
      if (v != json(false)) closed.schema = Source{&v, at + "/additionalProperties"};
      c.closed.push_back(std::move(closed));
      c.object_hints = true;
    } else if (k == "minProperties") {
      RaiseCountFloor(v, src, c.min_properties, c.min_properties_source);
      c.object_hints = true;
    } else if (k == "maxProperties") {
      LowerCountCeiling(v, src, c.max_properties, c.max_properties_source);
      c.object_hints = true;
    } else if (k == "dependencies") {
      if (v.is_object()) {
        for (auto it = v.begin(); it != v.end(); ++it) {
          if (it.value().is_array()) {
            std::vector<std::string> names;
            for (const json& n : it.value()) {
              if (n.is_string()) names.push_back(n.get<std::string>());
            }
            c.dependent_required.emplace_back(it.key(), std::move(names));
          } else {
            c.dependent_schemas.emplace_back(
                it.key(), Source{&it.value(), AppendPointer(at + "/dependencies", it.key())});
          }
        }
      }
      c.object_hints = true;
    } else if (k == "propertyNames") {
      c.needs_check = true;
      c.object_hints = true;
    } else if (k == "allOf") {
      if (v.is_array()) {
        for (std::size_t i = 0; i < v.size(); ++i)
          Merge(c, v[i], AppendPointer(at + "/allOf", i), depth + 1);
      }
    } else if (k == "anyOf" || k == "oneOf") {
      if (v.is_array() && !v.empty()) {
        Alternatives alt;
        alt.kind = k == "anyOf" ? Alternatives::Kind::kAnyOf : Alternatives::Kind::kOneOf;
        alt.source = src;
        for (std::size_t i = 0; i < v.size(); ++i)
          alt.branches.push_back({Source{&v[i], AppendPointer(at + "/" + k, i)}});
        c.alternatives.push_back(std::move(alt));
        if (k == "oneOf") c.needs_check = true;
      }
    } else if (k == "not") {
      c.needs_check = true;
    } else if (k == "if") {
      Alternatives alt;
      alt.kind = Alternatives::Kind::kConditional;
      alt.source = src;
      std::vector<Source> then_branch{Source{&v, at + "/if"}};
      if (auto t = schema.find("then"); t != schema.end())
        then_branch.push_back(Source{&*t, at + "/then"});
      alt.branches.push_back(std::move(then_branch));
      if (auto e = schema.find("else"); e != schema.end())
        alt.branches.push_back({Source{&*e, at + "/else"}});
      else
        alt.branches.emplace_back();
      c.alternatives.push_back(std::move(alt));
      c.needs_check = true;
    }
  }

  bool Conforms(const Constraints& c, const json& value, std::string* why = nullptr) const {
    for (const Source& s : c.sources) {
      if (!checker_.Check(*s.schema, value, why)) return false;
    }
    return true;
  }

  // A value for everything merged in `c`, at `at` (a pointer into the value) under member
  // `name` (empty for the root and array items).
  Result<json> Value(Constraints c, const std::string& at, const std::string& name, int depth) {
    if (c.conflict) return Fail(Code::kInvalidArgument, *c.conflict);
    const std::string& here = c.sources.empty() ? at : c.sources.front().pointer;
    if (depth > kMaxDepth)
      return Fail(Code::kInvalidArgument, "schema " + Shown(here) + ": the value nests too deep");
    if (!name.empty()) {
      std::optional<json> copied;
      index_.ForEach(name, ParentOf(at), [&](const json& candidate) {
        if (!Conforms(c, candidate)) return false;
        copied = candidate;
        return true;
      });
      if (copied) return *copied;
    }
    if (!c.alternatives.empty()) return Choose(std::move(c), at, depth);
    if (c.enumerated) return FromEnum(c, here);

    std::optional<Error> first_error;
    for (unsigned type : TypesToTry(c)) {
      const int attempts = c.needs_check ? 12 : 1;
      for (int attempt = 0; attempt < attempts; ++attempt) {
        auto value = OfType(c, type, at, name, depth);
        if (!value) {
          if (!first_error) first_error = value.error();
          break;  // the same constraints fail the same way
        }
        std::string why;
        if (!c.needs_check || Conforms(c, *value, &why)) return value;
        if (!first_error) {
          first_error = Error(Code::kInvalidArgument, "schema " + Shown(here) +
                                                          ": no value satisfying every constraint "
                                                          "was found (a made-up value fails at " +
                                                          why + ")");
        }
      }
    }
    if (first_error) return tl::unexpected(*first_error);
    return Fail(Code::kInvalidArgument, "schema " + Shown(here) + ": no type can be produced");
  }

  Result<json> Choose(Constraints c, const std::string& at, int depth) {
    Alternatives alt = std::move(c.alternatives.front());
    c.alternatives.erase(c.alternatives.begin());
    std::optional<Error> first_error;
    for (const std::vector<Source>& branch : alt.branches) {
      Constraints b = c;
      for (const Source& s : branch)
        Merge(b, *s.schema, s.pointer, depth + 1);
      auto value = Value(std::move(b), at, "", depth);
      if (value) return value;
      if (!first_error) first_error = value.error();
    }
    if (alt.kind == Alternatives::Kind::kConditional && first_error) {
      return tl::unexpected(*first_error);
    }
    const std::string kind = alt.kind == Alternatives::Kind::kAnyOf ? "anyOf" : "oneOf";
    return Fail(Code::kInvalidArgument,
                "schema " + Shown(Where(c, alt.source)) + ": no branch of " + kind +
                    " can be produced (first branch: " +
                    (first_error ? first_error->message() : std::string("empty")) + ")");
  }

  Result<json> FromEnum(const Constraints& c, const std::string& here) {
    const std::size_t n = c.enum_values.size();
    const std::size_t start = rng_.Below(n);
    for (std::size_t k = 0; k < n; ++k) {
      const json& candidate = *c.enum_values[(start + k) % n];
      if (Conforms(c, candidate)) return candidate;
    }
    return Fail(Code::kInvalidArgument, "schema " + Shown(Where(c, c.enum_source)) +
                                            ": no value of its enum/const satisfies the "
                                            "other constraints at " +
                                            Shown(here));
  }

  static std::vector<unsigned> TypesToTry(const Constraints& c) {
    std::vector<unsigned> out;
    const auto add = [&](unsigned bit) {
      if ((c.types & bit) != 0 && std::find(out.begin(), out.end(), bit) == out.end())
        out.push_back(bit);
    };
    if (c.typed) {
      for (const std::string& t : c.type_order) {
        const unsigned bits = TypeBits(t);
        if (bits == (kIntegerBit | kFractionBit)) {
          add((c.types & kFractionBit) != 0 ? kFractionBit : kIntegerBit);
        } else if (bits != kNullBit) {
          add(bits);
        }
      }
      add(kFractionBit);
      add(kIntegerBit);
      add(kNullBit);  // only once nothing else can be made
      return out;
    }
    if (c.object_hints) add(kObjectBit);
    if (c.array_hints) add(kArrayBit);
    if (c.string_hints) add(kStringBit);
    if (c.number_hints) add(c.multiples.empty() ? kFractionBit : kIntegerBit);
    if (out.empty()) add(kStringBit);
    return out;
  }

  Result<json> OfType(const Constraints& c, unsigned type, const std::string& at,
                      const std::string& name, int depth) {
    switch (type) {
      case kNullBit:
        return json(nullptr);
      case kBooleanBit:
        return json(rng_.Coin());
      case kIntegerBit:
        return Integer(c);
      case kFractionBit:
        return Number(c);
      case kStringBit:
        return String(c, name);
      case kArrayBit:
        return Array(c, at, depth);
      default:
        return Object(c, at, depth);
    }
  }

  // 10 for 10.0, else the shortest form that reads back the same.
  static std::string Decimal(double v) {
    if (std::floor(v) == v && std::fabs(v) < kMaxExactInteger)
      return std::to_string(static_cast<std::int64_t>(v));
    return json(v).dump();
  }

  // The bounds as text, for errors.
  std::string Range(const Constraints& c) const {
    std::string s;
    if (c.minimum.set)
      s += (c.minimum.exclusive ? "exclusiveMinimum " : "minimum ") + Decimal(c.minimum.value) +
           " (" + Shown(Where(c, c.minimum.source)) + ")";
    if (c.maximum.set)
      s += std::string(s.empty() ? "" : ", ") +
           (c.maximum.exclusive ? "exclusiveMaximum " : "maximum ") + Decimal(c.maximum.value) +
           " (" + Shown(Where(c, c.maximum.source)) + ")";
    return s;
  }

  std::optional<std::int64_t> IntegerStep(const json& divisor) const {
    if (divisor.is_number_integer()) return divisor.get<std::int64_t>();
    const double d = divisor.get<double>();
    for (int j = 1; j <= 1000; ++j) {
      const double v = d * j;
      const double r = std::round(v);
      if (r > 0 && r < kMaxExactInteger && std::fabs(v - r) <= 1e-9 * std::max(1.0, v) &&
          IsMultiple(json(static_cast<std::int64_t>(r)), divisor))
        return static_cast<std::int64_t>(r);
    }
    return std::nullopt;
  }

  Result<json> Integer(const Constraints& c) {
    const std::string& here = c.sources.empty() ? std::string() : c.sources.front().pointer;
    double lo = -kMaxExactInteger;
    double hi = kMaxExactInteger;
    if (c.minimum.set)
      lo = std::max(
          lo, c.minimum.exclusive ? std::floor(c.minimum.value) + 1 : std::ceil(c.minimum.value));
    if (c.maximum.set)
      hi = std::min(
          hi, c.maximum.exclusive ? std::ceil(c.maximum.value) - 1 : std::floor(c.maximum.value));
    if (lo > hi)
      return Fail(Code::kInvalidArgument,
                  "schema " + Shown(c.maximum.set ? Where(c, c.maximum.source) : here) +
                      ": no integer satisfies " + Range(c));
    std::int64_t step = 1;
    for (const auto& [divisor, src] : c.multiples) {
      auto s = IntegerStep(*divisor);
      if (!s) {
        return Fail(Code::kInvalidArgument, "schema " + Shown(Where(c, src)) + ": multipleOf " +
                                                divisor->dump() + " has no integer multiple");
      }
      const std::int64_t g = std::gcd(step, *s);
      const double lcm = static_cast<double>(step / g) * static_cast<double>(*s);
      if (lcm >= kMaxExactInteger)
        return Fail(Code::kInvalidArgument, "schema " + Shown(Where(c, src)) +
                                                ": the multipleOf values have no common multiple "
                                                "below 2^53");
      step = static_cast<std::int64_t>(lcm);
    }
    const auto fstep = static_cast<double>(step);
    const double k_lo = std::ceil(lo / fstep);
    const double k_hi = std::floor(hi / fstep);
    if (k_lo > k_hi) {
      return Fail(Code::kInvalidArgument, "schema " + Shown(here) + ": no multiple of " +
                                              std::to_string(step) + " satisfies " + Range(c));
    }
    // Near the lower bound when there is one, else near the upper one, else from 0 up.
    double from = k_lo;
    if (!c.minimum.set) from = c.maximum.set ? std::max(k_lo, k_hi - 100) : std::max(k_lo, 0.0);
    const double to = std::min(k_hi, from + 100);
    const double k =
        from + static_cast<double>(rng_.Below(static_cast<std::size_t>(to - from) + 1));
    return json(static_cast<std::int64_t>(k) * step);
  }

  bool InBounds(const Constraints& c, double v) const {
    if (c.minimum.set && (c.minimum.exclusive ? !(v > c.minimum.value) : !(v >= c.minimum.value)))
      return false;
    if (c.maximum.set && (c.maximum.exclusive ? !(v < c.maximum.value) : !(v <= c.maximum.value)))
      return false;
    return std::isfinite(v);
  }

  // A number: with two decimals when nothing else asks, a multiple of multipleOf otherwise.
  Result<json> Number(const Constraints& c) {
    const std::string& here = c.sources.empty() ? std::string() : c.sources.front().pointer;
    if (c.minimum.set && c.maximum.set &&
        (c.minimum.value > c.maximum.value ||
         (c.minimum.value == c.maximum.value && (c.minimum.exclusive || c.maximum.exclusive)))) {
      return Fail(Code::kInvalidArgument, "schema " + Shown(Where(c, c.maximum.source)) +
                                              ": no number satisfies " + Range(c));
    }
    double lo = 0;
    double hi = 1000;
    if (c.minimum.set && c.maximum.set) {
      lo = c.minimum.value;
      hi = c.maximum.value;
    } else if (c.minimum.set) {
      lo = c.minimum.value;
      hi = lo + 1000;
    } else if (c.maximum.set) {
      hi = c.maximum.value;
      lo = hi - 1000;
    }
    const auto emit = [](double v) {
      if (std::floor(v) == v && std::fabs(v) < kMaxExactInteger)
        return json(static_cast<std::int64_t>(v));
      return json(v);
    };
    if (!c.multiples.empty()) {
      const json& divisor = *c.multiples.front().first;
      const double d = divisor.get<double>();
      const double k_lo = std::ceil(lo / d) - 1;
      const double k_hi = std::floor(hi / d) + 1;
      if (k_hi - k_lo > 1e15)
        return Fail(Code::kInvalidArgument,
                    "schema " + Shown(here) + ": multipleOf " + divisor.dump() + " is too small");
      const double span = std::min(k_hi - k_lo, 100.0);
      const double start = k_lo + std::floor(rng_.Unit() * span);
      for (double k = 0; k <= k_hi - k_lo && k < 4000; ++k) {
        const double kk = k_lo + std::fmod(start - k_lo + k, k_hi - k_lo + 1);
        char text[64];
        std::snprintf(text, sizeof text, "%.15g", kk * d);
        for (double v : {kk * d, std::strtod(text, nullptr)}) {
          const json candidate = emit(v);
          if (!InBounds(c, v)) continue;
          bool all = true;
          for (const auto& m : c.multiples)
            all = all && IsMultiple(candidate, *m.first);
          if (all) return candidate;
        }
      }
      return Fail(Code::kInvalidArgument,
                  "schema " + Shown(Where(c, c.multiples.front().second)) + ": no multiple of " +
                      divisor.dump() +
                      (c.minimum.set || c.maximum.set ? " satisfies " + Range(c) : " was found"));
    }
    const double raw = lo + rng_.Unit() * (hi - lo);
    for (double v :
         {std::round(raw * 100) / 100, std::floor(raw * 100) / 100, std::ceil(raw * 100) / 100,
          std::round(raw), raw, lo + (hi - lo) / 2, std::nextafter(lo, hi)}) {
      if (InBounds(c, v)) return json(v);
    }
    return Fail(Code::kInvalidArgument,
                "schema " + Shown(here) + ": no number satisfies " + Range(c));
  }

  Result<json> String(const Constraints& c, const std::string& name) {
    if (c.min_length > c.max_length) {
      return Fail(Code::kInvalidArgument, "schema " + Shown(Where(c, c.max_length_source)) +
                                              ": maxLength " + std::to_string(c.max_length) +
                                              " is below minLength " +
                                              std::to_string(c.min_length) + " (" +
                                              Shown(Where(c, c.min_length_source)) + ")");
    }
    const auto failing = [&](std::size_t source, const Error& e) {
      return Fail(Code::kInvalidArgument, "schema " + Shown(Where(c, source)) + ": " + e.message());
    };
    if (!c.formats.empty()) {
      auto s = StringForFormat(c.formats.front().first, c.min_length, c.max_length, rng_);
      if (!s) return failing(c.formats.front().second, s.error());
      return json(std::move(*s));
    }
    if (!c.patterns.empty()) {
      auto s = StringForPattern(c.patterns.front().first, c.min_length, c.max_length, rng_);
      if (!s) return failing(c.patterns.front().second, s.error());
      return json(std::move(*s));
    }
    std::string s = (name.empty() ? std::string("value") : name) + "-" + RandomChars(4, kHex, rng_);
    if (CodePoints(s) > c.max_length) s = FirstCodePoints(s, c.max_length);
    const std::size_t have = CodePoints(s);
    if (have < c.min_length) s += RandomChars(c.min_length - have, kAlnum, rng_);
    return json(std::move(s));
  }

  // Every schema that applies to item `index` of an array.
  Constraints ItemConstraints(const Constraints& c, std::size_t index, int depth) {
    Constraints item;
    for (const Source& s : c.items)
      Merge(item, *s.schema, s.pointer, depth + 1);
    for (const Constraints::Tuple& t : c.tuples) {
      if (index < t.items.size())
        Merge(item, *t.items[index].schema, t.items[index].pointer, depth + 1);
      else if (t.additional)
        Merge(item, *t.additional->schema, t.additional->pointer, depth + 1);
    }
    return item;
  }

  Result<json> Array(const Constraints& c, const std::string& at, int depth) {
    std::size_t max_items = c.max_items;
    std::string max_source = Where(c, c.max_items_source);
    for (const Constraints::Tuple& t : c.tuples) {
      if (t.closed && t.items.size() < max_items) {
        max_items = t.items.size();
        max_source = "additionalItems: false with " + std::to_string(t.items.size()) + " items";
      }
    }
    if (c.min_items > max_items) {
      return Fail(Code::kInvalidArgument, "schema " + Shown(Where(c, c.min_items_source)) +
                                              ": minItems " + std::to_string(c.min_items) +
                                              " is above maxItems " + ShowLength(max_items) + " (" +
                                              Shown(max_source) + ")");
    }
    std::size_t lowest = std::max<std::size_t>(c.min_items, 1);
    if (lowest > max_items) lowest = max_items;
    const std::size_t count =
        static_cast<std::size_t>(rng_.Between(lowest, std::min(max_items, lowest + 2)));
    json out = json::array();
    for (std::size_t i = 0; i < count; ++i) {
      const std::string item_at = AppendPointer(at, i);
      std::optional<Error> error;
      bool placed = false;
      for (int attempt = 0; attempt < (c.unique_items ? 24 : 1) && !placed; ++attempt) {
        Constraints item = ItemConstraints(c, i, depth);
        if (i == 0) {
          for (const Source& s : c.contains)
            Merge(item, *s.schema, s.pointer, depth + 1);
        }
        auto value = Value(std::move(item), item_at, "", depth + 1);
        if (!value) return value;
        if (c.unique_items && std::find(out.begin(), out.end(), *value) != out.end()) continue;
        out.push_back(std::move(*value));
        placed = true;
      }
      if (!placed) {
        if (i >= c.min_items) break;  // fewer items are allowed: stop here
        return Fail(Code::kInvalidArgument,
                    "schema " + Shown(Where(c, c.min_items_source)) +
                        ": uniqueItems with minItems " + std::to_string(c.min_items) + ": no " +
                        std::to_string(i + 1) + " distinct items were found");
      }
    }
    return out;
  }

  // Whether member `name` may be present; when not, `why` names the schema that forbids it.
  bool Allowed(const Constraints& c, const std::string& name, std::string& why) const {
    for (const ClosedObject& closed : c.closed) {
      if (closed.schema) continue;
      bool covered = false;
      if (auto p = closed.owner->find("properties"); p != closed.owner->end() && p->is_object())
        covered = p->contains(name);
      if (auto pp = closed.owner->find("patternProperties");
          !covered && pp != closed.owner->end() && pp->is_object()) {
        for (auto it = pp->begin(); it != pp->end() && !covered; ++it)
          covered = PatternMatches(it.key(), name);
      }
      if (!covered) {
        why = "schema " + Shown(Where(c, closed.source)) + ": member '" + name +
              "' is not allowed by additionalProperties: false";
        return false;
      }
    }
    if (auto p = c.properties.find(name); p != c.properties.end()) {
      for (const Source& s : p->second) {
        if (*s.schema == json(false)) {
          why = "schema " + Shown(s.pointer) + ": member '" + name + "' is false";
          return false;
        }
      }
    }
    return true;
  }

  Constraints MemberConstraints(const Constraints& c, const std::string& name, int depth) {
    Constraints m;
    if (auto p = c.properties.find(name); p != c.properties.end()) {
      for (const Source& s : p->second)
        Merge(m, *s.schema, s.pointer, depth + 1);
    }
    for (const auto& [pattern, s] : c.pattern_properties) {
      if (PatternMatches(pattern, name)) Merge(m, *s.schema, s.pointer, depth + 1);
    }
    for (const ClosedObject& closed : c.closed) {
      if (!closed.schema) continue;
      bool covered = false;
      if (auto p = closed.owner->find("properties"); p != closed.owner->end() && p->is_object())
        covered = p->contains(name);
      if (auto pp = closed.owner->find("patternProperties");
          !covered && pp != closed.owner->end() && pp->is_object()) {
        for (auto it = pp->begin(); it != pp->end() && !covered; ++it)
          covered = PatternMatches(it.key(), name);
      }
      if (!covered) Merge(m, *closed.schema->schema, closed.schema->pointer, depth + 1);
    }
    return m;
  }

  Result<json> Object(const Constraints& given, const std::string& at, int depth) {
    Constraints c = given;
    std::vector<std::string> names;
    const auto present = [&](const std::string& n) {
      return std::find(names.begin(), names.end(), n) != names.end();
    };
    const auto add_optional = [&](const std::string& n) {
      std::string why;
      if (names.size() < c.max_properties && !present(n) && Allowed(c, n, why)) names.push_back(n);
    };
    // Required members, the optional ones when asked, then what their dependencies bring (a
    // dependency schema can require more), until nothing changes.
    std::vector<bool> merged(c.dependent_schemas.size(), false);
    for (bool changed = true; changed;) {
      changed = false;
      for (const std::string& n : c.required) {
        if (present(n)) continue;
        std::string why;
        if (!Allowed(c, n, why)) return Fail(Code::kInvalidArgument, why + ", yet required");
        names.push_back(n);
        changed = true;
      }
      if (all_members_) {
        for (const auto& entry : c.properties) {
          const std::size_t before = names.size();
          add_optional(entry.first);
          changed = changed || names.size() != before;
        }
      }
      for (const auto& [trigger, needed] : c.dependent_required) {
        if (!present(trigger)) continue;
        for (const std::string& n : needed) {
          if (present(n)) continue;
          std::string why;
          if (!Allowed(c, n, why)) return Fail(Code::kInvalidArgument, why + ", yet a dependency");
          names.push_back(n);
          changed = true;
        }
      }
      for (std::size_t i = 0; i < c.dependent_schemas.size(); ++i) {
        if (merged[i] || !present(c.dependent_schemas[i].first)) continue;
        merged[i] = true;
        const Source s = c.dependent_schemas[i].second;
        Merge(c, *s.schema, s.pointer, depth + 1);
        changed = true;
      }
      if (c.conflict) return Fail(Code::kInvalidArgument, *c.conflict);
    }
    if (names.size() > c.max_properties) {
      return Fail(Code::kInvalidArgument,
                  "schema " + Shown(Where(c, c.max_properties_source)) + ": maxProperties " +
                      std::to_string(c.max_properties) + " is below the " +
                      std::to_string(names.size()) + " members that must be present");
    }
    for (const auto& entry : c.properties) {
      if (names.size() >= c.min_properties) break;
      add_optional(entry.first);
    }
    for (std::size_t extra = 1; names.size() < c.min_properties && extra <= c.min_properties;
         ++extra)
      add_optional("property" + std::to_string(extra));
    if (names.size() < c.min_properties) {
      return Fail(Code::kInvalidArgument, "schema " + Shown(Where(c, c.min_properties_source)) +
                                              ": minProperties " +
                                              std::to_string(c.min_properties) +
                                              " cannot be reached with the members allowed");
    }
    json out = json::object();
    for (const std::string& n : names) {
      auto value = Value(MemberConstraints(c, n, depth), AppendPointer(at, n), n, depth + 1);
      if (!value) return tl::unexpected(value.error());
      out[n] = std::move(*value);
    }
    return out;
  }

  const json& root_;
  Checker checker_;
  InputIndex index_;
  Rng rng_;
  bool all_members_;
};

}  // namespace

Result<json> GenerateFromSchema(const json& schema, const json& input, std::uint64_t seed,
                                bool all_members) {
  TrimPatternCache();
  Generator generator(schema, input, seed, all_members);
  return generator.Root();
}

}  // namespace driftline::contract::mock

#include "contract/mock/pattern_sample.h"

#include <cstddef>
#include <regex>
#include <vector>

namespace driftline::contract::mock {
namespace {

// One member of a character class: a range lo..hi, or a class escape (\d, \w, \s and their
// negations, kept as the escape letter).
struct PatternClassItem {
  char lo = 0;
  char hi = 0;
  char escape = 0;  // 'd', 'D', 'w', 'W', 's', 'S'; 0 for a range
};

bool InEscapeClass(char c, char escape) {
  const auto u = static_cast<unsigned char>(c);
  const bool digit = u >= '0' && u <= '9';
  const bool word = digit || (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || c == '_';
  const bool space = c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
  switch (escape) {
    case 'd':
      return digit;
    case 'D':
      return !digit;
    case 'w':
      return word;
    case 'W':
      return !word;
    case 's':
      return space;
    case 'S':
      return !space;
    default:
      return false;
  }
}

// A character of each escape class: \d -> '0', \w -> 'a', ...
char SampleOfEscapeClass(char escape) {
  switch (escape) {
    case 'd':
      return '0';
    case 'w':
    case 'S':
    case 'D':
      return 'a';
    case 's':
      return ' ';
    default:  // 'W'
      return '-';
  }
}

// Recursive descent over the pattern, writing the shortest text of the first branch.
class PatternSampler {
 public:
  explicit PatternSampler(std::string_view pattern) : p_(pattern) {}

  std::optional<std::string> Run() {
    auto out = Alternation();
    if (!out || pos_ != p_.size()) return std::nullopt;
    return out;
  }

 private:
  bool AtEnd() const { return pos_ >= p_.size(); }
  char Peek() const { return p_[pos_]; }

  // branch ('|' branch)*: the first branch's text; the others are only skipped.
  std::optional<std::string> Alternation() {
    auto first = Sequence();
    if (!first) return std::nullopt;
    while (!AtEnd() && Peek() == '|') {
      ++pos_;
      if (!Sequence()) return std::nullopt;
    }
    return first;
  }

  std::optional<std::string> Sequence() {
    std::string out;
    while (!AtEnd() && Peek() != '|' && Peek() != ')') {
      auto atom = Atom();
      if (!atom) return std::nullopt;
      auto times = Quantifier();
      if (!times) return std::nullopt;
      for (std::size_t i = 0; i < *times; ++i)
        out += *atom;
    }
    return out;
  }

  // How many times the atom before is written: the quantifier's least count, 1 without one.
  std::optional<std::size_t> Quantifier() {
    if (AtEnd()) return 1;
    std::size_t times = 1;
    const char c = Peek();
    if (c == '*' || c == '?') {
      times = 0;
      ++pos_;
    } else if (c == '+') {
      ++pos_;
    } else if (c == '{') {
      const std::size_t start = pos_;
      ++pos_;
      std::size_t n = 0;
      bool digits = false;
      while (!AtEnd() && Peek() >= '0' && Peek() <= '9') {
        n = n * 10 + static_cast<std::size_t>(Peek() - '0');
        if (n > 1000) return std::nullopt;
        digits = true;
        ++pos_;
      }
      while (!AtEnd() && ((Peek() >= '0' && Peek() <= '9') || Peek() == ','))
        ++pos_;
      if (!digits || AtEnd() || Peek() != '}') {
        pos_ = start;  // not a quantifier: '{' is a literal, read as the next atom
        return 1;
      }
      ++pos_;
      times = n;
    } else {
      return 1;
    }
    if (!AtEnd() && Peek() == '?') ++pos_;  // lazy
    return times;
  }

  std::optional<std::string> Atom() {
    const char c = Peek();
    ++pos_;
    switch (c) {
      case '^':
      case '$':
        return std::string();
      case '.':
        return std::string("a");
      case '(':
        return Group();
      case '[':
        return Class();
      case '\\':
        return Escape();
      case '*':
      case '+':
      case '?':
        return std::nullopt;  // a quantifier with nothing before it
      default:
        return std::string(1, c);
    }
  }

  std::optional<std::string> Group() {
    if (!AtEnd() && Peek() == '?') {
      if (pos_ + 1 < p_.size() && p_[pos_ + 1] == ':') {
        pos_ += 2;
      } else {
        return std::nullopt;  // lookahead and the like
      }
    }
    auto inner = Alternation();
    if (!inner || AtEnd() || Peek() != ')') return std::nullopt;
    ++pos_;
    return inner;
  }

  // After a backslash outside a class.
  std::optional<std::string> Escape() {
    if (AtEnd()) return std::nullopt;
    const char c = Peek();
    ++pos_;
    switch (c) {
      case 'd':
      case 'D':
      case 'w':
      case 'W':
      case 's':
      case 'S':
        return std::string(1, SampleOfEscapeClass(c));
      case 'b':
      case 'B':
        return std::string();  // a boundary writes nothing; the final check judges it
      default:
        break;
    }
    if (c >= '1' && c <= '9') return std::nullopt;  // back-reference
    auto ch = EscapedChar(c);
    if (!ch) return std::nullopt;
    return std::string(1, *ch);
  }

  // The character an escape such as \n, \x41 or \. stands for (after the letter was read).
  std::optional<char> EscapedChar(char c) {
    switch (c) {
      case 'n':
        return '\n';
      case 't':
        return '\t';
      case 'r':
        return '\r';
      case 'f':
        return '\f';
      case 'v':
        return '\v';
      case '0':
        return '\0';
      case 'x': {
        if (pos_ + 2 > p_.size()) return std::nullopt;
        int value = 0;
        for (int i = 0; i < 2; ++i) {
          const char h = p_[pos_++];
          value *= 16;
          if (h >= '0' && h <= '9') {
            value += h - '0';
          } else if (h >= 'a' && h <= 'f') {
            value += h - 'a' + 10;
          } else if (h >= 'A' && h <= 'F') {
            value += h - 'A' + 10;
          } else {
            return std::nullopt;
          }
        }
        if (value > 0x7f) return std::nullopt;
        return static_cast<char>(value);
      }
      case 'u':
      case 'c':
        return std::nullopt;
      default:
        return c;  // an escaped literal: \. \- \/ ...
    }
  }

  static bool IsClassEscape(char e) {
    return e == 'd' || e == 'D' || e == 'w' || e == 'W' || e == 's' || e == 'S';
  }

  // One character of a class, an escape read as what it stands for (\b is a backspace there).
  std::optional<char> ClassChar() {
    const char c = p_[pos_++];
    if (c != '\\') return c;
    if (AtEnd()) return std::nullopt;
    const char e = p_[pos_++];
    if (e == 'b') return '\b';
    return EscapedChar(e);
  }

  // After '['.
  std::optional<std::string> Class() {
    bool negated = false;
    if (!AtEnd() && Peek() == '^') {
      negated = true;
      ++pos_;
    }
    std::vector<PatternClassItem> items;
    while (!AtEnd() && Peek() != ']') {
      PatternClassItem item;
      if (Peek() == '\\' && pos_ + 1 < p_.size() && IsClassEscape(p_[pos_ + 1])) {
        item.escape = p_[pos_ + 1];
        pos_ += 2;
        items.push_back(item);
        continue;
      }
      auto lo = ClassChar();
      if (!lo) return std::nullopt;
      item.lo = item.hi = *lo;
      if (pos_ + 1 < p_.size() && Peek() == '-' && p_[pos_ + 1] != ']') {
        ++pos_;
        auto hi = ClassChar();
        if (!hi) return std::nullopt;
        item.hi = *hi;
      }
      items.push_back(item);
    }
    if (AtEnd()) return std::nullopt;
    ++pos_;  // ']'
    auto member = [&items](char c) {
      for (const PatternClassItem& i : items) {
        if (i.escape != 0 ? InEscapeClass(c, i.escape) : (c >= i.lo && c <= i.hi)) return true;
      }
      return false;
    };
    if (!negated) {
      if (items.empty()) return std::nullopt;
      const PatternClassItem& first = items.front();
      return std::string(1, first.escape != 0 ? SampleOfEscapeClass(first.escape) : first.lo);
    }
    for (char c : std::string_view("a0A-_ x.Z9")) {
      if (!member(c)) return std::string(1, c);
    }
    return std::nullopt;
  }

  std::string_view p_;
  std::size_t pos_ = 0;
};

}  // namespace

std::optional<std::string> SampleMatching(std::string_view pattern) {
  std::regex compiled;
  try {
    compiled = std::regex(pattern.begin(), pattern.end(), std::regex::ECMAScript);
  } catch (const std::regex_error&) {
    return std::nullopt;
  }
  auto sample = PatternSampler(pattern).Run();
  if (!sample || !std::regex_match(*sample, compiled)) return std::nullopt;
  return sample;
}

}  // namespace driftline::contract::mock

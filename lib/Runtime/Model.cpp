//===- Model.cpp - Load, bind and run compiled Hector models --------------===//
//
// Part of the Hector project.
//
//===----------------------------------------------------------------------===//
//
// Implements Hector/Runtime/Model.h: the consumer side of docs/abi.md.  The
// metadata parser is strict (unknown records, keys or values are errors, with
// the line number), so a model built against another ABI fails at load time
// instead of being called with the wrong parameters.  Entry points take only
// pointers, so a call is dispatched by arity through a table of
// instantiations, one per parameter count.
//
//===----------------------------------------------------------------------===//

#include "Hector/Runtime/Model.h"

#include "RuntimeError.h"

#if HECTOR_RUNTIME_CUDA
#include "Hector/Runtime/CUDA.h"
#endif

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstdint>
#include <cstring>
#include <dlfcn.h>
#include <memory>
#include <mutex>
#include <new>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

using hector::runtime::fail;
using hector::runtime::format;
using hector::runtime::lastError;
using hector::runtime::RuntimeFailure;

namespace {

using GenericFn = void (*)();

/// One argument or result record of hector_model_info().
struct ArgRecord {
  HectorArgKind kind = HECTOR_ARG_GRAPH;
  HectorDomain domain = HECTOR_DOMAIN_NONE;
  int64_t nodeType = -1;
  HectorElementType elementType = HECTOR_ELEMENT_F32;
  std::vector<int64_t> shape;
  std::string text;

  int64_t shapeElements() const {
    int64_t n = 1;
    for (int64_t d : shape)
      n *= d; // bounded at parse time
    return n;
  }
};

/// The graph arrays of docs/abi.md, in parameter order, that come from the
/// prepared graph; the last one, the relation choice table, belongs to the
/// binding.
constexpr size_t kRelChoiceArray = HECTOR_MODEL_GRAPH_ARRAYS - 1;
constexpr std::array<HectorPreparedArray, kRelChoiceArray> kGraphArrays = {
        HECTOR_SRC,                HECTOR_DST,
        HECTOR_ETYPE,              HECTOR_NTYPE,
        HECTOR_REL_OFFSETS,        HECTOR_REL_EIDS,
        HECTOR_REL_SRC,            HECTOR_REL_DST,
        HECTOR_IN_INDPTR,          HECTOR_IN_SRC,
        HECTOR_IN_EIDS,            HECTOR_IN_ETYPE,
        HECTOR_OUT_INDPTR,         HECTOR_OUT_DST,
        HECTOR_OUT_EIDS,           HECTOR_OUT_ETYPE,
        HECTOR_NTYPE_OFFSETS,      HECTOR_NTYPE_NODES,
        HECTOR_UNIQUE_SRC_OFFSETS, HECTOR_UNIQUE_SRC_NODES,
        HECTOR_EDGE_TO_UNIQUE_SRC, HECTOR_UNIQUE_SRC_INDPTR,
        HECTOR_UNIQUE_SRC_EIDS,    HECTOR_SRC_PAIR_INDPTR,
        HECTOR_SRC_PAIR_IDS,       HECTOR_UNIQUE_DST_OFFSETS,
        HECTOR_UNIQUE_DST_NODES,   HECTOR_EDGE_TO_UNIQUE_DST,
        HECTOR_UNIQUE_DST_INDPTR,  HECTOR_UNIQUE_DST_EIDS,
        HECTOR_DST_PAIR_INDPTR,    HECTOR_DST_PAIR_IDS,
};

/// The model's `cost-params` record: seconds per unit of each quantity.
struct CostParamsRecord {
  bool present = false;
  std::string target;
  double gemmFlop = 0, otherFlop = 0, byte = 0, gatheredByte = 0;
  double intermediateByte = 0, kernel = 0, cache = 0;
};

/// Graph counts a cost form is linear in (docs/abi.md), in record order.
constexpr const char *kCountNames[] = {"E", "N", "Psrc", "Pdst", "R", "T", "1"};
constexpr size_t kNumCounts = 7;
using CostForm = std::array<double, kNumCounts>;

/// Bytes gathered from one table, and the table's footprint.
struct GatherRecord {
  CostForm bytes{}, table{};
};

/// A `cost-choice` record: the work of one relation that makes the choice.
struct ChoiceRecord {
  CostForm gemmFlops{}, otherFlops{}, bytes{}, gatheredBytes{};
  std::vector<GatherRecord> gathers;
};

/// A function's `cost` record, and its `cost-choice` records.
struct CostRecord {
  bool present = false;
  int64_t kernels = 0;
  CostForm gemmFlops{}, otherFlops{}, bytes{}, gatheredBytes{}, memory{};
  std::vector<GatherRecord> gathers;
  std::vector<ChoiceRecord> choices;
};

} // namespace

struct HectorFunction {
  std::string name, entry;
  /// `variant of=NAME`: this function is a re-association of NAME.
  std::string variantOf;
  /// The variants of this function (for a function others are variants of).
  std::vector<const HectorFunction *> variants;
  CostRecord cost;
  const CostParamsRecord *costParams = nullptr;
  int64_t numParams = 0;
  bool hasSchema = false;
  int64_t numNodeTypes = 0, numRelations = 0;
  bool hasTriples = false;
  std::vector<int64_t> triples; // [R][3]
  std::vector<ArgRecord> args;
  std::vector<int64_t> inputArgs; // rgnn argument of each input buffer
  bool hasGraphArg = false;
  /// One record per result, in order (a combined backward has several).
  std::vector<ArgRecord> results;
  GenericFn entryFn = nullptr;
  HectorTarget target = HECTOR_TARGET_CPU;
  std::string chip; // "sm_80" for CUDA
  /// CUDA: why the model's GPU code did not load (its global constructor
  /// called mgpuModuleLoad*), or "".
  const std::string *gpuLoadError = nullptr;
};

struct HectorModel {
  std::string path, info;
  CostParamsRecord costParams;
  HectorTarget target = HECTOR_TARGET_CPU;
  std::string chip;
  std::string gpuLoadError;
  void *handle = nullptr;
  std::vector<std::unique_ptr<HectorFunction>> functions;

  ~HectorModel() {
    // Loaded with RTLD_NODELETE: the code (and the OpenMP runtime it pulled
    // in, whose worker threads may still be parked) stays mapped.
    if (handle)
      dlclose(handle);
  }
};

struct HectorBoundFunction {
  const HectorFunction *fn = nullptr;
  std::array<void *, HECTOR_MODEL_GRAPH_ARRAYS> graphData{};
  std::array<int64_t, HECTOR_MODEL_GRAPH_ARRAYS> graphSizes{};
  std::array<int64_t, HECTOR_MODEL_GRAPH_ARRAYS> graphElemSize{};
  /// Full buffer shape of every input, then of each result.
  std::vector<std::vector<int64_t>> shapes;
  std::vector<int64_t> numElements;
  /// The relation choice table (the last graph array).
  std::vector<int32_t> relChoice;
  /// CUDA: the graph arrays on the device (one allocation).
  void *deviceGraph = nullptr;
  std::array<void *, HECTOR_MODEL_GRAPH_ARRAYS> deviceGraphData{};

  ~HectorBoundFunction();
};

namespace {

//===----------------------------------------------------------------------===//
// hector_model_info() parser
//===----------------------------------------------------------------------===//

constexpr int64_t kMaxElements = int64_t(1) << 48;

const char *domainName(HectorDomain d) {
  switch (d) {
  case HECTOR_DOMAIN_NONE: return "none";
  case HECTOR_DOMAIN_NODE: return "node";
  case HECTOR_DOMAIN_NODE_OF_TYPE: return "node[t]";
  case HECTOR_DOMAIN_EDGE: return "edge";
  case HECTOR_DOMAIN_SRC_REL: return "src_rel";
  case HECTOR_DOMAIN_DST_REL: return "dst_rel";
  case HECTOR_DOMAIN_RELATION: return "relation";
  case HECTOR_DOMAIN_NODE_TYPE: return "node_type";
  }
  return "?";
}

const char *elementName(HectorElementType t) {
  switch (t) {
  case HECTOR_ELEMENT_F32: return "f32";
  case HECTOR_ELEMENT_F64: return "f64";
  case HECTOR_ELEMENT_I32: return "i32";
  case HECTOR_ELEMENT_I64: return "i64";
  }
  return "?";
}

int64_t elementSize(HectorElementType t) {
  return (t == HECTOR_ELEMENT_F64 || t == HECTOR_ELEMENT_I64) ? 8 : 4;
}

class InfoParser {
public:
  explicit InfoParser(const std::string &text) { split(text); }

  std::vector<std::unique_ptr<HectorFunction>> parse() {
    std::vector<std::unique_ptr<HectorFunction>> fns;
    if (lines.empty() || lines[0] != "hector-model " +
                                          std::to_string(
                                              HECTOR_MODEL_ABI_VERSION)) {
      lineNo = 1;
      std::string first = lines.empty() ? "" : lines[0];
      if (first.rfind("hector-model ", 0) == 0)
        error(format("unsupported model ABI version '%s'; this runtime "
                     "reads version %d",
                     first.substr(13).c_str(), HECTOR_MODEL_ABI_VERSION));
      error("expected 'hector-model " +
            std::to_string(HECTOR_MODEL_ABI_VERSION) + "', got '" +
            clip(first) + "'");
    }
    size_t i = 1;
    if (i < lines.size() && lines[i].rfind("target", 0) == 0) {
      parseTarget(i);
      ++i;
    }
    if (i < lines.size() && lines[i].rfind("cost-params", 0) == 0) {
      parseCostParams(i);
      ++i;
    }
    while (i < lines.size()) {
      fns.push_back(parseFunction(i));
      for (size_t k = 0; k + 1 < fns.size(); ++k)
        if (fns[k]->name == fns.back()->name) {
          lineNo = funcLine;
          error("duplicate function '" + fns.back()->name + "'");
        }
    }
    if (fns.empty()) {
      lineNo = static_cast<int64_t>(lines.size()) + 1;
      error("no 'func' record: the model has no functions");
    }
    for (auto &fn : fns) {
      fn->target = target;
      fn->chip = chip;
    }
    linkVariants(fns);
    return fns;
  }

  HectorTarget target = HECTOR_TARGET_CPU;
  std::string chip;
  CostParamsRecord costParams;

private:
  std::vector<std::string> lines;
  int64_t lineNo = 0;
  int64_t funcLine = 0; // line of the last 'func' record
  std::vector<std::string> fields;

  [[noreturn]] void error(const std::string &msg) {
    throw RuntimeFailure{HECTOR_STATUS_INVALID_ARGUMENT,
                         format("hector_model_info line %lld: %s",
                                static_cast<long long>(lineNo), msg.c_str())};
  }

  static std::string clip(const std::string &s) {
    return s.size() > 80 ? s.substr(0, 77) + "..." : s;
  }

  void split(const std::string &text) {
    size_t start = 0;
    while (start < text.size()) {
      size_t nl = text.find('\n', start);
      if (nl == std::string::npos) {
        lines.push_back(text.substr(start));
        break;
      }
      lines.push_back(text.substr(start, nl - start));
      start = nl + 1;
    }
  }

  /// Splits line `i` into fields, rejecting empty ones.
  void load(size_t i) {
    lineNo = static_cast<int64_t>(i) + 1;
    const std::string &line = lines[i];
    fields.clear();
    size_t start = 0;
    while (true) {
      size_t sp = line.find(' ', start);
      std::string f = line.substr(start, sp == std::string::npos
                                             ? std::string::npos
                                             : sp - start);
      if (f.empty())
        error(line.empty() ? "empty line"
                           : "empty field in '" + clip(line) +
                                 "' (fields are separated by single spaces)");
      for (char c : f)
        if (static_cast<unsigned char>(c) < 0x21 ||
            static_cast<unsigned char>(c) > 0x7e)
          error(format("unexpected character 0x%02x in '%s'",
                       static_cast<unsigned char>(c), clip(line).c_str()));
      fields.push_back(std::move(f));
      if (sp == std::string::npos)
        break;
      start = sp + 1;
    }
  }

  void expectFields(size_t n, const char *form) {
    if (fields.size() != n)
      error(format("expected '%s', got %zu fields", form, fields.size()));
  }

  std::string value(size_t idx, const char *key) {
    const std::string &f = fields[idx];
    std::string prefix = std::string(key) + "=";
    if (f.rfind(prefix, 0) != 0)
      error("expected '" + prefix + "...', got '" + clip(f) + "'");
    std::string v = f.substr(prefix.size());
    if (v.empty())
      error("empty value for '" + std::string(key) + "'");
    return v;
  }

  int64_t integer(const std::string &s, const char *what, int64_t lo,
                  int64_t hi) {
    if (s.empty() || s.size() > 15)
      error("bad " + std::string(what) + " '" + clip(s) + "'");
    int64_t v = 0;
    for (char c : s) {
      if (c < '0' || c > '9')
        error("bad " + std::string(what) + " '" + clip(s) +
              "' (expected a non-negative integer)");
      v = v * 10 + (c - '0');
    }
    if (s.size() > 1 && s[0] == '0')
      error("bad " + std::string(what) + " '" + s + "' (leading zero)");
    if (v < lo || v > hi)
      error(format("%s %lld out of range [%lld, %lld]", what,
                   static_cast<long long>(v), static_cast<long long>(lo),
                   static_cast<long long>(hi)));
    return v;
  }

  static bool isIdentifier(const std::string &s) {
    if (s.empty() || !(isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_'))
      return false;
    for (char c : s)
      if (!(isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' ||
            c == '$'))
        return false;
    return true;
  }

  void parseShape(const std::string &s, ArgRecord &arg) {
    arg.shape.clear();
    if (s == "scalar")
      return;
    size_t start = 0;
    int64_t total = 1;
    while (true) {
      size_t x = s.find('x', start);
      std::string dim = s.substr(start, x == std::string::npos
                                            ? std::string::npos
                                            : x - start);
      if (static_cast<int64_t>(arg.shape.size()) == HECTOR_MODEL_MAX_RANK)
        error(format("shape '%s' has more than %d dimensions",
                     clip(s).c_str(), HECTOR_MODEL_MAX_RANK));
      int64_t d = integer(dim, "dimension", 1, kMaxElements);
      if (total > kMaxElements / d)
        error("shape '" + clip(s) + "' has too many elements");
      total *= d;
      arg.shape.push_back(d);
      if (x == std::string::npos)
        break;
      start = x + 1;
    }
  }

  void parseType(const std::string &s, ArgRecord &arg) {
    static const std::pair<const char *, HectorElementType> kTypes[] = {
        {"f32", HECTOR_ELEMENT_F32},
        {"f64", HECTOR_ELEMENT_F64},
        {"i32", HECTOR_ELEMENT_I32},
        {"i64", HECTOR_ELEMENT_I64}};
    for (const auto &[name, type] : kTypes)
      if (s == name) {
        arg.elementType = type;
        return;
      }
    error("unknown element type '" + clip(s) + "' (expected f32, f64, i32 "
          "or i64)");
  }

  void parseDomain(const std::string &s, const HectorFunction &fn,
                   ArgRecord &arg) {
    static const std::pair<const char *, HectorDomain> kDomains[] = {
        {"node", HECTOR_DOMAIN_NODE},         {"edge", HECTOR_DOMAIN_EDGE},
        {"src_rel", HECTOR_DOMAIN_SRC_REL},   {"dst_rel", HECTOR_DOMAIN_DST_REL},
        {"relation", HECTOR_DOMAIN_RELATION}, {"node_type", HECTOR_DOMAIN_NODE_TYPE}};
    for (const auto &[name, domain] : kDomains)
      if (s == name) {
        arg.domain = domain;
        return;
      }
    if (s.rfind("node[", 0) == 0 && s.back() == ']') {
      arg.domain = HECTOR_DOMAIN_NODE_OF_TYPE;
      arg.nodeType = integer(s.substr(5, s.size() - 6), "node type", 0,
                             fn.numNodeTypes - 1);
      return;
    }
    error("unknown domain '" + clip(s) + "' (expected node, node[t], edge, "
          "src_rel, dst_rel, relation or node_type)");
  }

  /// Parses the fields after `arg I` / `result`, starting at `first`.
  ArgRecord parseValue(size_t first, const HectorFunction &fn, bool isResult) {
    ArgRecord arg;
    const std::string &kind = fields[first];
    if (kind == "graph" && !isResult) {
      expectFields(first + 1, "arg I graph");
      arg.kind = HECTOR_ARG_GRAPH;
    } else if (kind == "feat") {
      expectFields(first + 4, "feat domain=D shape=S type=T");
      if (!fn.hasSchema)
        error("a 'feat' value needs the function's 'graph' record first");
      arg.kind = HECTOR_ARG_FEAT;
      parseDomain(value(first + 1, "domain"), fn, arg);
      parseShape(value(first + 2, "shape"), arg);
      parseType(value(first + 3, "type"), arg);
    } else if (kind == "tensor") {
      expectFields(first + 3, "tensor shape=S type=T");
      arg.kind = HECTOR_ARG_TENSOR;
      parseShape(value(first + 1, "shape"), arg);
      parseType(value(first + 2, "type"), arg);
    } else {
      error("unknown value kind '" + clip(kind) + "' (expected " +
            (isResult ? "feat or tensor" : "graph, feat or tensor") + ")");
    }
    for (size_t k = first; k < fields.size(); ++k)
      arg.text += (k > first ? " " : "") + fields[k];
    return arg;
  }

  void parseTriples(const std::string &s, HectorFunction &fn) {
    if (s == "-")
      return;
    fn.hasTriples = true;
    size_t start = 0;
    while (true) {
      size_t semi = s.find(';', start);
      std::string t = s.substr(start, semi == std::string::npos
                                          ? std::string::npos
                                          : semi - start);
      int64_t r = static_cast<int64_t>(fn.triples.size() / 3);
      if (r >= fn.numRelations)
        error(format("more triples than the %lld relations",
                     static_cast<long long>(fn.numRelations)));
      size_t c1 = t.find(','), c2 = c1 == std::string::npos
                                        ? std::string::npos
                                        : t.find(',', c1 + 1);
      if (c2 == std::string::npos || t.find(',', c2 + 1) != std::string::npos)
        error("bad triple '" + clip(t) + "' (expected s,r,d)");
      int64_t sT = integer(t.substr(0, c1), "triple source type", 0,
                           fn.numNodeTypes - 1);
      int64_t rel = integer(t.substr(c1 + 1, c2 - c1 - 1), "triple relation",
                            0, fn.numRelations - 1);
      int64_t dT = integer(t.substr(c2 + 1), "triple destination type", 0,
                           fn.numNodeTypes - 1);
      if (rel != r)
        error(format("triple %lld names relation %lld (triples are listed "
                     "in relation order)",
                     static_cast<long long>(r), static_cast<long long>(rel)));
      fn.triples.insert(fn.triples.end(), {sT, rel, dT});
      if (semi == std::string::npos)
        break;
      start = semi + 1;
    }
    if (static_cast<int64_t>(fn.triples.size() / 3) != fn.numRelations)
      error(format("%zu triples for %lld relations", fn.triples.size() / 3,
                   static_cast<long long>(fn.numRelations)));
  }

  double real(const std::string &v, const char *what) {
    char *end = nullptr;
    errno = 0;
    double d = std::strtod(v.c_str(), &end);
    if (v.empty() || *end || errno || !std::isfinite(d) || d < 0)
      error(format("bad %s '%s' (expected a nonnegative number)", what,
                   clip(v).c_str()));
    return d;
  }

  /// `cost-params target=T gemm_flop=S other_flop=S byte=S
  /// gathered_byte=S intermediate_byte=S kernel=S cache=B`.
  void parseCostParams(size_t i) {
    load(i);
    expectFields(9, "cost-params target=T gemm_flop=S other_flop=S byte=S "
                    "gathered_byte=S intermediate_byte=S kernel=S cache=B");
    costParams.present = true;
    costParams.target = value(1, "target");
    costParams.gemmFlop = real(value(2, "gemm_flop"), "gemm_flop");
    costParams.otherFlop = real(value(3, "other_flop"), "other_flop");
    costParams.byte = real(value(4, "byte"), "byte");
    costParams.gatheredByte = real(value(5, "gathered_byte"), "gathered_byte");
    costParams.intermediateByte =
        real(value(6, "intermediate_byte"), "intermediate_byte");
    costParams.kernel = real(value(7, "kernel"), "kernel");
    costParams.cache = real(value(8, "cache"), "cache");
  }

  /// "BYTES@TABLE;..." (forms) or "0".
  std::vector<GatherRecord> parseGathers(const std::string &text) {
    std::vector<GatherRecord> gathers;
    if (text == "0")
      return gathers;
    for (const std::string &entry : splitOn(text, ';')) {
      size_t at = entry.find('@');
      if (at == std::string::npos)
        error(format("bad gathers entry '%s' (expected BYTES@TABLE)",
                     clip(entry).c_str()));
      gathers.push_back({parseForm(entry.substr(0, at), "gathers"),
                         parseForm(entry.substr(at + 1), "gathers")});
    }
    return gathers;
  }

  /// The pieces of `text` between `sep` characters.
  static std::vector<std::string> splitOn(const std::string &text, char sep) {
    std::vector<std::string> pieces;
    size_t start = 0;
    while (true) {
      size_t end = text.find(sep, start);
      pieces.push_back(text.substr(
          start, end == std::string::npos ? std::string::npos : end - start));
      if (end == std::string::npos)
        return pieces;
      start = end + 1;
    }
  }

  /// "E:128,Psrc:8192" or "0".
  CostForm parseForm(const std::string &text, const char *what) {
    CostForm form{};
    if (text == "0")
      return form;
    for (const std::string &term : splitOn(text, ',')) {
      size_t colon = term.find(':');
      size_t k = 0;
      if (colon != std::string::npos)
        while (k < kNumCounts && term.compare(0, colon, kCountNames[k]) != 0)
          ++k;
      if (colon == std::string::npos || k == kNumCounts ||
          colon != std::strlen(kCountNames[k]))
        error(format("bad %s term '%s' (expected COUNT:VALUE with COUNT one "
                     "of E, N, Psrc, Pdst, R, T, 1)",
                     what, clip(term).c_str()));
      form[k] += real(term.substr(colon + 1), what);
    }
    return form;
  }

  void parseCost(HectorFunction &fn) {
    if (fn.cost.present)
      error("second 'cost' record in function '" + fn.name + "'");
    expectFields(8, "cost kernels=K gemm_flops=F other_flops=F bytes=F "
                    "gathered_bytes=F memory=F gathers=G");
    fn.cost.present = true;
    fn.cost.kernels = integer(value(1, "kernels"), "kernels", 0, INT32_MAX);
    fn.cost.gemmFlops = parseForm(value(2, "gemm_flops"), "gemm_flops");
    fn.cost.otherFlops = parseForm(value(3, "other_flops"), "other_flops");
    fn.cost.bytes = parseForm(value(4, "bytes"), "bytes");
    fn.cost.gatheredBytes = parseForm(value(5, "gathered_bytes"),
                                      "gathered_bytes");
    fn.cost.memory = parseForm(value(6, "memory"), "memory");
    fn.cost.gathers = parseGathers(value(7, "gathers"));
  }

  void parseCostChoice(HectorFunction &fn) {
    if (!fn.cost.present)
      error("'cost-choice' before the 'cost' record in function '" + fn.name +
            "'");
    expectFields(7, "cost-choice k=K gemm_flops=F other_flops=F bytes=F "
                    "gathered_bytes=F gathers=G");
    int64_t k = integer(value(1, "k"), "k", 0, 255);
    if (k != static_cast<int64_t>(fn.cost.choices.size()))
      error(format("'cost-choice k=%lld' in function '%s' is out of order "
                   "(expected k=%zu)",
                   static_cast<long long>(k), fn.name.c_str(),
                   fn.cost.choices.size()));
    ChoiceRecord c;
    c.gemmFlops = parseForm(value(2, "gemm_flops"), "gemm_flops");
    c.otherFlops = parseForm(value(3, "other_flops"), "other_flops");
    c.bytes = parseForm(value(4, "bytes"), "bytes");
    c.gatheredBytes = parseForm(value(5, "gathered_bytes"), "gathered_bytes");
    c.gathers = parseGathers(value(6, "gathers"));
    fn.cost.choices.push_back(c);
  }

  /// Checks every `variant of=NAME` against NAME and records the variants
  /// of each function.
  void linkVariants(std::vector<std::unique_ptr<HectorFunction>> &fns) {
    for (auto &fn : fns) {
      if (fn->variantOf.empty())
        continue;
      HectorFunction *base = nullptr;
      for (auto &other : fns)
        if (other->name == fn->variantOf)
          base = other.get();
      lineNo = 0;
      if (!base)
        error("function '" + fn->name + "' is a variant of '" +
              fn->variantOf + "', which the model does not have");
      if (!base->variantOf.empty())
        error("function '" + fn->name + "' is a variant of '" + base->name +
              "', which is itself a variant");
      bool same = base->args.size() == fn->args.size() &&
                  base->results.size() == fn->results.size();
      for (size_t k = 0; same && k < fn->results.size(); ++k)
        same = base->results[k].text == fn->results[k].text;
      for (size_t k = 0; same && k < fn->args.size(); ++k)
        same = base->args[k].text == fn->args[k].text;
      if (!same || base->triples != fn->triples)
        error("variant '" + fn->name + "' has another signature or schema "
              "than '" + base->name + "'");
      base->variants.push_back(fn.get());
    }
  }

  /// `target cpu` or `target cuda chip=sm_NN`, right after the version.
  void parseTarget(size_t i) {
    load(i);
    if (fields[0] != "target")
      error("unknown record '" + clip(fields[0]) + "'");
    if (fields.size() < 2)
      error("expected 'target cpu' or 'target cuda chip=sm_NN'");
    if (fields[1] == "cpu") {
      expectFields(2, "target cpu");
      target = HECTOR_TARGET_CPU;
      return;
    }
    if (fields[1] == "cuda") {
      expectFields(3, "target cuda chip=sm_NN");
      std::string c = value(2, "chip");
      bool ok = c.size() > 3 && c.rfind("sm_", 0) == 0 &&
                isdigit(static_cast<unsigned char>(c[3]));
      size_t k = 3;
      while (ok && k < c.size() && isdigit(static_cast<unsigned char>(c[k])))
        ++k;
      // sm_90a, sm_100f: an optional letter suffix.
      if (ok && k < c.size() && k + 1 == c.size() &&
          islower(static_cast<unsigned char>(c[k])))
        ++k;
      if (!ok || k != c.size() || c.size() > 12)
        error("bad chip '" + clip(c) + "' (expected sm_NN, e.g. sm_80)");
      target = HECTOR_TARGET_CUDA;
      chip = c;
      return;
    }
    error("unknown target '" + clip(fields[1]) +
          "' (this runtime runs models compiled for 'cpu' and 'cuda')");
  }

  std::unique_ptr<HectorFunction> parseFunction(size_t &i) {
    auto fn = std::make_unique<HectorFunction>();
    load(i);
    if (fields[0] != "func")
      error("expected a 'func' record, got '" + clip(fields[0]) + "'");
    expectFields(4, "func NAME entry=SYMBOL params=N");
    fn->name = fields[1];
    if (!isIdentifier(fn->name))
      error("bad function name '" + clip(fn->name) + "'");
    fn->entry = value(2, "entry");
    if (!isIdentifier(fn->entry))
      error("bad entry symbol '" + clip(fn->entry) + "'");
    fn->numParams = integer(value(3, "params"), "params", 1,
                            HECTOR_MODEL_MAX_PARAMS);
    funcLine = lineNo;
    bool done = false;
    for (++i; i < lines.size(); ++i) {
      load(i);
      const std::string &rec = fields[0];
      if (rec == "graph") {
        if (fn->hasSchema)
          error("second 'graph' record in function '" + fn->name + "'");
        if (!fn->args.empty())
          error("the 'graph' record must precede the 'arg' records");
        expectFields(4, "graph node_types=T relations=R triples=...");
        fn->numNodeTypes = integer(value(1, "node_types"), "node_types", 1,
                                   INT32_MAX);
        fn->numRelations = integer(value(2, "relations"), "relations", 1,
                                   INT32_MAX);
        fn->hasSchema = true;
        parseTriples(value(3, "triples"), *fn);
      } else if (rec == "arg") {
        if (fields.size() < 3)
          error("expected 'arg I KIND ...'");
        int64_t idx = integer(fields[1], "argument number", 0, INT32_MAX);
        if (idx != static_cast<int64_t>(fn->args.size()))
          error(format("argument %lld out of order (expected %zu)",
                       static_cast<long long>(idx), fn->args.size()));
        ArgRecord arg = parseValue(2, *fn, /*isResult=*/false);
        if (arg.kind == HECTOR_ARG_GRAPH) {
          if (fn->hasGraphArg)
            error("a function has at most one graph argument (ABI version "
                  "1)");
          if (!fn->hasSchema)
            error("a graph argument needs the function's 'graph' record");
          fn->hasGraphArg = true;
        } else {
          fn->inputArgs.push_back(idx);
        }
        fn->args.push_back(std::move(arg));
      } else if (rec == "result") {
        // One record per result, then 'end'.
        for (;;) {
          if (fields.size() < 2)
            error("expected 'result KIND ...'");
          fn->results.push_back(parseValue(1, *fn, /*isResult=*/true));
          if (++i >= lines.size()) {
            lineNo = static_cast<int64_t>(lines.size()) + 1;
            error("missing 'end' after the results of function '" + fn->name +
                  "'");
          }
          load(i);
          if (fields.size() == 1 && fields[0] == "end")
            break;
          if (fields.empty() || fields[0] != "result")
            error("expected 'result' or 'end' after a result, got '" +
                  clip(lines[i]) + "'");
        }
        ++i;
        done = true;
        break;
      } else if (rec == "variant") {
        expectFields(2, "variant of=NAME");
        if (!fn->variantOf.empty())
          error("second 'variant' record in function '" + fn->name + "'");
        fn->variantOf = value(1, "of");
        if (!isIdentifier(fn->variantOf) || fn->variantOf == fn->name)
          error("bad variant base '" + clip(fn->variantOf) + "'");
      } else if (rec == "cost") {
        parseCost(*fn);
      } else if (rec == "cost-choice") {
        parseCostChoice(*fn);
      } else if (rec == "end") {
        error("function '" + fn->name + "' has no 'result' record");
      } else if (rec == "target") {
        error("the 'target' record must directly follow the 'hector-model' "
              "line");
      } else {
        error("unknown record '" + clip(rec) + "'");
      }
    }
    if (!done) {
      lineNo = static_cast<int64_t>(lines.size()) + 1;
      error("function '" + fn->name + "' is not terminated by 'result' and "
            "'end'");
    }
    int64_t want = (fn->hasGraphArg ? HECTOR_MODEL_GRAPH_ARRAYS : 0) +
                   static_cast<int64_t>(fn->inputArgs.size()) +
                   static_cast<int64_t>(fn->results.size());
    if (want != fn->numParams) {
      lineNo = funcLine;
      error(format("function '%s' declares params=%lld, but its records "
                   "need %lld (%s%zu buffers and %zu result%s)",
                   fn->name.c_str(), static_cast<long long>(fn->numParams),
                   static_cast<long long>(want),
                   fn->hasGraphArg ? "33 graph arrays, " : "",
                   fn->inputArgs.size(), fn->results.size(),
                   fn->results.size() == 1 ? "" : "s"));
    }
    return fn;
  }
};

struct ParsedInfo {
  std::vector<std::unique_ptr<HectorFunction>> functions;
  HectorTarget target = HECTOR_TARGET_CPU;
  std::string chip;
  CostParamsRecord costParams;
};

ParsedInfo parseInfo(const std::string &s) {
  InfoParser parser(s);
  ParsedInfo out;
  out.functions = parser.parse();
  out.target = parser.target;
  out.chip = parser.chip;
  out.costParams = parser.costParams;
  return out;
}

/// Runs `body`, turning exceptions into a status and message.
template <typename Body>
HectorStatus guarded(Body &&body) {
  try {
    body();
    lastError.clear();
    return HECTOR_STATUS_OK;
  } catch (const RuntimeFailure &e) {
    return fail(e.status, e.message);
  } catch (const std::bad_alloc &) {
    return fail(HECTOR_STATUS_OUT_OF_MEMORY, "out of memory");
  } catch (const std::exception &e) {
    return fail(HECTOR_STATUS_INTERNAL, e.what());
  } catch (...) {
    return fail(HECTOR_STATUS_INTERNAL, "unknown internal error");
  }
}

[[noreturn]] void raise(HectorStatus status, std::string message) {
  throw RuntimeFailure{status, std::move(message)};
}

//===----------------------------------------------------------------------===//
// Calls by arity
//===----------------------------------------------------------------------===//

template <size_t I>
using VoidPtr = void *;

template <size_t... I>
void callWithArgs(GenericFn fn, void *const *args, std::index_sequence<I...>) {
  using Fn = void (*)(VoidPtr<I>...);
  reinterpret_cast<Fn>(fn)(args[I]...);
}

template <size_t N>
void callArity(GenericFn fn, void *const *args) {
  callWithArgs(fn, args, std::make_index_sequence<N>());
}

using Caller = void (*)(GenericFn, void *const *);

template <size_t... N>
constexpr std::array<Caller, sizeof...(N)>
makeCallers(std::index_sequence<N...>) {
  return {&callArity<N>...};
}

constexpr std::array<Caller, HECTOR_MODEL_MAX_PARAMS + 1> kCallers =
    makeCallers(std::make_index_sequence<HECTOR_MODEL_MAX_PARAMS + 1>());

/// A zero-size buffer still needs a valid, aligned pointer.
alignas(64) int64_t emptyStorage[8];

/// Appends a memref descriptor {allocated, aligned, offset, sizes, strides}
/// of a row-major contiguous buffer to `words`.
void appendDescriptor(std::vector<int64_t> &words, void *data,
                      const std::vector<int64_t> &shape) {
  int64_t ptr = static_cast<int64_t>(reinterpret_cast<intptr_t>(data));
  words.push_back(ptr);
  words.push_back(ptr);
  words.push_back(0);
  words.insert(words.end(), shape.begin(), shape.end());
  int64_t stride = 1;
  size_t base = words.size();
  words.resize(base + shape.size());
  for (size_t k = shape.size(); k-- > 0;) {
    words[base + k] = stride;
    stride *= shape[k];
  }
}

/// Input `input` (>= 0) or result -1 - `input` (< 0), for messages:
/// "result" for the first, "result K" for the others.
std::string describeArg(const HectorFunction &fn, int64_t input) {
  if (input < 0) {
    size_t k = static_cast<size_t>(-1 - input);
    if (k == 0)
      return "result (" + fn.results[k].text + ")";
    return format("result %zu (%s)", k, fn.results[k].text.c_str());
  }
  int64_t arg = fn.inputArgs[static_cast<size_t>(input)];
  return format("argument %lld (%s)", static_cast<long long>(arg),
                fn.args[static_cast<size_t>(arg)].text.c_str());
}

std::string joinShape(const std::vector<int64_t> &shape) {
  std::string s;
  for (size_t k = 0; k < shape.size(); ++k)
    s += (k ? "x" : "") + std::to_string(shape[k]);
  return s.empty() ? "scalar" : s;
}

//===----------------------------------------------------------------------===//
// CUDA
//===----------------------------------------------------------------------===//

#if HECTOR_RUNTIME_CUDA

std::string who(const HectorFunction &fn) {
  if (fn.target == HECTOR_TARGET_CUDA)
    return format("function '%s' (cuda %s)", fn.name.c_str(),
                  fn.chip.c_str());
  return "function '" + fn.name + "'";
}

/// Device buffers are laid out at this alignment inside one allocation.
constexpr int64_t kDeviceAlign = 256;

int64_t alignUp(int64_t n) {
  return (n + kDeviceAlign - 1) / kDeviceAlign * kDeviceAlign;
}

/// The shim's pending error, cleared; "" when none.
std::string takeCudaError() {
  if (hectorCudaPeekError(nullptr) == HECTOR_CUDA_SUCCESS)
    return std::string();
  std::string msg = hectorCudaGetLastError();
  hectorCudaClearError();
  return msg.empty() ? "unknown CUDA error" : msg;
}

/// GPU-code load outcome of each loaded library (dlopen returns the same
/// handle for a library loaded before, whose constructors do not run again).
std::string recordGpuLoad(void *handle, std::string error) {
  static std::mutex mutex;
  static auto *outcomes = new std::unordered_map<void *, std::string>;
  std::lock_guard<std::mutex> lock(mutex);
  auto it = outcomes->find(handle);
  if (it != outcomes->end())
    return it->second;
  (*outcomes)[handle] = error;
  return error;
}

/// CUDA calls of the runner are serialized: the shim's error is
/// process-wide.
std::mutex &cudaMutex() {
  static auto *m = new std::mutex;
  return *m;
}

HectorStatus statusOfCuda(HectorCudaStatus s) {
  return s == HECTOR_CUDA_ERROR_OUT_OF_MEMORY ? HECTOR_STATUS_OUT_OF_MEMORY
                                              : HECTOR_STATUS_INTERNAL;
}

/// Raises the pending CUDA error (if any), prefixed with `context`.
void raiseIfCudaError(const std::string &context) {
  if (hectorCudaPeekError(nullptr) == HECTOR_CUDA_SUCCESS)
    return;
  HectorCudaStatus st = hectorCudaPeekError(nullptr);
  std::string msg = takeCudaError();
  raise(statusOfCuda(st), context + ": " + msg);
}

/// Checks that CUDA can run `fn` here.
void requireCuda(const HectorFunction &fn) {
  char why[512] = {0};
  if (!hectorCudaAvailable(why, sizeof(why)))
    raise(HECTOR_STATUS_INVALID_ARGUMENT,
          format("%s: CUDA is not available: %s", who(fn).c_str(), why));
  if (fn.gpuLoadError && !fn.gpuLoadError->empty())
    raise(HECTOR_STATUS_INVALID_ARGUMENT,
          format("%s: the model's GPU code did not load: %s",
                 who(fn).c_str(), fn.gpuLoadError->c_str()));
  std::string stale = takeCudaError();
  if (!stale.empty())
    raise(HECTOR_STATUS_INTERNAL,
          format("%s: a CUDA error was pending from an earlier call: %s",
                 who(fn).c_str(), stale.c_str()));
}

/// A device allocation freed on scope exit (also when an error is pending).
struct DeviceAllocation {
  void *ptr = nullptr;
  DeviceAllocation() = default;
  DeviceAllocation(const DeviceAllocation &) = delete;
  DeviceAllocation &operator=(const DeviceAllocation &) = delete;
  ~DeviceAllocation() {
    if (ptr)
      hectorCudaFree(ptr);
  }
  void *release() {
    void *p = ptr;
    ptr = nullptr;
    return p;
  }
};

/// Copies the graph arrays into one device allocation, each at an
/// aligned offset.
void uploadGraph(HectorBoundFunction &bound) {
  std::array<int64_t, HECTOR_MODEL_GRAPH_ARRAYS> offsets{};
  int64_t total = 0;
  for (size_t k = 0; k < HECTOR_MODEL_GRAPH_ARRAYS; ++k) {
    offsets[k] = total;
    total += alignUp(bound.graphSizes[k] * bound.graphElemSize[k]);
  }
  const std::string context = who(*bound.fn) + ": uploading the graph";
  DeviceAllocation dev;
  // At least one block, so that empty arrays get a valid pointer too.
  hectorCudaMalloc(&dev.ptr,
                   static_cast<size_t>(std::max(total, kDeviceAlign)));
  raiseIfCudaError(context);
  char *base = static_cast<char *>(dev.ptr);
  for (size_t k = 0; k < HECTOR_MODEL_GRAPH_ARRAYS; ++k) {
    bound.deviceGraphData[k] = base + offsets[k];
    size_t bytes =
        static_cast<size_t>(bound.graphSizes[k] * bound.graphElemSize[k]);
    if (bytes)
      hectorCudaMemcpyHtoD(bound.deviceGraphData[k], bound.graphData[k],
                           bytes);
    raiseIfCudaError(context +
                     format(" (array '%s')",
                            k == kRelChoiceArray
                                ? "rel_choice"
                                : hectorPreparedArrayName(kGraphArrays[k])));
  }
  bound.deviceGraph = dev.release();
}

#endif // HECTOR_RUNTIME_CUDA

} // namespace

HectorBoundFunction::~HectorBoundFunction() {
#if HECTOR_RUNTIME_CUDA
  if (deviceGraph)
    hectorCudaFree(deviceGraph);
#endif
}

//===----------------------------------------------------------------------===//
// C API
//===----------------------------------------------------------------------===//

extern "C" {

HectorStatus hectorModelCheckInfo(const char *text) {
  if (!text)
    return fail(HECTOR_STATUS_INVALID_ARGUMENT, "info text is null");
  return guarded([&] { parseInfo(text); });
}

HectorStatus hectorModelLoad(const char *path, HectorModel **out) {
  if (!out)
    return fail(HECTOR_STATUS_INVALID_ARGUMENT, "output handle is null");
  *out = nullptr;
  if (!path || !*path)
    return fail(HECTOR_STATUS_INVALID_ARGUMENT, "model path is null or empty");
  return guarded([&] {
    auto model = std::make_unique<HectorModel>();
    model->path = path;
    // A bare file name means the file here, not a library-path search.
    std::string openPath =
        model->path.find('/') == std::string::npos ? "./" + model->path
                                                   : model->path;
    dlerror();
    model->handle =
        dlopen(openPath.c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
    if (!model->handle) {
      const char *why = dlerror();
      raise(HECTOR_STATUS_INVALID_ARGUMENT,
            format("cannot load model '%s': %s", path, why ? why : "?"));
    }
    void *sym = dlsym(model->handle, "hector_model_info");
    if (!sym)
      raise(HECTOR_STATUS_INVALID_ARGUMENT,
            format("'%s' is not a Hector model: it has no hector_model_info "
                   "symbol",
                   path));
    using InfoFn = const char *(*)();
    InfoFn infoFn;
    std::memcpy(&infoFn, &sym, sizeof(sym));
    const char *text = infoFn();
    if (!text)
      raise(HECTOR_STATUS_INVALID_ARGUMENT,
            format("%s: hector_model_info() returned null", path));
    constexpr size_t kMaxInfo = size_t(1) << 24;
    size_t len = strnlen(text, kMaxInfo);
    if (len == kMaxInfo)
      raise(HECTOR_STATUS_INVALID_ARGUMENT,
            format("%s: hector_model_info() is not NUL-terminated within "
                   "16 MiB",
                   path));
    model->info.assign(text, len);
    try {
      ParsedInfo parsed = parseInfo(model->info);
      model->functions = std::move(parsed.functions);
      model->target = parsed.target;
      model->chip = parsed.chip;
      model->costParams = parsed.costParams;
      for (auto &fn : model->functions)
        fn->costParams = &model->costParams;
    } catch (const RuntimeFailure &e) {
      raise(e.status, std::string(path) + ": " + e.message);
    }
    if (model->target == HECTOR_TARGET_CUDA) {
#if HECTOR_RUNTIME_CUDA
      // dlopen ran the model's global constructors, which load its GPU
      // code (mgpuModuleLoad*); a failure there is the shim's pending
      // error.  A library that was already loaded keeps its first outcome.
      model->gpuLoadError = recordGpuLoad(model->handle, takeCudaError());
#else
      raise(HECTOR_STATUS_INVALID_ARGUMENT,
            format("%s is compiled for CUDA (%s), but this runtime was built "
                   "without the CUDA shim (HECTOR_ENABLE_CUDA=OFF)",
                   path, model->chip.c_str()));
#endif
    }
    for (auto &fn : model->functions)
      fn->gpuLoadError = &model->gpuLoadError;
    for (auto &fn : model->functions) {
      void *entry = dlsym(model->handle, fn->entry.c_str());
      if (!entry)
        raise(HECTOR_STATUS_INVALID_ARGUMENT,
              format("%s: function '%s': entry point '%s' not found", path,
                     fn->name.c_str(), fn->entry.c_str()));
      std::memcpy(&fn->entryFn, &entry, sizeof(entry));
    }
    *out = model.release();
  });
}

void hectorModelDestroy(HectorModel *model) { delete model; }

const char *hectorModelGetInfo(const HectorModel *model) {
  return model ? model->info.c_str() : "";
}

HectorTarget hectorModelGetTarget(const HectorModel *model) {
  return model ? model->target : HECTOR_TARGET_CPU;
}

const char *hectorModelGetChip(const HectorModel *model) {
  return model ? model->chip.c_str() : "";
}

HectorTarget hectorFunctionGetTarget(const HectorFunction *fn) {
  return fn ? fn->target : HECTOR_TARGET_CPU;
}

int hectorRuntimeHasCuda(void) {
#if HECTOR_RUNTIME_CUDA
  return 1;
#else
  return 0;
#endif
}

int64_t hectorModelGetNumFunctions(const HectorModel *model) {
  return model ? static_cast<int64_t>(model->functions.size()) : 0;
}

const HectorFunction *hectorModelGetFunction(const HectorModel *model,
                                             int64_t index) {
  if (!model) {
    fail(HECTOR_STATUS_INVALID_ARGUMENT, "model is null");
    return nullptr;
  }
  if (index < 0 || index >= static_cast<int64_t>(model->functions.size())) {
    fail(HECTOR_STATUS_OUT_OF_RANGE,
         format("function index %lld out of range [0, %zu)",
                static_cast<long long>(index), model->functions.size()));
    return nullptr;
  }
  return model->functions[static_cast<size_t>(index)].get();
}

HectorStatus hectorModelLookupFunction(const HectorModel *model,
                                       const char *name,
                                       const HectorFunction **out) {
  if (!model || !out)
    return fail(HECTOR_STATUS_INVALID_ARGUMENT, "null argument");
  *out = nullptr;
  std::string names;
  for (const auto &fn : model->functions) {
    if (name && fn->name == name) {
      *out = fn.get();
      lastError.clear();
      return HECTOR_STATUS_OK;
    }
    names += (names.empty() ? "'" : ", '") + fn->name + "'";
  }
  if (!name) {
    if (model->functions.size() == 1) {
      *out = model->functions[0].get();
      lastError.clear();
      return HECTOR_STATUS_OK;
    }
    return fail(HECTOR_STATUS_INVALID_ARGUMENT,
                "the model has several functions (" + names +
                    "); name one");
  }
  return fail(HECTOR_STATUS_INVALID_ARGUMENT,
              format("no function '%s' in the model (it has %s)", name,
                     names.c_str()));
}

const char *hectorFunctionGetName(const HectorFunction *fn) {
  return fn ? fn->name.c_str() : "";
}

const char *hectorFunctionGetEntry(const HectorFunction *fn) {
  return fn ? fn->entry.c_str() : "";
}

int64_t hectorFunctionGetNumParams(const HectorFunction *fn) {
  return fn ? fn->numParams : 0;
}

int64_t hectorFunctionGetNumArgs(const HectorFunction *fn) {
  return fn ? static_cast<int64_t>(fn->args.size()) : 0;
}

int64_t hectorFunctionGetNumInputs(const HectorFunction *fn) {
  return fn ? static_cast<int64_t>(fn->inputArgs.size()) : 0;
}

int64_t hectorFunctionGetInputArg(const HectorFunction *fn, int64_t input) {
  if (!fn || input < 0 || input >= static_cast<int64_t>(fn->inputArgs.size()))
    return -1;
  return fn->inputArgs[static_cast<size_t>(input)];
}

static void fillInfo(const ArgRecord &a, HectorArgInfo *out) {
  out->kind = a.kind;
  out->domain = a.domain;
  out->nodeType = a.nodeType;
  out->elementType = a.elementType;
  out->rank = static_cast<int64_t>(a.shape.size());
  out->shape = a.shape.data();
  out->text = a.text.c_str();
}

HectorStatus hectorFunctionGetArg(const HectorFunction *fn, int64_t index,
                                  HectorArgInfo *out) {
  if (!fn || !out)
    return fail(HECTOR_STATUS_INVALID_ARGUMENT, "null argument");
  if (index < 0 || index >= static_cast<int64_t>(fn->args.size()))
    return fail(HECTOR_STATUS_OUT_OF_RANGE,
                format("argument index %lld out of range [0, %zu)",
                       static_cast<long long>(index), fn->args.size()));
  fillInfo(fn->args[static_cast<size_t>(index)], out);
  return HECTOR_STATUS_OK;
}

HectorStatus hectorFunctionGetResult(const HectorFunction *fn,
                                     HectorArgInfo *out) {
  return hectorFunctionGetResultAt(fn, 0, out);
}

int64_t hectorFunctionGetNumResults(const HectorFunction *fn) {
  return fn ? static_cast<int64_t>(fn->results.size()) : 0;
}

HectorStatus hectorFunctionGetResultAt(const HectorFunction *fn, int64_t index,
                                       HectorArgInfo *out) {
  if (!fn || !out)
    return fail(HECTOR_STATUS_INVALID_ARGUMENT, "null argument");
  if (index < 0 || index >= static_cast<int64_t>(fn->results.size()))
    return fail(HECTOR_STATUS_OUT_OF_RANGE,
                format("result index %lld out of range [0, %zu)",
                       static_cast<long long>(index), fn->results.size()));
  fillInfo(fn->results[static_cast<size_t>(index)], out);
  return HECTOR_STATUS_OK;
}

HectorStatus hectorFunctionGetSchema(const HectorFunction *fn,
                                     HectorSchema *out) {
  if (!fn || !out)
    return fail(HECTOR_STATUS_INVALID_ARGUMENT, "null argument");
  if (!fn->hasSchema)
    return fail(HECTOR_STATUS_INVALID_ARGUMENT,
                "function '" + fn->name + "' has no graph schema");
  out->numNodeTypes = fn->numNodeTypes;
  out->numRelations = fn->numRelations;
  out->triples = fn->hasTriples ? fn->triples.data() : nullptr;
  return HECTOR_STATUS_OK;
}

extern "C++" {
static double at(const CostForm &form, const double *counts) {
  double v = 0;
  for (size_t k = 0; k < kNumCounts; ++k)
    v += form[k] * counts[k];
  return v;
}

/// Seconds of the forms of one record at `counts` (kNumCounts entries);
/// the tables gathered from have their footprint at `totals`, the graph's
/// counts: the fraction of gathered bytes that miss the cache is
/// max(0, 1 - cache / footprint) (docs/abi.md).
template <typename Record>
static double formSeconds(const Record &r, const CostParamsRecord &p,
                          const double *counts, const double *totals) {
  double t = p.gemmFlop * at(r.gemmFlops, counts) +
             p.otherFlop * at(r.otherFlops, counts) +
             p.byte * (at(r.bytes, counts) + at(r.gatheredBytes, counts));
  for (const GatherRecord &g : r.gathers) {
    double footprint = at(g.table, totals);
    if (footprint > p.cache)
      t += p.gatheredByte * at(g.bytes, counts) * (1 - p.cache / footprint);
  }
  return t;
}
} // extern "C++"

/// Estimated seconds of `fn` on `graph`; negative when the function has no
/// cost record or the model no parameters. For a function split by
/// relation, also the cheapest choice of every relation (into `choice`,
/// when given).
static double estimate(const HectorFunction &fn,
                       const HectorPreparedGraph *graph,
                       std::vector<int32_t> *choice = nullptr) {
  HectorGraphStats stats{};
  if (hectorPreparedGraphGetStats(graph, &stats) != HECTOR_STATUS_OK)
    raise(HECTOR_STATUS_INVALID_ARGUMENT, lastError);
  if (!fn.cost.present || !fn.costParams || !fn.costParams->present)
    return -1;
  const double counts[kNumCounts] = {
      static_cast<double>(stats.numEdges),
      static_cast<double>(stats.numNodes),
      static_cast<double>(stats.numUniqueSrcPairs),
      static_cast<double>(stats.numUniqueDstPairs),
      static_cast<double>(stats.numRelations),
      static_cast<double>(stats.numNodeTypes),
      1.0};
  const CostParamsRecord &p = *fn.costParams;
  double t = p.kernel * static_cast<double>(fn.cost.kernels) +
             p.intermediateByte * at(fn.cost.memory, counts) +
             formSeconds(fn.cost, p, counts, counts);
  if (fn.cost.choices.empty())
    return t;
  // Per relation: its edges, (src, relation) and (dst, relation) pairs.
  auto offsets = [&](HectorPreparedArray array) {
    const void *data = nullptr;
    HectorIndexType type;
    int64_t length = 0;
    if (hectorPreparedGraphGetArray(graph, array, &data, &type, &length) !=
            HECTOR_STATUS_OK ||
        type != HECTOR_INDEX_INT64 || length != stats.numRelations + 1)
      raise(HECTOR_STATUS_INTERNAL, "per-relation offsets are missing");
    return static_cast<const int64_t *>(data);
  };
  const int64_t *rel = offsets(HECTOR_REL_OFFSETS);
  const int64_t *usrc = offsets(HECTOR_UNIQUE_SRC_OFFSETS);
  const int64_t *udst = offsets(HECTOR_UNIQUE_DST_OFFSETS);
  if (choice)
    choice->assign(static_cast<size_t>(stats.numRelations), 0);
  for (int64_t r = 0; r < stats.numRelations; ++r) {
    // E, N, Psrc, Pdst, R (1 per relation), T, 1.
    const double own[kNumCounts] = {
        static_cast<double>(rel[r + 1] - rel[r]), 0,
        static_cast<double>(usrc[r + 1] - usrc[r]),
        static_cast<double>(udst[r + 1] - udst[r]), 1, 0, 0};
    double best = 0;
    for (size_t k = 0; k < fn.cost.choices.size(); ++k) {
      double c = formSeconds(fn.cost.choices[k], p, own, counts);
      if (k == 0 || c < best) {
        best = c;
        if (choice)
          (*choice)[static_cast<size_t>(r)] = static_cast<int32_t>(k);
      }
    }
    t += best;
  }
  return t;
}

HectorStatus hectorFunctionEstimate(const HectorFunction *fn,
                                    const HectorPreparedGraph *graph,
                                    double *seconds) {
  if (!fn || !graph || !seconds)
    return fail(HECTOR_STATUS_INVALID_ARGUMENT, "null argument");
  return guarded([&] {
    double t = estimate(*fn, graph);
    if (t < 0)
      raise(HECTOR_STATUS_INVALID_ARGUMENT,
            "function '" + fn->name + "' has no cost record, or its "
            "model no cost parameters");
    *seconds = t;
  });
}

int64_t hectorFunctionGetNumChoices(const HectorFunction *fn) {
  if (!fn)
    return 0;
  return std::max<int64_t>(1, static_cast<int64_t>(fn->cost.choices.size()));
}

const char *hectorFunctionGetVariantOf(const HectorFunction *fn) {
  return fn ? fn->variantOf.c_str() : "";
}

int64_t hectorFunctionGetNumVariants(const HectorFunction *fn) {
  return fn ? static_cast<int64_t>(fn->variants.size()) : 0;
}

const HectorFunction *hectorFunctionGetVariant(const HectorFunction *fn,
                                               int64_t index) {
  if (!fn || index < 0 ||
      index >= static_cast<int64_t>(fn->variants.size()))
    return nullptr;
  return fn->variants[static_cast<size_t>(index)];
}

const HectorFunction *
hectorBoundFunctionGetFunction(const HectorBoundFunction *bound) {
  return bound ? bound->fn : nullptr;
}

HectorStatus
hectorBoundFunctionGetRelationChoice(const HectorBoundFunction *bound,
                                     const int32_t **choice, int64_t *length) {
  if (!bound || !choice || !length)
    return fail(HECTOR_STATUS_INVALID_ARGUMENT, "null argument");
  *choice = bound->relChoice.data();
  *length = static_cast<int64_t>(bound->relChoice.size());
  return HECTOR_STATUS_OK;
}

HectorStatus hectorBoundFunctionSetRelationChoice(HectorBoundFunction *bound,
                                                  const int32_t *choice,
                                                  int64_t length) {
  if (!bound || (!choice && length))
    return fail(HECTOR_STATUS_INVALID_ARGUMENT, "null argument");
  const HectorFunction &fn = *bound->fn;
  if (!fn.hasGraphArg)
    return fail(HECTOR_STATUS_INVALID_ARGUMENT,
                "function '" + fn.name + "' takes no graph");
  if (length != static_cast<int64_t>(bound->relChoice.size()))
    return fail(HECTOR_STATUS_SIZE_MISMATCH,
                format("function '%s': the relation choice table has %zu "
                       "entries (one per relation), got %lld",
                       fn.name.c_str(), bound->relChoice.size(),
                       static_cast<long long>(length)));
  int64_t numChoices = hectorFunctionGetNumChoices(&fn);
  for (int64_t r = 0; r < length; ++r)
    if (choice[r] < 0 || choice[r] >= numChoices)
      return fail(HECTOR_STATUS_OUT_OF_RANGE,
                  format("function '%s': relation %lld's choice is %d, but "
                         "the function has %lld choice%s",
                         fn.name.c_str(), static_cast<long long>(r),
                         choice[r], static_cast<long long>(numChoices),
                         numChoices == 1 ? " (it is not split by relation)"
                                         : "s"));
  return guarded([&] {
    std::copy(choice, choice + length, bound->relChoice.begin());
#if HECTOR_RUNTIME_CUDA
    if (bound->deviceGraph && length) {
      std::lock_guard<std::mutex> lock(cudaMutex());
      hectorCudaMemcpyHtoD(bound->deviceGraphData[kRelChoiceArray],
                           bound->relChoice.data(),
                           static_cast<size_t>(length) * sizeof(int32_t));
      raiseIfCudaError(who(fn) + ": uploading the relation choice table");
    }
#endif
  });
}

HectorStatus hectorFunctionBind(const HectorFunction *fn,
                                const HectorPreparedGraph *graph,
                                HectorBoundFunction **out) {
  // The variant with the lowest estimate for this graph; the binding keeps
  // the choice for every call.
  if (fn && graph && !fn->variants.empty()) {
    HectorStatus status = guarded([&] {
      double best = estimate(*fn, graph);
      for (const HectorFunction *v : fn->variants) {
        double t = estimate(*v, graph);
        if (t >= 0 && best >= 0 && t < best) {
          best = t;
          fn = v;
        }
      }
    });
    if (status != HECTOR_STATUS_OK) {
      if (out)
        *out = nullptr;
      return status;
    }
  }
  return hectorFunctionBindExact(fn, graph, out);
}

HectorStatus hectorFunctionBindExact(const HectorFunction *fn,
                                     const HectorPreparedGraph *graph,
                                     HectorBoundFunction **out) {
  if (!out)
    return fail(HECTOR_STATUS_INVALID_ARGUMENT, "output handle is null");
  *out = nullptr;
  if (!fn)
    return fail(HECTOR_STATUS_INVALID_ARGUMENT, "function is null");
  return guarded([&] {
    auto bound = std::make_unique<HectorBoundFunction>();
    bound->fn = fn;
    const std::string who = "function '" + fn->name + "'";
    HectorGraphStats stats{};
    std::vector<int64_t> ntypeCounts;
    if (graph) {
      if (hectorPreparedGraphGetStats(graph, &stats) != HECTOR_STATUS_OK)
        raise(HECTOR_STATUS_INVALID_ARGUMENT, lastError);
      if (fn->hasSchema && stats.numRelations != fn->numRelations)
        raise(HECTOR_STATUS_SIZE_MISMATCH,
              format("%s was compiled for %lld relations, but the graph has "
                     "%lld",
                     who.c_str(), static_cast<long long>(fn->numRelations),
                     static_cast<long long>(stats.numRelations)));
      if (fn->hasSchema && stats.numNodeTypes != fn->numNodeTypes)
        raise(HECTOR_STATUS_SIZE_MISMATCH,
              format("%s was compiled for %lld node types, but the graph has "
                     "%lld",
                     who.c_str(), static_cast<long long>(fn->numNodeTypes),
                     static_cast<long long>(stats.numNodeTypes)));
      for (size_t k = 0; k < kGraphArrays.size(); ++k) {
        const void *data = nullptr;
        HectorIndexType type;
        int64_t length = 0;
        if (hectorPreparedGraphGetArray(graph, kGraphArrays[k], &data, &type,
                                        &length) != HECTOR_STATUS_OK)
          raise(HECTOR_STATUS_INTERNAL, lastError);
        bound->graphData[k] =
            length ? const_cast<void *>(data) : static_cast<void *>(emptyStorage);
        bound->graphSizes[k] = length;
        bound->graphElemSize[k] = type == HECTOR_INDEX_INT64 ? 8 : 4;
      }
      // The relation choice table: each relation's cheapest choice for a
      // function split by relation, else all 0.
      bound->relChoice.assign(static_cast<size_t>(stats.numRelations), 0);
      if (!fn->cost.choices.empty())
        estimate(*fn, graph, &bound->relChoice);
      bound->graphData[kRelChoiceArray] =
          bound->relChoice.empty() ? static_cast<void *>(emptyStorage)
                                   : bound->relChoice.data();
      bound->graphSizes[kRelChoiceArray] = stats.numRelations;
      bound->graphElemSize[kRelChoiceArray] = 4;
      const void *p;
      HectorIndexType type;
      int64_t len;
      if (hectorPreparedGraphGetArray(graph, HECTOR_NTYPE_COUNTS, &p, &type,
                                      &len) != HECTOR_STATUS_OK)
        raise(HECTOR_STATUS_INTERNAL, lastError);
      ntypeCounts.assign(static_cast<const int64_t *>(p),
                         static_cast<const int64_t *>(p) + len);
      // Kernels may index per-type tables by the triples' types: an edge
      // that contradicts them would read the wrong weights.
      if (fn->hasTriples) {
        const int32_t *src = static_cast<const int32_t *>(bound->graphData[0]);
        const int32_t *dst = static_cast<const int32_t *>(bound->graphData[1]);
        const int32_t *rel = static_cast<const int32_t *>(bound->graphData[2]);
        const int32_t *nt = static_cast<const int32_t *>(bound->graphData[3]);
        for (int64_t e = 0; e < stats.numEdges; ++e) {
          const int64_t *t = &fn->triples[3 * static_cast<size_t>(rel[e])];
          if (nt[src[e]] != t[0] || nt[dst[e]] != t[2])
            raise(HECTOR_STATUS_INVALID_ARGUMENT,
                  format("%s: edge %lld (relation %d) goes from node type %d "
                         "to node type %d, but the schema's triple for "
                         "relation %d is (%lld, %d, %lld)",
                         who.c_str(), static_cast<long long>(e), rel[e],
                         nt[src[e]], nt[dst[e]], rel[e],
                         static_cast<long long>(t[0]), rel[e],
                         static_cast<long long>(t[2])));
        }
      }
    } else if (fn->hasGraphArg) {
      raise(HECTOR_STATUS_INVALID_ARGUMENT,
            who + " takes a graph; bind a prepared graph");
    }
    auto domainSize = [&](const ArgRecord &a, const std::string &what) {
      switch (a.domain) {
      case HECTOR_DOMAIN_RELATION:
        return fn->numRelations;
      case HECTOR_DOMAIN_NODE_TYPE:
        return fn->numNodeTypes;
      default:
        break;
      }
      if (!graph)
        raise(HECTOR_STATUS_INVALID_ARGUMENT,
              format("%s: %s is per %s; bind a prepared graph", who.c_str(),
                     what.c_str(), domainName(a.domain)));
      switch (a.domain) {
      case HECTOR_DOMAIN_NODE: return stats.numNodes;
      case HECTOR_DOMAIN_NODE_OF_TYPE:
        return ntypeCounts.at(static_cast<size_t>(a.nodeType));
      case HECTOR_DOMAIN_EDGE: return stats.numEdges;
      case HECTOR_DOMAIN_SRC_REL: return stats.numUniqueSrcPairs;
      case HECTOR_DOMAIN_DST_REL: return stats.numUniqueDstPairs;
      default: break;
      }
      raise(HECTOR_STATUS_INTERNAL, "unexpected domain");
    };
    auto addShape = [&](const ArgRecord &a, int64_t input) {
      std::vector<int64_t> shape;
      int64_t n = 1;
      if (a.kind == HECTOR_ARG_FEAT) {
        int64_t size = domainSize(a, describeArg(*fn, input));
        shape.push_back(size);
        n = size;
      }
      shape.insert(shape.end(), a.shape.begin(), a.shape.end());
      int64_t per = a.shapeElements();
      if (per != 0 && n > INT64_MAX / per)
        raise(HECTOR_STATUS_SIZE_MISMATCH,
              describeArg(*fn, input) + ": too many elements");
      bound->shapes.push_back(std::move(shape));
      bound->numElements.push_back(n * per);
    };
    for (size_t k = 0; k < fn->inputArgs.size(); ++k)
      addShape(fn->args[static_cast<size_t>(fn->inputArgs[k])],
               static_cast<int64_t>(k));
    for (size_t k = 0; k < fn->results.size(); ++k)
      addShape(fn->results[k], -1 - static_cast<int64_t>(k));
#if HECTOR_RUNTIME_CUDA
    if (fn->target == HECTOR_TARGET_CUDA) {
      std::lock_guard<std::mutex> lock(cudaMutex());
      requireCuda(*fn);
      if (graph)
        uploadGraph(*bound);
    }
#endif
    *out = bound.release();
  });
}

void hectorBoundFunctionDestroy(HectorBoundFunction *bound) { delete bound; }

HectorStatus hectorBoundFunctionGetShape(const HectorBoundFunction *bound,
                                         int64_t input, int64_t *rank,
                                         int64_t *shape) {
  if (!bound || !rank || !shape)
    return fail(HECTOR_STATUS_INVALID_ARGUMENT, "null argument");
  int64_t numInputs = static_cast<int64_t>(bound->fn->inputArgs.size());
  int64_t numResults = static_cast<int64_t>(bound->fn->results.size());
  if (input < -numResults || input >= numInputs)
    return fail(HECTOR_STATUS_OUT_OF_RANGE,
                format("input %lld out of range [%lld, %lld)",
                       static_cast<long long>(input),
                       static_cast<long long>(-numResults),
                       static_cast<long long>(numInputs)));
  const auto &s = bound->shapes[static_cast<size_t>(
      input < 0 ? numInputs - 1 - input : input)];
  *rank = static_cast<int64_t>(s.size());
  for (size_t k = 0; k < s.size(); ++k)
    shape[k] = s[k];
  return HECTOR_STATUS_OK;
}

HectorStatus hectorBoundFunctionRun(const HectorBoundFunction *bound,
                                    const HectorBuffer *inputs,
                                    int64_t numInputs,
                                    const HectorBuffer *result) {
  return hectorBoundFunctionRunEx(bound, inputs, numInputs, result, 0);
}

HectorStatus hectorBoundFunctionRunEx(const HectorBoundFunction *bound,
                                      const HectorBuffer *inputs,
                                      int64_t numInputs,
                                      const HectorBuffer *result,
                                      unsigned flags) {
  if (!result)
    return fail(HECTOR_STATUS_INVALID_ARGUMENT, "result buffer is null");
  return hectorBoundFunctionRunResults(bound, inputs, numInputs, result, 1,
                                       flags);
}

HectorStatus hectorBoundFunctionRunResults(const HectorBoundFunction *bound,
                                           const HectorBuffer *inputs,
                                           int64_t numInputs,
                                           const HectorBuffer *results,
                                           int64_t numResults, unsigned flags) {
  if (!bound)
    return fail(HECTOR_STATUS_INVALID_ARGUMENT, "bound function is null");
  const HectorFunction &fn = *bound->fn;
  const int64_t want = static_cast<int64_t>(fn.inputArgs.size());
  if (numInputs != want)
    return fail(HECTOR_STATUS_SIZE_MISMATCH,
                format("function '%s' takes %lld input buffers (the graph "
                       "excluded), got %lld",
                       fn.name.c_str(), static_cast<long long>(want),
                       static_cast<long long>(numInputs)));
  const int64_t wantResults = static_cast<int64_t>(fn.results.size());
  if (numResults != wantResults)
    return fail(HECTOR_STATUS_SIZE_MISMATCH,
                format("function '%s' has %lld result%s, got %lld result "
                       "buffer%s",
                       fn.name.c_str(), static_cast<long long>(wantResults),
                       wantResults == 1 ? "" : "s",
                       static_cast<long long>(numResults),
                       numResults == 1 ? "" : "s"));
  if (numInputs > 0 && !inputs)
    return fail(HECTOR_STATUS_INVALID_ARGUMENT, "inputs is null");
  if (!results)
    return fail(HECTOR_STATUS_INVALID_ARGUMENT, "results is null");
  if (flags & ~(HECTOR_RUN_DEVICE_POINTERS | HECTOR_RUN_UPLOAD_RESULT))
    return fail(HECTOR_STATUS_INVALID_ARGUMENT,
                format("unknown run flags 0x%x", flags));
  const bool cuda = fn.target == HECTOR_TARGET_CUDA;
  if (!cuda && (flags & HECTOR_RUN_DEVICE_POINTERS))
    return fail(HECTOR_STATUS_INVALID_ARGUMENT,
                format("function '%s' is compiled for the CPU; device "
                       "pointers are only for CUDA functions",
                       fn.name.c_str()));
  const bool devicePointers = (flags & HECTOR_RUN_DEVICE_POINTERS) != 0;
  return guarded([&] {
    // Scratch descriptors live on this call's stack frame, so concurrent
    // calls share nothing mutable.
    std::vector<int64_t> words;
    words.reserve(static_cast<size_t>(fn.numParams) *
                  (3 + 2 * (HECTOR_MODEL_MAX_RANK + 1)));
    std::vector<size_t> starts;
    auto addParam = [&](void *data, const std::vector<int64_t> &shape) {
      starts.push_back(words.size());
      appendDescriptor(words, data, shape);
    };
    if (fn.hasGraphArg)
      for (size_t k = 0; k < HECTOR_MODEL_GRAPH_ARRAYS; ++k)
        addParam(cuda ? bound->deviceGraphData[k] : bound->graphData[k],
                 {bound->graphSizes[k]});
    // Slot k < want is input k; slot want + j is result j (input -1 - j).
    auto check = [&](const HectorBuffer &b, int64_t input) -> void * {
      const ArgRecord &a = input < 0
                               ? fn.results[static_cast<size_t>(-1 - input)]
                               : fn.args[static_cast<size_t>(
                                     fn.inputArgs[static_cast<size_t>(input)])];
      size_t slot = static_cast<size_t>(input < 0 ? want - 1 - input : input);
      int64_t expected = bound->numElements[slot];
      if (b.type != a.elementType)
        raise(HECTOR_STATUS_INVALID_ARGUMENT,
              format("%s: buffer holds %s, expected %s",
                     describeArg(fn, input).c_str(),
                     b.type >= HECTOR_ELEMENT_F32 && b.type <= HECTOR_ELEMENT_I64
                         ? elementName(b.type)
                         : "an unknown element type",
                     elementName(a.elementType)));
      if (b.numElements != expected)
        raise(HECTOR_STATUS_SIZE_MISMATCH,
              format("%s: buffer has %lld elements, expected %lld (shape "
                     "%s)",
                     describeArg(fn, input).c_str(),
                     static_cast<long long>(b.numElements),
                     static_cast<long long>(expected),
                     joinShape(bound->shapes[slot]).c_str()));
      if (expected == 0)
        return b.data ? b.data : static_cast<void *>(emptyStorage);
      if (!b.data)
        raise(HECTOR_STATUS_INVALID_ARGUMENT,
              describeArg(fn, input) + ": buffer data is null");
      if (reinterpret_cast<uintptr_t>(b.data) %
              static_cast<uintptr_t>(elementSize(a.elementType)) !=
          0)
        raise(HECTOR_STATUS_INVALID_ARGUMENT,
              describeArg(fn, input) + ": buffer data is misaligned for " +
                  elementName(a.elementType));
      return b.data;
    };
    std::vector<void *> data(static_cast<size_t>(want + numResults));
    for (int64_t k = 0; k < want; ++k)
      data[static_cast<size_t>(k)] = check(inputs[k], k);
    for (int64_t j = 0; j < numResults; ++j)
      data[static_cast<size_t>(want + j)] = check(results[j], -1 - j);
    auto bytesOf = [&](size_t slot) {
      const HectorBuffer &b = slot < static_cast<size_t>(want)
                                  ? inputs[slot]
                                  : results[slot - static_cast<size_t>(want)];
      return b.numElements * elementSize(b.type);
    };
    // The input number describeArg takes for slot `slot`.
    auto inputOf = [&](size_t slot) {
      int64_t k = static_cast<int64_t>(slot);
      return k < want ? k : want - 1 - k;
    };
    std::array<void *, HECTOR_MODEL_MAX_PARAMS> params{};
    auto call = [&] {
      for (size_t k = 0; k < data.size(); ++k)
        addParam(data[k], bound->shapes[k]);
      if (static_cast<int64_t>(starts.size()) != fn.numParams)
        raise(HECTOR_STATUS_INTERNAL,
              format("built %zu parameters for '%s', expected %lld",
                     starts.size(), fn.name.c_str(),
                     static_cast<long long>(fn.numParams)));
      for (size_t k = 0; k < starts.size(); ++k)
        params[k] = &words[starts[k]];
      kCallers[static_cast<size_t>(fn.numParams)](fn.entryFn, params.data());
    };
    if (!cuda) {
      call();
      return;
    }
#if HECTOR_RUNTIME_CUDA
    std::lock_guard<std::mutex> lock(cudaMutex());
    requireCuda(fn);
    const std::string context = who(fn);
    if (devicePointers) {
      call();
      hectorCudaSynchronize();
      raiseIfCudaError(context);
      return;
    }
    // Host buffers: one device allocation for the inputs and the results.
    std::vector<int64_t> offsets(data.size());
    int64_t total = 0;
    for (size_t k = 0; k < data.size(); ++k) {
      offsets[k] = total;
      total += alignUp(bytesOf(k));
    }
    DeviceAllocation dev;
    hectorCudaMalloc(&dev.ptr,
                     static_cast<size_t>(std::max(total, kDeviceAlign)));
    raiseIfCudaError(context + ": allocating its buffers");
    std::vector<void *> host = data;
    for (size_t k = 0; k < data.size(); ++k) {
      data[k] = static_cast<char *>(dev.ptr) + offsets[k];
      bool isResult = k >= static_cast<size_t>(want);
      int64_t bytes = bytesOf(k);
      if (bytes && (!isResult || (flags & HECTOR_RUN_UPLOAD_RESULT))) {
        hectorCudaMemcpyHtoD(data[k], host[k], static_cast<size_t>(bytes));
        raiseIfCudaError(context + ": uploading " +
                         describeArg(fn, inputOf(k)));
      }
    }
    call();
    hectorCudaSynchronize();
    raiseIfCudaError(context);
    for (size_t k = static_cast<size_t>(want); k < data.size(); ++k)
      if (int64_t bytes = bytesOf(k)) {
        hectorCudaMemcpyDtoH(host[k], data[k], static_cast<size_t>(bytes));
        raiseIfCudaError(context + ": downloading " +
                         describeArg(fn, inputOf(k)));
      }
#else
    (void)devicePointers;
    (void)bytesOf;
    (void)inputOf;
    raise(HECTOR_STATUS_INTERNAL, "CUDA function in a runtime without CUDA");
#endif
  });
}

int hectorModelAbiVersion(void) { return HECTOR_MODEL_ABI_VERSION; }

} // extern "C"

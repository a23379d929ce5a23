#include "common/metrics.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace shortlink {

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), counts_(new std::atomic<uint64_t>[bounds_.size() + 1]) {
  for (size_t i = 0; i <= bounds_.size(); ++i) counts_[i].store(0);
}

void Histogram::Observe(double value) {
  size_t i = 0;
  while (i < bounds_.size() && value > bounds_[i]) ++i;
  counts_[i].fetch_add(1, std::memory_order_relaxed);
  sum_micros_.fetch_add(static_cast<uint64_t>(std::llround(value * 1e6)),
                        std::memory_order_relaxed);
}

std::vector<uint64_t> Histogram::CumulativeCounts() const {
  std::vector<uint64_t> out(bounds_.size() + 1);
  uint64_t running = 0;
  for (size_t i = 0; i <= bounds_.size(); ++i) {
    running += counts_[i].load(std::memory_order_relaxed);
    out[i] = running;
  }
  return out;
}

double Histogram::sum() const { return sum_micros_.load(std::memory_order_relaxed) / 1e6; }

std::vector<double> LatencyBuckets() {
  return {0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
          0.025,   0.05,   0.1,     0.25,   0.5,   1,      2.5,   5};
}

MetricsRegistry::Family& MetricsRegistry::FamilyFor(const std::string& name,
                                                    const std::string& help, const char* type) {
  Family& family = families_[name];
  if (family.type.empty()) {
    family.type = type;
    family.help = help;
  }
  return family;
}

Counter* MetricsRegistry::GetCounter(const std::string& name, const std::string& help,
                                     const std::string& labels) {
  std::lock_guard lock(mu_);
  auto& slot = FamilyFor(name, help, "counter").counters[labels];
  if (!slot) slot = std::make_unique<Counter>();
  return slot.get();
}

Gauge* MetricsRegistry::GetGauge(const std::string& name, const std::string& help,
                                 const std::string& labels) {
  std::lock_guard lock(mu_);
  auto& slot = FamilyFor(name, help, "gauge").gauges[labels];
  if (!slot) slot = std::make_unique<Gauge>();
  return slot.get();
}

Histogram* MetricsRegistry::GetHistogram(const std::string& name, const std::string& help,
                                         const std::string& labels, std::vector<double> bounds) {
  std::lock_guard lock(mu_);
  auto& slot = FamilyFor(name, help, "histogram").histograms[labels];
  if (!slot) slot = std::make_unique<Histogram>(std::move(bounds));
  return slot.get();
}

void MetricsRegistry::AddCallbackGauge(const std::string& name, const std::string& help,
                                       std::function<double()> read) {
  std::lock_guard lock(mu_);
  FamilyFor(name, help, "gauge").callback = std::move(read);
}

namespace {

std::string Braced(const std::string& labels) { return labels.empty() ? "" : "{" + labels + "}"; }

// Numbers as the reference Prometheus client prints them (Go's
// strconv.FormatFloat(v, 'g', -1, 64)): the fewest digits that read back as
// the same double, in exponent form only below 1e-4 or from 1e6 up. So
// le="0.1" and le="10", not le="0.10000000000000001" and le="1e+01":
// dashboards and alerts that match le="0.1" literally find our buckets.
std::string FormatNumber(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  int digits = 1;
  for (;; ++digits) {
    snprintf(buf, sizeof buf, "%.*e", digits - 1, v);
    if (digits == 17 || std::strtod(buf, nullptr) == v) break;
  }
  int exponent = std::atoi(std::strchr(buf, 'e') + 1);
  if (exponent < -4 || exponent >= 6) return buf;
  snprintf(buf, sizeof buf, "%.*f", std::max(0, digits - 1 - exponent), v);
  return buf;
}

}  // namespace

std::string MetricsRegistry::Render() const {
  std::lock_guard lock(mu_);
  std::string out;
  for (const auto& [name, f] : families_) {
    out += "# HELP " + name + " " + f.help + "\n# TYPE " + name + " " + f.type + "\n";
    for (const auto& [labels, c] : f.counters)
      out += name + Braced(labels) + " " + std::to_string(c->value()) + "\n";
    for (const auto& [labels, g] : f.gauges)
      out += name + Braced(labels) + " " + std::to_string(g->value()) + "\n";
    if (f.callback) out += name + " " + FormatNumber(f.callback()) + "\n";
    for (const auto& [labels, h] : f.histograms) {
      auto counts = h->CumulativeCounts();
      std::string sep = labels.empty() ? "" : ",";
      for (size_t i = 0; i < h->bounds().size(); ++i) {
        out += name + "_bucket{" + labels + sep + "le=\"" + FormatNumber(h->bounds()[i]) + "\"} " +
               std::to_string(counts[i]) + "\n";
      }
      out +=
          name + "_bucket{" + labels + sep + "le=\"+Inf\"} " + std::to_string(counts.back()) + "\n";
      out += name + "_sum" + Braced(labels) + " " + FormatNumber(h->sum()) + "\n";
      out += name + "_count" + Braced(labels) + " " + std::to_string(counts.back()) + "\n";
    }
  }
  return out;
}

std::string EscapeLabelValue(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') {
      out.push_back('\\');
      out.push_back(c);
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

}  // namespace shortlink

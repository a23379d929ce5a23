// Prometheus metrics: counters, gauges and histograms rendered in the text
// exposition format (version 0.0.4).
//
// Thread safety: every method may be called from any thread. Registration
// and rendering take a mutex; updating a metric through the pointer that
// registration returned is a relaxed atomic operation and takes no lock.
// Pointers stay valid for the registry's lifetime.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace shortlink {

class Counter {
 public:
  void Add(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

class Gauge {
 public:
  void Set(int64_t v) { value_.store(v, std::memory_order_relaxed); }
  void Add(int64_t n) { value_.fetch_add(n, std::memory_order_relaxed); }
  int64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> value_{0};
};

class Histogram {
 public:
  explicit Histogram(std::vector<double> bounds);
  void Observe(double value);
  const std::vector<double>& bounds() const { return bounds_; }
  // Cumulative counts per bound, then +Inf; and the sum.
  std::vector<uint64_t> CumulativeCounts() const;
  double sum() const;

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> counts_;  // one per bound, plus +Inf
  std::atomic<uint64_t> sum_micros_{0};              // sum kept in millionths
};

// Latency buckets in seconds, from 50 us to 5 s.
std::vector<double> LatencyBuckets();

class MetricsRegistry {
 public:
  // `labels` is the Prometheus label text without braces, e.g.
  // `route="/api/v1/urls",status="200"`; empty for none. Asking again for
  // the same name and labels returns the same metric.
  Counter* GetCounter(const std::string& name, const std::string& help,
                      const std::string& labels = "");
  Gauge* GetGauge(const std::string& name, const std::string& help, const std::string& labels = "");
  Histogram* GetHistogram(const std::string& name, const std::string& help,
                          const std::string& labels = "",
                          std::vector<double> bounds = LatencyBuckets());
  // A gauge whose value is read when rendering (sizes, lags, states).
  void AddCallbackGauge(const std::string& name, const std::string& help,
                        std::function<double()> read);

  std::string Render() const;

 private:
  struct Family {
    std::string type;
    std::string help;
    std::map<std::string, std::unique_ptr<Counter>> counters;
    std::map<std::string, std::unique_ptr<Gauge>> gauges;
    std::map<std::string, std::unique_ptr<Histogram>> histograms;
    std::function<double()> callback;
  };
  Family& FamilyFor(const std::string& name, const std::string& help, const char* type);

  mutable std::mutex mu_;
  std::map<std::string, Family> families_;  // GUARDED_BY(mu_)
};

// Escapes a label value (backslash, quote, newline) for the text format.
std::string EscapeLabelValue(std::string_view value);

}  // namespace shortlink

// Fuzzes the decoding of what redirect nodes are sent (common/change.h,
// common/link.h): change records, link records, and the framed streams of
// the change log and snapshot (FrameReader), which arrive in pieces of any
// size. Arbitrary bytes must decode or be refused without a crash, and:
//   - whatever decodes re-encodes to bytes that decode to the same value,
//     and that encoding is canonical (encoding it again changes nothing);
//   - a stream fed in pieces yields exactly the frames (and the same
//     corruption verdict) as the same stream fed at once, and re-framing
//     those frames yields them again.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/change.h"
#include "common/link.h"
#include "fuzz_check.h"

namespace shortlink {
namespace {

void CheckLink(std::string_view bytes) {
  auto link = DecodeLink(bytes);
  if (!link.ok()) return;
  std::string encoded;
  EncodeLink(*link, &encoded);
  auto again = DecodeLink(encoded);
  FUZZ_CHECK(again.ok() && *again == *link);
  std::string reencoded;
  EncodeLink(*again, &reencoded);
  FUZZ_CHECK(reencoded == encoded);
}

void CheckChange(std::string_view bytes) {
  auto change = DecodeChange(bytes);
  if (!change.ok()) return;
  FUZZ_CHECK(change->op == ChangeOp::kUpsert || change->op == ChangeOp::kDelete ||
             IsDomainOp(change->op));
  std::string encoded;
  EncodeChange(*change, &encoded);
  auto again = DecodeChange(encoded);
  FUZZ_CHECK(again.ok() && *again == *change);
  std::string reencoded;
  EncodeChange(*again, &reencoded);
  FUZZ_CHECK(reencoded == encoded);
}

struct Frames {
  std::vector<std::string> frames;
  bool corrupt = false;
  size_t pending = 0;
};

// Feeds `stream` in pieces whose sizes cycle through `piece_sizes` (0:
// everything at once), taking every whole frame after each piece, as
// upstream/admin_client.cc does with an HTTP body.
Frames ReadFrames(std::string_view stream, std::string_view piece_sizes) {
  Frames out;
  FrameReader reader;
  size_t fed = 0, turn = 0;
  while (!out.corrupt) {
    size_t n = stream.size() - fed;
    if (!piece_sizes.empty()) {
      auto size = static_cast<unsigned char>(piece_sizes[turn++ % piece_sizes.size()]);
      n = std::min<size_t>(n, 1 + size % 64);
    }
    reader.Feed(stream.substr(fed, n));
    fed += n;
    std::string_view frame;
    while (reader.Next(&frame, &out.corrupt)) {
      FUZZ_CHECK(frame.size() <= FrameReader::kMaxFrame);
      out.frames.emplace_back(frame);
    }
    if (fed == stream.size()) break;
  }
  out.pending = reader.pending();
  return out;
}

void CheckStream(std::string_view stream, std::string_view piece_sizes) {
  Frames whole = ReadFrames(stream, {});
  Frames pieces = ReadFrames(stream, piece_sizes);
  FUZZ_CHECK(whole.frames == pieces.frames);
  FUZZ_CHECK(whole.corrupt == pieces.corrupt);
  if (!whole.corrupt) {
    FUZZ_CHECK(whole.pending == pieces.pending);
    size_t framed = 0;
    for (const std::string& f : whole.frames) framed += f.size();
    FUZZ_CHECK(framed + whole.pending <= stream.size());
  }
  std::string reframed;
  for (const std::string& f : whole.frames) {
    CheckChange(f);
    AppendFrame(f, &reframed);
  }
  Frames again = ReadFrames(reframed, {});
  FUZZ_CHECK(again.frames == whole.frames && !again.corrupt && again.pending == 0);
}

}  // namespace
}  // namespace shortlink

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace shortlink;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  CheckLink(input);
  CheckChange(input);
  // The first bytes, reversed, choose the piece sizes: a stream and its
  // splitting both come from the input without a format of their own.
  std::string piece_sizes(input.substr(0, 8).rbegin(), input.substr(0, 8).rend());
  CheckStream(input, piece_sizes);
  return 0;
}

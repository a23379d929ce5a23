// Campaigns in stored bytes: a link record's campaign (common/link.h, tag
// 32) is read compatibly both ways, a campaign record round-trips, and a
// database written before campaigns (no "campaigns" column family) opens
// with its links and no campaign.
#include <rocksdb/db.h>

#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <vector>
#include "drop_table.h"

#include "campaigns/campaign.h"
#include "campaigns/campaigns.h"
#include "common/change.h"
#include "common/link.h"
#include "common/wire.h"
#include "link_test_support.h"
#include "store/table.h"

namespace shortlink::admin {
namespace {

// A link record as the release before campaigns wrote it: the fields in its
// encoder's order (common/src/link.cc at 58d6cdf), built by hand so that
// this test does not depend on today's encoder.
std::string OldRecord() {
  std::string r;
  wire::PutField(1, "spring", &r);                      // code
  wire::PutField(2, "https://example.com/spring", &r);  // longUrl
  wire::PutVarintField(3, 0, &r);                       // state ACTIVE
  wire::PutVarintField(4, 7, &r);                       // owner
  wire::PutVarintField(5, 42, &r);                      // clicks
  wire::PutVarintField(6, 1000, &r);                    // createdAt
  wire::PutVarintField(7, 2000, &r);                    // updatedAt
  wire::PutField(9, "Spring", &r);                      // title
  wire::PutField(10, "sale", &r);                       // a tag
  return r;
}

TEST_CASE("campaigns: an old link record decodes with no campaign and encodes as it was",
          "[campaigns][codec]") {
  std::string old = OldRecord();
  auto link = DecodeLink(old);
  REQUIRE(link.ok());
  CHECK(link->campaign == 0);
  CHECK(link->code == "spring");
  CHECK(link->owner == 7);
  CHECK(link->clicks == 42);
  CHECK(link->title == "Spring");
  CHECK(link->tags == std::vector<std::string>{"sale"});
  // A link in no campaign is byte for byte what the previous release wrote.
  std::string again;
  EncodeLink(*link, &again);
  CHECK(again == old);
}

TEST_CASE("campaigns: a link's campaign round-trips, and a reader that knows no tag 32 skips it",
          "[campaigns][codec]") {
  Link link = DecodeLink(OldRecord()).value();
  link.campaign = 300;  // two varint bytes
  std::string encoded;
  EncodeLink(link, &encoded);
  CHECK(encoded.size() == OldRecord().size() + 4);  // tag, length, two bytes
  auto decoded = DecodeLink(encoded);
  REQUIRE(decoded.ok());
  CHECK(*decoded == link);

  // What a node reads: the campaign is no rule, so it takes the fast path
  // and serves the link as before.
  auto served = DecodeServedLink(encoded);
  REQUIRE(served.ok());
  CHECK_FALSE(served->has_rules);
  CHECK(served->code == "spring");
  CHECK(served->long_url == "https://example.com/spring");

  // An older reader skips a tag it does not know: here, one newer still
  // after the campaign, as an older one skips the campaign itself.
  std::string newer = encoded;
  wire::PutField(200, "from a later release", &newer);
  auto skipped = DecodeLink(newer);
  REQUIRE(skipped.ok());
  CHECK(*skipped == link);

  // A change carrying it reaches a node whole.
  Change change{5, ChangeOp::kUpsert, link};
  std::string entry;
  EncodeChange(change, &entry);
  auto back = DecodeChange(entry);
  REQUIRE(back.ok());
  CHECK(back->link.campaign == 300);

  // A malformed campaign (not a varint) is refused, not misread.
  std::string bad = OldRecord();
  wire::PutField(32, "\xff\xff", &bad);
  CHECK_FALSE(DecodeLink(bad).ok());
}

TEST_CASE("campaigns: a campaign record round-trips, skips later fields, refuses a truncated one",
          "[campaigns][codec]") {
  Campaign c{9, 1ull << 33, "Spring \xC3\xA9t\xC3\xA9", 1000, 2500};
  std::string bytes;
  EncodeCampaign(c, &bytes);
  auto back = DecodeCampaign(9, bytes);
  REQUIRE(back.ok());
  CHECK(*back == c);
  std::string newer = bytes;
  wire::PutField(9, "later", &newer);
  CHECK(DecodeCampaign(9, newer).value() == c);
  CHECK_FALSE(DecodeCampaign(9, bytes.substr(0, bytes.size() - 1)).ok());
  CHECK_FALSE(DecodeCampaign(9, "").ok());
}

TEST_CASE("campaigns: a database without the campaigns table opens, links kept, no campaign",
          "[campaigns][store]") {
  testing::TempDir dir;
  {
    testing::ServiceOn s(dir.path());
    CreateLink create;
    create.owner = 1;
    create.long_url = "https://example.com/kept";
    create.code = "kept";
    REQUIRE(s.One(create).status.ok());
  }
  testing::DropTable(dir.path(), Table::kCampaigns);
  uint64_t made = 0;
  {
    testing::ServiceOn s(dir.path());
    CHECK(s.index.Get("kept")->long_url == "https://example.com/kept");
    auto campaigns = std::move(Campaigns::Load(s.db.get())).value();
    size_t total = 1;
    CHECK(campaigns->List(1, "", 0, 20, &total).empty());
    CHECK(total == 0);
    made = campaigns->Create(1, "First", 1000).value().id;
    CHECK(made == 1);
    s.service->SetCampaignDirectory(campaigns.get());
    UpdateLink update;
    update.owner = 1;
    update.code = "kept";
    update.fields.campaign = made;
    REQUIRE(s.One(update).status.ok());
  }
  testing::ServiceOn restarted(dir.path());
  auto campaigns = std::move(Campaigns::Load(restarted.db.get())).value();
  CHECK(campaigns->Get(1, made));
  CHECK(restarted.index.Get("kept")->campaign == made);
}

}  // namespace
}  // namespace shortlink::admin

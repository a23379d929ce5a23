#include "sync/replica_store.h"

#include <rocksdb/options.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <charconv>
#include <filesystem>

#include "common/log.h"
#include "common/rocks_logger.h"
#include "common/wire.h"

namespace shortlink::redirector {
namespace {

constexpr std::string_view kAppliedSeqKey = "applied_seq";
constexpr std::string_view kLinksFamilyKey = "links_cf";
constexpr std::string_view kLinksFamilyPrefix = "links.";
constexpr std::string_view kSchemaKey = "schema";
constexpr std::string_view kDomainPrefix = "domain/";  // + host, in the default family
const std::string kSchemaValue = std::to_string(ReplicaStore::kSchema);

// Converts a RocksDB status once, here at the edge of our code.
Error FromRocks(const rocksdb::Status& s, std::string_view what) {
  return MakeError(ErrorCode::kInternal, std::string(what) + ": " + s.ToString());
}

rocksdb::Slice ToSlice(std::string_view s) { return rocksdb::Slice(s.data(), s.size()); }
std::string_view ToView(const rocksdb::Slice& s) { return std::string_view(s.data(), s.size()); }

// Generation number of "links.<n>", or 0 when `name` is not a links family.
uint64_t GenerationOf(std::string_view name) {
  if (!name.starts_with(kLinksFamilyPrefix)) return 0;
  std::string_view digits = name.substr(kLinksFamilyPrefix.size());
  uint64_t n = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  if (ec != std::errc() || end != digits.data() + digits.size()) return 0;
  return n;
}

rocksdb::ColumnFamilyOptions FamilyOptions() {
  rocksdb::ColumnFamilyOptions options;
  // A snapshot of a million links is written in one go; a larger memtable
  // means fewer, larger level-0 files for the start-up scan to merge.
  options.write_buffer_size = 64 << 20;
  // Uncompressed: URLs compress to about half, but decompressing took 5-6%
  // of a warm start, and a node's disk holds the replica many times over.
  options.compression = rocksdb::kNoCompression;
  return options;
}

rocksdb::DBOptions DatabaseOptions() {
  rocksdb::DBOptions options;
  options.create_if_missing = true;
  options.create_missing_column_families = true;
  options.info_log = NewRocksLogger();  // no LOG file to fill the disk
  options.max_background_jobs = 2;
  return options;
}

std::string EncodeSeq(uint64_t seq) {
  std::string out;
  wire::PutFixed64BE(seq, &out);
  return out;
}

}  // namespace

ReplicaStore::ReplicaStore(std::unique_ptr<rocksdb::DB> db, ReplicaOptions options)
    : options_(options), db_(std::move(db)) {}

ReplicaStore::~ReplicaStore() {
  for (auto* handle : handles_) db_->DestroyColumnFamilyHandle(handle);
  handles_.clear();
  if (db_) db_->Close().PermitUncheckedError();
}

Result<std::unique_ptr<ReplicaStore>> ReplicaStore::Open(const std::string& dir,
                                                         ReplicaOptions options) {
  rocksdb::DBOptions db_options = DatabaseOptions();
  std::vector<std::string> names = {rocksdb::kDefaultColumnFamilyName};  // a new database
  // Asked only of an existing database: on a new one RocksDB logs a
  // failure to read the directory, an error line on every first start.
  std::error_code ignored;
  // Made here so that RocksDB does not log an error line for a missing
  // directory on a node's first start (it creates it all the same).
  std::filesystem::create_directories(dir, ignored);
  if (std::filesystem::exists(std::filesystem::path(dir) / "CURRENT", ignored) &&
      !rocksdb::DB::ListColumnFamilies(db_options, dir, &names).ok()) {
    names = {rocksdb::kDefaultColumnFamilyName};
  }
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const auto& name : names) descriptors.emplace_back(name, FamilyOptions());

  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(db_options, dir, descriptors, &handles, &raw);
  if (!s.ok()) return FromRocks(s, "cannot open replica in " + dir);
  std::unique_ptr<ReplicaStore> store(new ReplicaStore(std::unique_ptr<rocksdb::DB>(raw), options));
  // SST files of a snapshot that a crash interrupted before their ingest.
  for (const auto& entry : std::filesystem::directory_iterator(dir, ignored)) {
    if (entry.path().string().ends_with(".sst.tmp")) std::filesystem::remove(entry.path(), ignored);
  }
  Status status = store->OpenExisting(descriptors, std::move(handles));
  if (!status.ok()) return status.error();
  return store;
}

Status ReplicaStore::OpenExisting(const std::vector<rocksdb::ColumnFamilyDescriptor>& descriptors,
                                  std::vector<rocksdb::ColumnFamilyHandle*> handles) {
  handles_ = std::move(handles);
  std::string live_name;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), ToSlice(kLinksFamilyKey), &live_name);
  if (!s.ok() && !s.IsNotFound()) return FromRocks(s, "cannot read replica metadata");

  for (const auto& descriptor : descriptors) {
    next_generation_ = std::max(next_generation_, GenerationOf(descriptor.name) + 1);
  }
  // Every links family but the live one is what a crash left behind: a
  // snapshot that never committed, or an old family not yet dropped.
  std::vector<rocksdb::ColumnFamilyHandle*> stale;
  for (auto* handle : handles_) {
    if (handle->GetName() == live_name) {
      links_ = handle;
    } else if (GenerationOf(handle->GetName()) != 0) {
      stale.push_back(handle);
    }
  }
  for (auto* handle : stale) {
    LogInfo("replica: dropping an unfinished or replaced links family",
            {{"family", handle->GetName()}});
    Status dropped = DropFamily(handle);
    if (!dropped.ok()) return dropped;
  }

  if (links_ == nullptr) {
    if (!live_name.empty()) {
      return MakeError(ErrorCode::kInternal,
                       "replica metadata names a missing family " + live_name);
    }
    // A brand-new replica: an empty links family, and no applied_seq yet.
    std::string name = std::string(kLinksFamilyPrefix) + std::to_string(next_generation_++);
    rocksdb::ColumnFamilyHandle* handle = nullptr;
    s = db_->CreateColumnFamily(FamilyOptions(), name, &handle);
    if (!s.ok()) return FromRocks(s, "cannot create links family");
    handles_.push_back(handle);
    rocksdb::WriteBatch meta;
    s = meta.Put(ToSlice(kLinksFamilyKey), name);
    if (s.ok()) s = meta.Put(ToSlice(kSchemaKey), kSchemaValue);
    rocksdb::WriteOptions sync;
    sync.sync = true;
    if (s.ok()) s = db_->Write(sync, &meta);
    if (!s.ok()) return FromRocks(s, "cannot write replica metadata");
    links_ = handle;
  }

  std::string seq;
  s = db_->Get(rocksdb::ReadOptions(), ToSlice(kAppliedSeqKey), &seq);
  if (s.ok()) {
    if (seq.size() != 8) return MakeError(ErrorCode::kInternal, "corrupt applied_seq in replica");
    applied_seq_.store(wire::GetFixed64BE(seq.data()), std::memory_order_release);
    initialized_.store(true, std::memory_order_release);
  } else if (!s.IsNotFound()) {
    return FromRocks(s, "cannot read applied_seq");
  }

  std::string schema;
  s = db_->Get(rocksdb::ReadOptions(), ToSlice(kSchemaKey), &schema);
  if (s.IsNotFound()) return Upgrade();  // written before domains
  if (!s.ok()) return FromRocks(s, "cannot read the replica's schema");
  if (schema != kSchemaValue) {
    return MakeError(ErrorCode::kInternal,
                     "replica schema " + schema + " is not " + kSchemaValue +
                         " (written by a newer release?): move --data-dir aside to start afresh");
  }
  return Status::Ok();
}

Status ReplicaStore::Upgrade() {
  if (!initialized()) {
    // Never held a state, so no links to rewrite (they are written only
    // with an applied_seq): the first snapshot fills it in today's layout.
    rocksdb::WriteOptions sync;
    sync.sync = true;
    rocksdb::Status s = db_->Put(sync, ToSlice(kSchemaKey), kSchemaValue);
    if (!s.ok()) return FromRocks(s, "cannot write the replica's schema");
    return Status::Ok();
  }
  // Every link of layout 1 lies on the default domain, keyed by its code;
  // in code order, so "\0" + code rises too and the rewrite takes the SST
  // path. The records go over as they are.
  LogInfo("replica: upgrading to (domain, code) keys",
          {{"schema", kSchemaValue}, {"applied_seq", std::to_string(applied_seq())}});
  auto writer = BeginSnapshot();
  if (!writer.ok()) return writer.error();
  rocksdb::ReadOptions read;
  read.readahead_size = options_.load_readahead_bytes;
  read.fill_cache = false;
  size_t corrupt = 0;
  {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read, links_));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      // A record that does not decode is dropped, as LoadAll would skip it.
      if (!(*writer)->Add(ToView(it->value())).ok() && corrupt++ == 0) {
        LogError("replica: corrupt link record left out of the upgrade",
                 {{"key", ToView(it->key())}});
      }
    }
    if (!it->status().ok()) return FromRocks(it->status(), "cannot read replica to upgrade it");
  }
  Status status = (*writer)->Commit(applied_seq(), nullptr);
  if (!status.ok()) return status;
  LogInfo("replica: upgraded",
          {{"links", std::to_string((*writer)->links())}, {"corrupt", std::to_string(corrupt)}});
  return Status::Ok();
}

Status ReplicaStore::DropFamily(rocksdb::ColumnFamilyHandle* handle) {
  rocksdb::Status s = db_->DropColumnFamily(handle);
  if (!s.ok()) return FromRocks(s, "cannot drop family " + handle->GetName());
  handles_.erase(std::remove(handles_.begin(), handles_.end(), handle), handles_.end());
  db_->DestroyColumnFamilyHandle(handle);
  return Status::Ok();
}

size_t ReplicaStore::EstimatedLinks() {
  uint64_t keys = 0;
  if (!db_->GetIntProperty(links_, "rocksdb.estimate-num-keys", &keys)) return 0;
  return static_cast<size_t>(keys);
}

Result<LoadStats> ReplicaStore::LoadAll(const std::function<void(const ServedLink&)>& visit) {
  rocksdb::ReadOptions read;
  read.readahead_size = options_.load_readahead_bytes;
  read.fill_cache = false;  // read once; the table in memory is the cache
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read, links_));
  LoadStats stats;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    auto link = DecodeServedLink(ToView(it->value()));
    LinkKey key;
    if (!link.ok() || !DecodeLinkKey(ToView(it->key()), &key) ||
        key != LinkKey{link->domain, link->code}) {
      if (stats.corrupt++ == 0) {
        LogError("replica: corrupt link record", {{"key", ToView(it->key())}});
      }
      continue;
    }
    visit(*link);
    ++stats.links;
  }
  if (!it->status().ok()) return FromRocks(it->status(), "cannot read replica");
  return stats;
}

Status ReplicaStore::Apply(std::span<const ReceivedChange> changes) {
  if (changes.empty()) return Status::Ok();
  rocksdb::WriteBatch batch;
  for (const auto& change : changes) {
    rocksdb::Status s;
    if (IsDomainOp(change.op)) {
      std::string key = std::string(kDomainPrefix) + change.domain.host;
      s = change.op == ChangeOp::kDomainUpsert ? batch.Put(key, change.record) : batch.Delete(key);
    } else {
      std::string key = EncodeLinkKey(KeyOf(change.link));
      s = change.op == ChangeOp::kUpsert ? batch.Put(links_, key, change.record)
                                         : batch.Delete(links_, key);
    }
    if (!s.ok()) return FromRocks(s, "cannot build replica batch");
  }
  uint64_t seq = changes.back().seq;
  rocksdb::Status s = batch.Put(ToSlice(kAppliedSeqKey), EncodeSeq(seq));
  if (!s.ok()) return FromRocks(s, "cannot build replica batch");
  rocksdb::WriteOptions write;
  write.sync = options_.sync_writes;
  s = db_->Write(write, &batch);
  if (!s.ok()) return FromRocks(s, "cannot write replica");
  applied_seq_.store(seq, std::memory_order_release);
  initialized_.store(true, std::memory_order_release);
  return Status::Ok();
}

Result<size_t> ReplicaStore::LoadDomains(const std::function<void(const DomainRecord&)>& visit) {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  size_t count = 0;
  for (it->Seek(ToSlice(kDomainPrefix));
       it->Valid() && ToView(it->key()).starts_with(kDomainPrefix); it->Next()) {
    auto domain = DecodeDomain(ToView(it->value()));
    if (!domain.ok()) {
      LogError("replica: corrupt domain record", {{"key", ToView(it->key())}});
      continue;
    }
    visit(*domain);
    ++count;
  }
  if (!it->status().ok()) return FromRocks(it->status(), "cannot read replica domains");
  return count;
}

Result<std::unique_ptr<ReplicaSnapshotWriter>> ReplicaStore::BeginSnapshot() {
  if (snapshot_open_) return MakeError(ErrorCode::kInternal, "a snapshot is already in progress");
  std::string name = std::string(kLinksFamilyPrefix) + std::to_string(next_generation_++);
  rocksdb::ColumnFamilyHandle* handle = nullptr;
  rocksdb::Status s = db_->CreateColumnFamily(FamilyOptions(), name, &handle);
  if (!s.ok()) return FromRocks(s, "cannot create snapshot family");
  handles_.push_back(handle);
  snapshot_open_ = true;
  return std::unique_ptr<ReplicaSnapshotWriter>(new ReplicaSnapshotWriter(this, handle));
}

Result<Link> ReplicaStore::Get(LinkKey key) {
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), links_, EncodeLinkKey(key), &value);
  if (s.IsNotFound()) return MakeError(ErrorCode::kNotFound, "no such link");
  if (!s.ok()) return FromRocks(s, "cannot read replica");
  return DecodeLink(value);
}

ReplicaSnapshotWriter::ReplicaSnapshotWriter(ReplicaStore* store,
                                             rocksdb::ColumnFamilyHandle* family)
    : store_(store), family_(family) {}

ReplicaSnapshotWriter::~ReplicaSnapshotWriter() {
  RemoveFiles();  // after an ingest they are gone already (moved into the DB)
  if (!done_) {
    Status s = store_->DropFamily(family_);
    if (!s.ok())
      LogWarn("replica: cannot drop an abandoned snapshot", {{"error", s.error().message}});
  }
  store_->snapshot_open_ = false;
}

Status ReplicaSnapshotWriter::Add(std::string_view record) {
  if (done_) return MakeError(ErrorCode::kInternal, "snapshot already committed");
  auto link = DecodeLink(record);
  if (!link.ok()) return link.error();
  if (link->code.empty())
    return MakeError(ErrorCode::kInvalidArgument, "snapshot link with empty code");
  ++links_;
  std::string key = EncodeLinkKey(KeyOf(*link));
  if (in_order_ && (links_ == 1 || key > last_key_)) {
    last_key_ = key;
    return AddToFile(key, record);
  }
  in_order_ = false;
  rocksdb::Status s = batch_.Put(family_, key, ToSlice(record));
  if (!s.ok()) return FromRocks(s, "cannot build snapshot batch");
  if (batch_.GetDataSize() >= store_->options_.snapshot_batch_bytes) return FlushBatch();
  return Status::Ok();
}

Status ReplicaSnapshotWriter::AddDomain(std::string_view record) {
  if (done_) return MakeError(ErrorCode::kInternal, "snapshot already committed");
  auto domain = DecodeDomain(record);
  if (!domain.ok()) return domain.error();
  replace_domains_ = true;
  domains_.push_back(std::move(domain).value());
  domain_records_.emplace_back(record);
  return Status::Ok();
}

Status ReplicaSnapshotWriter::AddToFile(const std::string& key, std::string_view record) {
  if (!file_) {
    rocksdb::Options options(DatabaseOptions(), FamilyOptions());
    file_ = std::make_unique<rocksdb::SstFileWriter>(rocksdb::EnvOptions(), options, family_);
    std::string path = store_->db_->GetName() + "/" + family_->GetName() + "-" +
                       std::to_string(files_.size()) + ".sst.tmp";
    rocksdb::Status s = file_->Open(path);
    if (!s.ok()) {
      file_.reset();
      return FromRocks(s, "cannot create snapshot file");
    }
    files_.push_back(std::move(path));
  }
  rocksdb::Status s = file_->Put(key, ToSlice(record));
  if (!s.ok()) return FromRocks(s, "cannot write snapshot file");
  if (file_->FileSize() >= store_->options_.snapshot_file_bytes) return FinishFile();
  return Status::Ok();
}

Status ReplicaSnapshotWriter::FinishFile() {
  if (!file_) return Status::Ok();
  rocksdb::Status s = file_->Finish();
  file_.reset();
  if (!s.ok()) return FromRocks(s, "cannot finish snapshot file");
  return Status::Ok();
}

Status ReplicaSnapshotWriter::IngestFiles() {
  Status status = FinishFile();
  if (!status.ok() || files_.empty()) return status;
  rocksdb::IngestExternalFileOptions ingest;
  ingest.move_files = true;  // hard-linked into the DB, not copied
  rocksdb::Status s = store_->db_->IngestExternalFile(family_, files_, ingest);
  if (!s.ok()) return FromRocks(s, "cannot ingest snapshot files");
  files_.clear();  // moved: nothing of ours is left on disk
  return Status::Ok();
}

void ReplicaSnapshotWriter::RemoveFiles() {
  file_.reset();
  for (const std::string& path : files_) {
    std::error_code ignored;
    std::filesystem::remove(path, ignored);
  }
  files_.clear();
}

Status ReplicaSnapshotWriter::FlushBatch() {
  if (batch_.Count() == 0) return Status::Ok();
  // No WAL: the family is worthless until Commit flushes it to SST files,
  // and a crash before that drops it anyway. Saves writing a snapshot twice.
  rocksdb::WriteOptions write;
  write.disableWAL = true;
  rocksdb::Status s = store_->db_->Write(write, &batch_);
  batch_.Clear();
  if (!s.ok()) return FromRocks(s, "cannot write snapshot batch");
  return Status::Ok();
}

Status ReplicaSnapshotWriter::Commit(uint64_t seq, const DiffVisitor& diff) {
  if (done_) return MakeError(ErrorCode::kInternal, "snapshot already committed");
  Status status = IngestFiles();
  if (status.ok()) status = FlushBatch();
  if (!status.ok()) return status;
  rocksdb::DB* db = store_->db_.get();
  rocksdb::FlushOptions flush;
  flush.wait = true;
  rocksdb::Status s = db->Flush(flush, family_);
  if (!s.ok()) return FromRocks(s, "cannot flush snapshot");

  // The switch: one synced batch names the new family and its seq together.
  rocksdb::WriteBatch meta;
  s = meta.Put(ToSlice(kLinksFamilyKey), family_->GetName());
  if (s.ok()) s = meta.Put(ToSlice(kAppliedSeqKey), EncodeSeq(seq));
  if (s.ok()) s = meta.Put(ToSlice(kSchemaKey), kSchemaValue);  // the layout the family is in
  if (s.ok() && replace_domains_) {
    // The domains as of `seq`, in the same batch: the old ones out, the
    // snapshot's in (a Put after a Delete of its key in one batch wins).
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions()));
    for (it->Seek(ToSlice(kDomainPrefix));
         s.ok() && it->Valid() && ToView(it->key()).starts_with(kDomainPrefix); it->Next())
      s = meta.Delete(it->key());
    if (s.ok() && !it->status().ok()) s = it->status();
    for (size_t i = 0; s.ok() && i < domains_.size(); ++i)
      s = meta.Put(std::string(kDomainPrefix) + domains_[i].host, domain_records_[i]);
  }
  rocksdb::WriteOptions sync;
  sync.sync = true;
  if (s.ok()) s = db->Write(sync, &meta);
  if (!s.ok()) return FromRocks(s, "cannot switch to snapshot");
  done_ = true;
  rocksdb::ColumnFamilyHandle* old = store_->links_;
  store_->links_ = family_;
  store_->applied_seq_.store(seq, std::memory_order_release);
  store_->initialized_.store(true, std::memory_order_release);

  if (!diff) return DropReplaced(old);  // an upgrade: the keys differ, the links do not

  // Report the differences by walking both families in key order, a merge
  // join that needs no memory beyond two iterators.
  rocksdb::ReadOptions read;
  read.readahead_size = store_->options_.load_readahead_bytes;
  read.fill_cache = false;
  std::unique_ptr<rocksdb::Iterator> before(db->NewIterator(read, old));
  std::unique_ptr<rocksdb::Iterator> after(db->NewIterator(read, family_));
  before->SeekToFirst();
  after->SeekToFirst();
  while (before->Valid() || after->Valid()) {
    int order = !before->Valid() ? 1 : !after->Valid() ? -1 : before->key().compare(after->key());
    if (order < 0) {
      LinkKey gone;
      if (DecodeLinkKey(ToView(before->key()), &gone)) diff(gone, nullptr);
      before->Next();
      continue;
    }
    if (order > 0 || before->value() != after->value()) {
      auto link = DecodeLink(ToView(after->value()));  // Add checked it already
      if (link.ok()) diff(KeyOf(*link), &*link);
    }
    if (order == 0) before->Next();
    after->Next();
  }
  if (!before->status().ok() || !after->status().ok()) {
    // The replica is switched and consistent; only the in-memory table may
    // now lag behind it. Keep the old family for a restart to sort out.
    return FromRocks(before->status().ok() ? after->status() : before->status(),
                     "cannot compare snapshot with the old links");
  }
  before.reset();
  after.reset();
  return DropReplaced(old);
}

Status ReplicaSnapshotWriter::DropReplaced(rocksdb::ColumnFamilyHandle* old) {
  Status status = store_->DropFamily(old);
  if (!status.ok()) {
    // Harmless: the next Open drops every family but the live one.
    LogWarn("replica: cannot drop the replaced links family", {{"error", status.error().message}});
  }
  return Status::Ok();
}

}  // namespace shortlink::redirector

// Reading many records of one table, and reading several tables as of one
// instant.
//
// A Cursor walks one table in key order; a ReadView pins the whole database
// as of its creation (a RocksDB snapshot), so that cursors and reads given
// that view agree with each other however many writes come meanwhile.
//
// Thread safety: each object belongs to one thread at a time. A ReadView
// must outlive the cursors made with it, and the Database both.
#pragma once

#include <memory>
#include <string_view>

#include "common/result.h"

namespace rocksdb {
class Iterator;
class Snapshot;
}  // namespace rocksdb

namespace shortlink::admin {

class Database;

class ReadView {
 public:
  ~ReadView();
  ReadView(ReadView&&) = delete;  // cursors hold its address

 private:
  friend class Database;
  ReadView(Database* db, const rocksdb::Snapshot* snapshot) : db_(db), snapshot_(snapshot) {}
  Database* db_;
  const rocksdb::Snapshot* snapshot_;
};

class Cursor {
 public:
  ~Cursor();
  Cursor(Cursor&&) noexcept;
  Cursor& operator=(Cursor&&) noexcept;

  void Seek(std::string_view key);  // the first key >= `key`
  bool Valid() const;               // false past the end, or after an error
  void Next();
  std::string_view key() const;    // valid until the next Seek or Next
  std::string_view value() const;  // idem
  // Once !Valid(): Ok at the end of the table, else the read error (mapped
  // as Database::Write maps its errors).
  Status status() const;

 private:
  friend class Database;
  explicit Cursor(std::unique_ptr<rocksdb::Iterator> it);
  std::unique_ptr<rocksdb::Iterator> it_;
};

}  // namespace shortlink::admin

// RocksDB's own diagnostics, warnings and errors only, into our JSON log on
// stderr instead of a LOG file in the data dir. That file shares the disk
// with the data: once a write to it failed (disk full), Debian's librocksdb,
// built with assertions, aborts on the next line logged
// (WritableFileWriter::AssertFalseAndGetStatusForPrevError), so a full disk
// killed the process instead of failing its writes (tests/e2e/test_faults.py).
#pragma once

#include <memory>

namespace rocksdb {
class Logger;
}

namespace shortlink {

std::shared_ptr<rocksdb::Logger> NewRocksLogger();

}  // namespace shortlink

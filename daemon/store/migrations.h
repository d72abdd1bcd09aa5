// Numbered schema migrations for the store (DESIGN.md §7).
//
// The schema is the ordered list of migrations in migrations.cc; adding a
// table is one new entry at the end of that list. The `schema_version` table
// records every migration applied. Each migration runs in its own transaction
// together with its row in `schema_version`, so a crash leaves the database at
// one version or the next, never in between.
//
// Thread-safety: free functions; each call uses only the Database it is given.
// Two connections may run them at the same time: each migration re-reads the
// version inside its write transaction.
#ifndef AMPARO_DAEMON_STORE_MIGRATIONS_H_
#define AMPARO_DAEMON_STORE_MIGRATIONS_H_

#include <span>
#include <string_view>

#include "daemon/core/status.h"
#include "daemon/store/database.h"

namespace amparo {

struct Migration {
  int version;                   // 1, 2, 3, ... in order, without gaps.
  std::string_view description;  // One line, stored in schema_version.
  std::string_view sql;          // One or more `;`-separated statements.
};

// Return every migration this build knows, in version order.
std::span<const Migration> AllMigrations();

// Return the newest schema version this build knows.
int LatestSchemaVersion();

// Return the schema version of `db`: 0 for an empty database.
Result<int> SchemaVersion(Database& db);

// Bring `db` up to LatestSchemaVersion(). Returns FailedPrecondition if the
// database is newer than this build, and the failing migration's status otherwise.
Status RunMigrations(Database& db);

// Apply the missing migrations up to and including `up_to_version` (for tests
// that build an older schema). Returns InvalidArgument for an unknown version.
Status RunMigrations(Database& db, int up_to_version);

}  // namespace amparo

#endif  // AMPARO_DAEMON_STORE_MIGRATIONS_H_

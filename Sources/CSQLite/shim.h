#include <sqlite3.h>

/// Turns off SQLite's memory statistics, which take a process-wide mutex on every allocation.
/// Takes effect only before SQLite is first used in the process (`sqlite3_config` is variadic,
/// so Swift cannot call it directly).
static inline int tally_sqlite3_disable_memory_statistics(void) {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

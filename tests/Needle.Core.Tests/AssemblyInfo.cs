// Each test owns its host (its own SQLite file in a temporary folder, a free port), its PostgreSQL database and its
// downstream servers, so classes run side by side: the suite mostly waits (hosts starting, polls, timeouts), about half
// a core used when run one class at a time. A test that asserts a wall-clock or allocation bound, or reads something
// process-wide (GC.GetTotalAllocatedBytes, ThreadPool.ThreadCount, GC.GetTotalMemory), is [DoNotParallelize]: MSTest
// runs those one at a time after the others. See docs/testing.md, "Suite time".
[assembly: Parallelize(Workers = 3, Scope = ExecutionScope.ClassLevel)]

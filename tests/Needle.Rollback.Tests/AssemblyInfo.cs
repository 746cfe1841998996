// Every host test owns its host, database directory, clock and in-memory job storage, so classes run side by side.
[assembly: Parallelize(Workers = 4, Scope = ExecutionScope.ClassLevel)]

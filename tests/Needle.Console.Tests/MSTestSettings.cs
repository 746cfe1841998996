// Two classes at a time: each browser test starts its own host and page; more would crowd a 2-CPU CI machine that
// runs Needle.Core's timing-sensitive tests alongside.
[assembly: Parallelize(Scope = ExecutionScope.ClassLevel, Workers = 2)]

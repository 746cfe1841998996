using System.Collections.Concurrent;
using System.Diagnostics.Tracing;
using System.Globalization;

namespace Needle.Benchmarks.JavaScript;

/// <summary>
/// Issue #18's "which stage costs what", by type: runs one of <see cref="JavaScriptCallBenchmarks"/>' stages many times
/// on one thread and prints what it allocates per call, in total (exact: <see cref="GC.GetTotalAllocatedBytes"/>) and
/// by the type of object allocated (the runtime's allocation ticks, one per about 100 KB allocated, attributed to the
/// object that crossed the mark: a sample, so a type below about 1 % of the total is noise; types under 0.5 % are not printed).
/// <c>dotnet run -c Release --project benchmarks/Needle.Benchmarks -- allocations [stage] [calls]</c>, stage one of
/// Native, BareJintCall, EngineInvoke, FunctionInvokeAndWrite, BareJintAggregator, AggregatorInvoke.
/// </summary>
internal static class AllocationsByType
{
    public static async Task<int> RunAsync(string[] args)
    {
        var stage = args.Length > 1 ? args[1] : "FunctionInvokeAndWrite";
        var calls = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 200_000;
        var bench = new JavaScriptCallBenchmarks();
        bench.Setup();
        try
        {
            Func<Task> call = stage switch
            {
                "Native" => () => Task.FromResult(bench.Native()),
                "BareJintCall" => () => Task.FromResult(bench.BareJintCall()),
                "EngineInvoke" => bench.EngineInvoke,
                "FunctionInvokeAndWrite" => bench.FunctionInvokeAndWrite,
                "BareJintAggregator" => () => Task.FromResult(bench.BareJintAggregator()),
                "AggregatorInvoke" => bench.AggregatorInvoke,
                _ => throw new ArgumentException($"Unknown stage '{stage}'.", nameof(args)),
            };

            for (var i = 0; i < 10_000; i++)
            {
                await call();
            }

            // The exact total first, with no listener (its events allocate too), then the breakdown with it.
            var before = GC.GetTotalAllocatedBytes(precise: true);
            for (var i = 0; i < calls; i++)
            {
                await call();
            }

            var total = (GC.GetTotalAllocatedBytes(precise: true) - before) / (double)calls;
            using var listener = new AllocationListener();
            for (var i = 0; i < calls; i++)
            {
                await call();
            }

            listener.Dispose();
            foreach (var own in ListenerTypes)
            {
                listener.ByType.TryRemove(own, out _);
            }

            var sampled = listener.ByType.Values.Sum();
            System.Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{stage}: {total:F0} B per call over {calls} calls; by type (share of {listener.Ticks} allocation ticks, scaled to the total):"));
            System.Console.WriteLine("| type | B per call | share |");
            System.Console.WriteLine("|---|---:|---:|");
            foreach (var (type, bytes) in listener.ByType.OrderByDescending(p => p.Value).Where(p => p.Value >= sampled / 200))
            {
                var share = bytes / (double)sampled;
                System.Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| `{type}` | {share * total:F0} | {share:P1} |"));
            }

            return 0;
        }
        finally
        {
            bench.Cleanup();
        }
    }

    // What the listener's own events allocate (their arguments, boxed payload values), left out of the breakdown.
    private static readonly string[] ListenerTypes =
    [
        "System.Diagnostics.Tracing.EventWrittenEventArgs", "MoreEventInfo", "System.Object[]", "System.UInt32", "System.UInt64",
        "System.UInt16", "System.IntPtr", "System.Byte[]", "System.Collections.ObjectModel.ReadOnlyCollection`1[System.Object]",
    ];

    private sealed class AllocationListener : EventListener
    {
        private const int AllocationTick = 10;
        private int _ticks;

        public ConcurrentDictionary<string, long> ByType { get; } = new();

        public int Ticks => Volatile.Read(ref _ticks);

        protected override void OnEventSourceCreated(EventSource eventSource)
        {
            if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
            {
                // GC keyword, verbose: the allocation ticks.
                EnableEvents(eventSource, EventLevel.Verbose, (EventKeywords)0x1);
            }
        }

        protected override void OnEventWritten(EventWrittenEventArgs eventData)
        {
            if (eventData.EventId != AllocationTick || eventData.Payload is not { } payload || eventData.PayloadNames is not { } names)
            {
                return;
            }

            var type = payload[names.IndexOf("TypeName")] as string ?? "?";
            var amount = Convert.ToInt64(payload[names.IndexOf("AllocationAmount64")], CultureInfo.InvariantCulture);
            Interlocked.Increment(ref _ticks);
            ByType.AddOrUpdate(type, amount, (_, sum) => sum + amount);
        }
    }
}

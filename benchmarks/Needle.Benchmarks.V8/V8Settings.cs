using System.Globalization;
using Microsoft.ClearScript.V8;

namespace Needle.Benchmarks.V8;

/// <summary>
/// The V8 constraints a mode runs under. Zero means "V8's default" for every field. <see cref="MaxOldSpaceMb"/> and
/// <see cref="MaxNewSpaceMb"/> are V8's hard limits (exceeding them ends the process); <see cref="MaxHeapMb"/> is
/// ClearScript's soft, sampled limit (<c>V8ScriptEngine.MaxRuntimeHeapSize</c>), <see cref="HeapExpansionMultiplier"/>
/// lets V8 grow its hard limit on demand so the soft one gets a chance, <see cref="MaxArrayBufferMb"/> caps
/// ArrayBuffer memory (outside the heap, not seen by the soft limit), <see cref="SampleIntervalMs"/> sets how often the
/// soft limit samples the heap (<c>RuntimeHeapSizeSampleInterval</c>).
/// </summary>
internal sealed record V8Settings(int MaxOldSpaceMb = 0, int MaxNewSpaceMb = 0, int MaxHeapMb = 0, double HeapExpansionMultiplier = 0, int MaxArrayBufferMb = 0, int SampleIntervalMs = 0)
{
    /// <summary>No constraint: V8's defaults.</summary>
    public static readonly V8Settings None = new();

    /// <summary>The named profiles of the memory-bomb runs.</summary>
    public static readonly IReadOnlyDictionary<string, V8Settings> Profiles = new Dictionary<string, V8Settings>
    {
        ["none"] = None,
        ["hard"] = new(MaxOldSpaceMb: 256, MaxNewSpaceMb: 16),
        ["monitored"] = new(MaxOldSpaceMb: 256, MaxNewSpaceMb: 16, MaxHeapMb: 128, MaxArrayBufferMb: 256),
        ["monitored-5ms"] = new(MaxOldSpaceMb: 256, MaxNewSpaceMb: 16, MaxHeapMb: 128, MaxArrayBufferMb: 256, SampleIntervalMs: 5),
        ["expanding"] = new(MaxOldSpaceMb: 256, MaxNewSpaceMb: 16, MaxHeapMb: 128, HeapExpansionMultiplier: 4, MaxArrayBufferMb: 256),
    };

    /// <summary>Creates an engine under these settings.</summary>
    public V8ScriptEngine CreateEngine()
    {
        var constraints = new V8RuntimeConstraints();
        if (MaxOldSpaceMb > 0)
        {
            constraints.MaxOldSpaceSize = MaxOldSpaceMb;
        }

        if (MaxNewSpaceMb > 0)
        {
            constraints.MaxNewSpaceSize = MaxNewSpaceMb;
        }

        if (HeapExpansionMultiplier > 0)
        {
            constraints.HeapExpansionMultiplier = HeapExpansionMultiplier;
        }

        if (MaxArrayBufferMb > 0)
        {
            constraints.MaxArrayBufferAllocation = (ulong)MaxArrayBufferMb << 20;
        }

        var engine = new V8ScriptEngine(constraints);
        if (MaxHeapMb > 0)
        {
            engine.MaxRuntimeHeapSize = (UIntPtr)((ulong)MaxHeapMb << 20);
        }

        if (SampleIntervalMs > 0)
        {
            engine.RuntimeHeapSizeSampleInterval = TimeSpan.FromMilliseconds(SampleIntervalMs);
        }

        return engine;
    }

    /// <summary>The command-line form (<c>--v8 old,new,heap,multiplier,arraybuffer</c>).</summary>
    public string ToArgument() => string.Join(',', MaxOldSpaceMb, MaxNewSpaceMb, MaxHeapMb, HeapExpansionMultiplier.ToString(CultureInfo.InvariantCulture), MaxArrayBufferMb, SampleIntervalMs);

    /// <summary>Reads <see cref="ToArgument"/>'s form.</summary>
    public static V8Settings Parse(string text)
    {
        var parts = text.Split(',');
        return new V8Settings(
            int.Parse(parts[0], CultureInfo.InvariantCulture),
            int.Parse(parts[1], CultureInfo.InvariantCulture),
            int.Parse(parts[2], CultureInfo.InvariantCulture),
            double.Parse(parts[3], CultureInfo.InvariantCulture),
            int.Parse(parts[4], CultureInfo.InvariantCulture),
            int.Parse(parts[5], CultureInfo.InvariantCulture));
    }

    /// <inheritdoc />
    public override string ToString() =>
        this == None ? "V8 defaults" : $"old {MaxOldSpaceMb} MB, new {MaxNewSpaceMb} MB, soft heap {MaxHeapMb} MB, multiplier {HeapExpansionMultiplier}, ArrayBuffers {MaxArrayBufferMb} MB, sample interval {(SampleIntervalMs > 0 ? SampleIntervalMs + " ms" : "default")}";
}

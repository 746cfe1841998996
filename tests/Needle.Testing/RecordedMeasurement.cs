namespace Needle.Testing;

/// <summary>One measurement a <see cref="MeasurementRecorder"/> saw: the instrument, the value and its tags (as text).</summary>
public sealed record RecordedMeasurement(string Instrument, double Value, IReadOnlyDictionary<string, string?> Tags)
{
    public string? this[string tag] => Tags.GetValueOrDefault(tag);
}

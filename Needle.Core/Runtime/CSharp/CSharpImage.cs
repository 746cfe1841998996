using System.Buffers.Binary;
using System.Text.Json;

namespace Needle.Runtime.CSharp;

/// <summary>
/// A compiled function: the assembly's PE image and the warnings its compilation gave. The warnings travel with the
/// image (in memory and in the store), so a version whose image is reused reports the same warnings without compiling.
/// </summary>
/// <remarks>
/// In the store an image is one artifact: <c>NDLW</c>, the length of the warnings' JSON (4 bytes, little-endian),
/// the warnings as a UTF-8 JSON array, then the PE image. The image key changes with every build of Needle.Core
/// (<see cref="CSharpReferences.Fingerprint"/>), so a build never reads an artifact written in another format.
/// </remarks>
internal sealed class CSharpImage
{
    private static ReadOnlySpan<byte> Magic => "NDLW"u8;

    public CSharpImage(byte[] assembly, IReadOnlyList<FunctionDiagnostic> warnings)
    {
        Assembly = assembly;
        Warnings = warnings;
    }

    /// <summary>The PE image, with its embedded PDB.</summary>
    public byte[] Assembly { get; }

    /// <summary>The compiler's warnings, in source order; empty when there were none.</summary>
    public IReadOnlyList<FunctionDiagnostic> Warnings { get; }

    /// <summary>The bytes the store keeps.</summary>
    public byte[] ToArtifact()
    {
        using var buffer = new MemoryStream();
        buffer.Write(Magic);
        buffer.Write(stackalloc byte[4]);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var warning in Warnings)
            {
                writer.WriteStartObject();
                writer.WriteString("message", warning.Message);
                writer.WriteNumber("line", warning.Line);
                writer.WriteNumber("column", warning.Column);
                writer.WriteString("severity", warning.Severity);
                if (warning.Code is not null)
                {
                    writer.WriteString("code", warning.Code);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        var length = (int)buffer.Length - Magic.Length - 4;
        buffer.Write(Assembly);
        var artifact = buffer.ToArray();
        BinaryPrimitives.WriteInt32LittleEndian(artifact.AsSpan(Magic.Length), length);
        return artifact;
    }

    /// <summary>Reads what <see cref="ToArtifact"/> wrote; throws <see cref="BadImageFormatException"/> for anything else.</summary>
    public static CSharpImage FromArtifact(byte[] artifact)
    {
        var header = Magic.Length + 4;
        if (artifact.Length < header || !artifact.AsSpan(0, Magic.Length).SequenceEqual(Magic))
        {
            throw new BadImageFormatException("The artifact is not a Needle C# image.");
        }

        var length = BinaryPrimitives.ReadInt32LittleEndian(artifact.AsSpan(Magic.Length));
        if (length < 0 || length > artifact.Length - header)
        {
            throw new BadImageFormatException("The artifact's warnings are cut short.");
        }

        var warnings = new List<FunctionDiagnostic>();
        try
        {
            using var json = JsonDocument.Parse(artifact.AsMemory(header, length));
            foreach (var item in json.RootElement.EnumerateArray())
            {
                warnings.Add(new FunctionDiagnostic(
                    item.GetProperty("message").GetString() ?? "",
                    item.GetProperty("line").GetInt32(),
                    item.GetProperty("column").GetInt32(),
                    item.GetProperty("severity").GetString() ?? "warning")
                {
                    Code = item.TryGetProperty("code", out var code) ? code.GetString() : null,
                });
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or KeyNotFoundException or FormatException)
        {
            throw new BadImageFormatException("The artifact's warnings are not readable.", ex);
        }

        return new CSharpImage(artifact[(header + length)..], warnings);
    }
}

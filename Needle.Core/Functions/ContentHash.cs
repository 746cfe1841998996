using System.Security.Cryptography;
using System.Text;

namespace Needle.Functions;

/// <summary>The content hash of a version: SHA-256 over the source and the manifest as stored.</summary>
internal static class ContentHash
{
    public static string Compute(string source, string manifestJson)
    {
        var bytes = Encoding.UTF8.GetBytes(source + "\n\u0000manifest\u0000\n" + manifestJson);
        return Convert.ToHexStringLower(SHA256.HashData(bytes));
    }
}

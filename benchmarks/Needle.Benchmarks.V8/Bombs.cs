namespace Needle.Benchmarks.V8;

/// <summary>
/// The memory bombs: each an ES module with the handler shape of a function, each bounded (about 1.5 GB at most on a
/// runtime that stops nothing) so that an unconstrained run does not take the shared machine with it.
/// </summary>
internal static class Bombs
{
    /// <summary>How many calls the module-state bomb gets (about 1.3 MB kept per call in V8).</summary>
    public const int StateCalls = 600;

    /// <summary>The bombs by name.</summary>
    public static readonly IReadOnlyDictionary<string, string> Sources = new Dictionary<string, string>
    {
        // A growing array of distinct 1 KB strings: up to 1.5 M of them.
        ["strings"] = """
            export default async function () {
              const a = [];
              for (let i = 0; i < 1_500_000; i++) a.push("s".repeat(1000) + i);
              return { strings: a.length };
            }
            """,
        // One string doubled (and flattened) until V8's maximum string length (2^29 - 24) refuses it.
        ["string"] = """
            export default async function () {
              let s = "x";
              for (let i = 0; i < 31; i++) s = (s + s).toLowerCase();
              return { length: s.length };
            }
            """,
        // ArrayBuffer memory, outside the JavaScript heap: 24 x 64 MB, touched.
        ["arraybuffer"] = """
            export default async function () {
              const keep = [];
              for (let i = 0; i < 24; i++) keep.push(new Uint8Array(64 * 1024 * 1024).fill(1));
              return { mb: keep.length * 64 };
            }
            """,
        // Module-level state kept across calls: each call is small, the engine's heap grows call after call.
        ["state"] = """
            const keep = [];
            export default async function () {
              for (let i = 0; i < 10000; i++) keep.push("k".repeat(100) + i);
              return { held: keep.length };
            }
            """,
    };

    /// <summary>How many calls a bomb gets.</summary>
    public static int Calls(string kind) => kind == "state" ? StateCalls : 1;
}

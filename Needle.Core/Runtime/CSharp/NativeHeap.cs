using System.Runtime.InteropServices;

namespace Needle.Runtime.CSharp;

/// <summary>
/// The C library's heap, where the runtime keeps what it allocates natively for a load context (its types, its
/// JIT-compiled code's bookkeeping, the JIT's own scratch memory). glibc keeps the memory it gets back in its arenas
/// instead of returning it to the system; <c>malloc_trim</c> returns the free pages. Elsewhere (musl, macOS,
/// Windows) trimming is not available and <see cref="Trim"/> does nothing.
/// </summary>
internal static class NativeHeap
{
    // glibc's soname; musl's libc has another name and no malloc_trim.
    private const string GlibC = "libc.so.6";

    /// <summary>Whether this process's C library can trim its heap (Linux with glibc).</summary>
    public static bool IsSupported { get; } = OperatingSystem.IsLinux()
        && NativeLibrary.TryLoad(GlibC, out var handle)
        && NativeLibrary.TryGetExport(handle, "malloc_trim", out _);

    /// <summary>Returns the heap's free pages to the system; <see langword="true"/> when some were returned.</summary>
    public static bool Trim() => IsSupported && MallocTrim(0) != 0;

    [DllImport(GlibC, EntryPoint = "malloc_trim", ExactSpelling = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int MallocTrim(nuint pad);
}

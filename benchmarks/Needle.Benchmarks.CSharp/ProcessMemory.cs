using System.Globalization;
using System.Runtime.InteropServices;

namespace Needle.Benchmarks.CSharp;

/// <summary>
/// Where the process's resident memory is: anonymous (the GC heap, glibc's malloc arenas, thread stacks),
/// file-backed (mapped assemblies and native libraries) and shared (the runtime's executable memory, JIT-compiled
/// code and loader heaps, which .NET maps twice from one memfd, so each page counts twice); and glibc's own count
/// of the bytes in use and free in its arenas (mallinfo2).
/// </summary>
internal readonly record struct ProcessMemory(long Rss, long Anonymous, long File, long Shared, long MallocInUse, long MallocFree)
{
    public static ProcessMemory Now()
    {
        var status = System.IO.File.ReadLines("/proc/self/status")
            .Select(line => line.Split(':', 2))
            .Where(parts => parts.Length == 2 && parts[1].TrimEnd().EndsWith("kB", StringComparison.Ordinal))
            .ToDictionary(parts => parts[0], parts => long.Parse(parts[1].Trim()[..^2].Trim(), CultureInfo.InvariantCulture) * 1024);
        var (inUse, free) = Malloc();
        return new ProcessMemory(status["VmRSS"], status["RssAnon"], status["RssFile"], status["RssShmem"], inUse, free);
    }

    public override string ToString() =>
        $"RSS {Mb(Rss)} MB (anonymous {Mb(Anonymous)}, files {Mb(File)}, shared {Mb(Shared)}; malloc in use {Mb(MallocInUse)}, free {Mb(MallocFree)})";

    public static string Mb(long bytes) => (bytes / 1048576.0).ToString("F1", CultureInfo.InvariantCulture);

    private static (long InUse, long Free) Malloc()
    {
        try
        {
            var info = mallinfo2();
            return ((long)info.Uordblks, (long)info.Fordblks);
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return (0, 0);
        }
    }

    [DllImport("libc.so.6")]
    private static extern MallInfo2 mallinfo2();

    [StructLayout(LayoutKind.Sequential)]
    private struct MallInfo2
    {
        public nuint Arena, Ordblks, Smblks, Hblks, Hblkhd, Usmblks, Fsmblks, Uordblks, Fordblks, Keepcost;
    }
}

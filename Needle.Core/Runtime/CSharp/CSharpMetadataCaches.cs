using System.Reflection;
using System.Reflection.Metadata;
using System.Text.Json;

namespace Needle.Runtime.CSharp;

/// <summary>
/// Clears the framework's process-wide metadata caches after a version unloads, the way Hot Reload does: through
/// the <see cref="MetadataUpdateHandlerAttribute"/> handlers' <c>ClearCache</c>. System.Text.Json keeps the
/// member accessors it emitted for a type in a static cache that is only trimmed when new types are serialised;
/// without this, the last retired versions would stay loaded until the next deploy.
/// </summary>
/// <remarks>The cost is that the host's own JSON metadata is rebuilt on next use: a few milliseconds once per unload.</remarks>
internal static class CSharpMetadataCaches
{
    private static readonly Lazy<Action<Type[]?>[]> Handlers = new(FindHandlers);

    public static void Clear()
    {
        foreach (var clear in Handlers.Value)
        {
            try
            {
                clear(null);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // Clearing a cache is an optimisation for unloading; it must never fail a dispose.
            }
        }
    }

    private static Action<Type[]?>[] FindHandlers() =>
        [.. typeof(JsonSerializer).Assembly.GetCustomAttributes<MetadataUpdateHandlerAttribute>()
            .Select(a => a.HandlerType.GetMethod("ClearCache", BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static, [typeof(Type[])]))
            .OfType<MethodInfo>()
            .Select(m => m.CreateDelegate<Action<Type[]?>>())];
}

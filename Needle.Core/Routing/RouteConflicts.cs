using Needle.Functions;
using Needle.Runtime;
using Needle.Serving;

namespace Needle.Routing;

/// <summary>A function's route against the routes the other served functions hold: the deploy's and activation's check.</summary>
internal static class RouteConflicts
{
    /// <summary>Throws <see cref="FunctionValidationException"/> when <paramref name="manifest"/>'s route collides with another function's.</summary>
    public static void Check(FunctionManifest manifest, IReadOnlyDictionary<string, ServedRelease> served)
    {
        var route = manifest.Route ?? "/" + manifest.Name;
        var methods = manifest.Methods ?? ["GET", "POST"];
        foreach (var (other, entry) in served)
        {
            if (other == manifest.Name)
            {
                continue;
            }

            var otherRoute = entry.Manifest.Route ?? "/" + other;
            if (RouteShape.Collide(route, methods, otherRoute, entry.Manifest.Methods ?? ["GET", "POST"]))
            {
                throw new FunctionValidationException($"manifest.route: '{route}' conflicts with function '{other}', which serves '{otherRoute}' for the same methods.");
            }
        }
    }
}

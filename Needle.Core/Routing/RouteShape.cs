using System.Text;
using Microsoft.AspNetCore.Routing.Patterns;

namespace Needle.Routing;

/// <summary>
/// A route template reduced to what decides whether two functions collide: literal segments (case-insensitive)
/// and parameter positions, whatever the parameters are called or constrained to.
/// </summary>
internal static class RouteShape
{
    public static string Of(string template)
    {
        var pattern = RoutePatternFactory.Parse(template);
        var shape = new StringBuilder();
        foreach (var segment in pattern.PathSegments)
        {
            shape.Append('/');
            foreach (var part in segment.Parts)
            {
                switch (part)
                {
                    case RoutePatternLiteralPart literal:
                        shape.Append(literal.Content.ToLowerInvariant());
                        break;
                    case RoutePatternParameterPart parameter:
                        shape.Append(parameter.IsCatchAll ? "{**}" : parameter.IsOptional ? "{?}" : "{}");
                        break;
                    case RoutePatternSeparatorPart separator:
                        shape.Append(separator.Content);
                        break;
                }
            }
        }

        return shape.Length == 0 ? "/" : shape.ToString();
    }

    /// <summary>Whether two functions would answer the same requests: same shape and a method in common.</summary>
    public static bool Collide(string templateA, IEnumerable<string> methodsA, string templateB, IEnumerable<string> methodsB) =>
        string.Equals(Of(templateA), Of(templateB), StringComparison.Ordinal)
        && methodsA.Intersect(methodsB, StringComparer.OrdinalIgnoreCase).Any();
}

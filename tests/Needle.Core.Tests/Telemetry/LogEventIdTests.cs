using System.Reflection;
using Microsoft.Extensions.Logging;
using Needle.Telemetry;

namespace Needle.Tests.Telemetry;

/// <summary>Every source-generated log message of every Needle package has its own event id, inside its package's range.</summary>
[TestClass]
public sealed class LogEventIdTests
{
    private static readonly (string Assembly, int First, int Last)[] Packages =
    [
        ("Needle.Core", NeedleEventIds.CoreFirst, NeedleEventIds.CoreLast),
        ("Needle.Observability", NeedleEventIds.ObservabilityFirst, NeedleEventIds.ObservabilityLast),
        ("Needle.Rollback", NeedleEventIds.RollbackFirst, NeedleEventIds.RollbackLast),
        ("Needle.Console", NeedleEventIds.ConsoleFirst, NeedleEventIds.ConsoleLast),
    ];

    [TestMethod]
    public void LoggerMessage_EveryNeedleAssembly_EventIdsAreUnique()
    {
        var messages = AllMessages();

        var shared = messages.GroupBy(m => m.EventId).Where(g => g.Count() > 1)
            .Select(g => $"{g.Key}: {string.Join(", ", g.Select(m => m.Method))}").ToList();

        Assert.IsEmpty(shared, "event ids used more than once: " + string.Join("; ", shared));
    }

    [TestMethod]
    public void LoggerMessage_EveryNeedleAssembly_EventIdsAreInsideTheirPackagesRange()
    {
        var outside = new List<string>();
        foreach (var (assembly, first, last) in Packages)
        {
            outside.AddRange(AllMessages().Where(m => m.Assembly == assembly && (m.EventId < first || m.EventId > last))
                .Select(m => $"{m.Method} = {m.EventId} (not in {first}-{last})"));
        }

        Assert.IsEmpty(outside, string.Join("; ", outside));
    }

    [TestMethod]
    public void LoggerMessage_CoreAndRollback_AreFound()
    {
        // The two tests above prove nothing if reflection finds no messages at all.
        var messages = AllMessages();

        Assert.IsGreaterThan(20, messages.Count(m => m.Assembly == "Needle.Core"));
        Assert.IsGreaterThan(5, messages.Count(m => m.Assembly == "Needle.Rollback"));
    }

    private static List<(string Assembly, string Method, int EventId)> AllMessages() =>
        [.. Packages.SelectMany(p => Messages(Assembly.Load(p.Assembly)))];

    private static IEnumerable<(string Assembly, string Method, int EventId)> Messages(Assembly assembly) =>
        from type in assembly.GetTypes()
        from method in type.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly)
        let attribute = method.GetCustomAttribute<LoggerMessageAttribute>()
        where attribute is not null
        select (assembly.GetName().Name!, $"{type.FullName}.{method.Name}", attribute.EventId);
}

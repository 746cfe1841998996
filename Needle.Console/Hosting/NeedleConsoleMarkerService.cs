namespace Needle.Console.Hosting;

/// <summary>Registered by <c>AddConsole</c> so that <c>MapNeedleConsole</c> can tell whether it was called.</summary>
internal sealed class NeedleConsoleMarkerService;

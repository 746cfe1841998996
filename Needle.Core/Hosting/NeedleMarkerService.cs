namespace Needle.Hosting;

/// <summary>Registered by <c>AddNeedle</c> so that <c>MapNeedle</c> can tell whether it was called.</summary>
internal sealed class NeedleMarkerService;
